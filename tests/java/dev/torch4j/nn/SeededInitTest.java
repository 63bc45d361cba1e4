package dev.torch4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Fixtures;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * {@code Torch.manualSeed(0)} followed by a constructor gives the weights PyTorch draws after
 * {@code torch.manual_seed(0)} (tests/fixtures/nn_init.json), which requires the same initialisers drawn in the
 * same order; the printed forms match PyTorch's {@code repr}.
 */
class SeededInitTest {
    private static final JsonNode FIXTURE = Fixtures.load("nn_init.json");

    private static void check(String name, Supplier<Module> build) {
        Torch.manualSeed(0);
        try (Scope s = Torch.scope(); Module m = build.get()) {
            JsonNode want = FIXTURE.get("states").get(name);
            List<String> keys = new ArrayList<>();
            want.fieldNames().forEachRemaining(keys::add);
            Map<String, Tensor> sd = m.stateDict();
            assertEquals(keys, new ArrayList<>(sd.keySet()), name + ": state-dict keys");
            for (String k : keys) Fixtures.assertClose(want.get(k), sd.get(k), name + ": " + k);
            JsonNode repr = FIXTURE.get("reprs").get(name);
            if (repr != null) assertEquals(repr.asText(), m.toString(), name + ": toString");
        }
    }

    @Test
    void linear() {
        check("linear_3_4", () -> new Linear(3, 4));
    }

    @Test
    void lstm() {
        check("lstm_3_4_2l_bi", () -> new LSTM(new LSTMOptions(3, 4).numLayers(2).bidirectional(true)));
    }

    @Test
    void gru() {
        check("gru_2_3", () -> new GRU(2, 3));
    }

    @Test
    void rnnRelu() {
        check("rnn_2_3_relu", () -> new RNN(new RNNOptions(2, 3).nonlinearity("relu")));
    }

    @Test
    void multiheadAttention() {
        check("mha_4_2", () -> new MultiheadAttention(4, 2));
    }

    @Test
    void transformerEncoderLayer() {
        check("tel_4_2_8", () -> new TransformerEncoderLayer(new TransformerEncoderLayerOptions(4, 2).dimFeedforward(8)));
    }

    @Test
    void transformerEncoderCopiesTheFirstLayer() {
        check("encoder_4_2_8_x2",
                () -> new TransformerEncoder(new TransformerEncoderLayer(new TransformerEncoderLayerOptions(4, 2).dimFeedforward(8)), 2));
    }

    @Test
    void lstmWithEveryOptionPrintsAsPyTorch() {
        try (LSTM m = new LSTM(new LSTMOptions(3, 4).numLayers(2).bias(false).batchFirst(true).dropout(0.25).bidirectional(true))) {
            assertEquals(FIXTURE.get("reprs").get("lstm_full").asText(), m.toString());
        }
    }
}
