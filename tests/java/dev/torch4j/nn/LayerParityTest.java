package dev.torch4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Fixtures;
import dev.torch4j.NN;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Every layer against PyTorch (tests/fixtures/gen_nn.py: nn_layers.json, nn_seq.json): the module built here
 * has PyTorch's state-dict keys in PyTorch's order and prints as PyTorch's {@code repr}; after loading
 * PyTorch's weights, each step's outputs, the gradients of {@code sum(output * w)} with respect to the inputs
 * and every parameter, and the state after the step (batch norm's running statistics) match.
 */
class LayerParityTest {
    private static final List<String> FILES = List.of("nn_layers.json", "nn_seq.json");

    @FunctionalInterface
    interface Forward {
        /** Outputs of one step; {@code outputs} is how many the fixture recorded. */
        List<Tensor> apply(Module m, List<Tensor> in, int outputs);
    }

    private record Case(Supplier<Module> build, Forward forward) {}

    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    private static void put(String name, Supplier<Module> build, Forward forward) {
        CASES.put(name, new Case(build, forward));
    }

    private static void put(String name, Supplier<Module> build) {
        put(name, build, (m, in, n) -> List.of(m.forward(in.get(0))));
    }

    private static List<Tensor> rnn(NN.RnnResult r) {
        return r.c() == null ? List.of(r.output(), r.h()) : List.of(r.output(), r.h(), r.c());
    }

    private static Tensor at(List<Tensor> in, int i) {
        return i < in.size() ? in.get(i) : null;
    }

    static {
        put("linear", () -> new Linear(3, 4));
        put("linear_nobias_3d", () -> new Linear(new LinearOptions(3, 2).bias(false)));
        put("bilinear", () -> new Bilinear(3, 2, 4, true), (m, in, n) -> List.of(((Bilinear) m).forward(in.get(0), in.get(1))));
        put("embedding_padding", () -> new Embedding(5, 3, 1));
        put("layernorm", () -> new LayerNorm(4));
        put("layernorm_2d_eps", () -> new LayerNorm(new long[] {2, 3}, 1e-3, true));
        put("dropout_eval", () -> new Dropout(0.3));
        put("conv1d", () -> new Conv1d(2, 4, 3, 2, 1, 1, 1, true));
        put("conv2d", () -> new Conv2d(new Conv2dOptions(4, 6, 3).stride(2).padding(1).groups(2)));
        put("conv2d_nobias", () -> new Conv2d(new Conv2dOptions(2, 3, 2).bias(false)));
        put("maxpool2d", () -> new MaxPool2d(2));
        put("maxpool2d_stride_pad", () -> new MaxPool2d(3, 2, 1));
        put("avgpool2d", () -> new AvgPool2d(2));
        put("adaptiveavgpool2d", () -> new AdaptiveAvgPool2d(2));
        put("flatten", Flatten::new);
        put("relu", ReLU::new);
        put("gelu", GELU::new);
        put("gelu_tanh", () -> new GELU("tanh"));
        put("tanh", Tanh::new);
        put("sigmoid", Sigmoid::new);
        put("softmax", () -> new Softmax(1));
        put("leakyrelu", () -> new LeakyReLU(0.2));
        put("silu", SiLU::new);
        put("sequential", () -> new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 2)));
        put("batchnorm1d", () -> new BatchNorm1d(3));
        put("batchnorm1d_3d", () -> new BatchNorm1d(2));
        put("batchnorm2d", () -> new BatchNorm2d(2));

        Forward lstm = (m, in, n) -> rnn(((LSTM) m).forward(in.get(0), at(in, 1), at(in, 2)));
        Forward gru = (m, in, n) -> rnn(((GRU) m).forward(in.get(0), at(in, 1)));
        Forward elman = (m, in, n) -> rnn(((RNN) m).forward(in.get(0), at(in, 1)));
        put("lstm_2l_bi_bf", () -> new LSTM(new LSTMOptions(3, 4).numLayers(2).batchFirst(true).bidirectional(true)), lstm);
        put("lstm_nobias", () -> new LSTM(new LSTMOptions(2, 3).bias(false)), lstm);
        put("lstm_unbatched", () -> new LSTM(2, 3), lstm);
        put("gru_2l", () -> new GRU(new GRUOptions(3, 4).numLayers(2)), gru);
        put("gru_bi_bf", () -> new GRU(new GRUOptions(3, 2).batchFirst(true).bidirectional(true)), gru);
        put("rnn_tanh", () -> new RNN(3, 4), elman);
        put("rnn_relu_2l_bi", () -> new RNN(new RNNOptions(3, 4).numLayers(2).nonlinearity("relu").bidirectional(true)), elman);

        put("mha", () -> new MultiheadAttention(8, 2), (m, in, n) -> {
            MultiheadAttention.Output o = ((MultiheadAttention) m).forward(in.get(0), in.get(1), in.get(2), in.get(3), n == 2, in.get(4));
            return o.weights() == null ? List.of(o.output()) : List.of(o.output(), o.weights());
        });
        put("mha_self_bf_nobias", () -> new MultiheadAttention(new MultiheadAttentionOptions(8, 2).batchFirst(true).bias(false)),
                (m, in, n) -> {
                    Tensor x = in.get(0);
                    MultiheadAttention.Output o = ((MultiheadAttention) m).forward(x, x, x, in.get(1), true, in.get(2));
                    return List.of(o.output(), o.weights());
                });
        Forward tel = (m, in, n) -> List.of(((TransformerEncoderLayer) m).forward(in.get(0), in.get(1), in.get(2)));
        put("tel_norm_first_False", () -> new TransformerEncoderLayer(new TransformerEncoderLayerOptions(8, 2).dimFeedforward(16).dropout(0.1)), tel);
        put("tel_norm_first_True",
                () -> new TransformerEncoderLayer(new TransformerEncoderLayerOptions(8, 2).dimFeedforward(16).dropout(0.1).normFirst(true)), tel);
        put("encoder_2l_gelu_bf_norm", () -> new TransformerEncoder(
                new TransformerEncoderLayer(new TransformerEncoderLayerOptions(8, 2).dimFeedforward(12).activation("gelu").batchFirst(true)), 2,
                new LayerNorm(8)), (m, in, n) -> List.of(((TransformerEncoder) m).forward(in.get(0), null, in.get(1))));
    }

    private static List<JsonNode> fixtureCases() {
        List<JsonNode> out = new ArrayList<>();
        for (String f : FILES) Fixtures.load(f).get("cases").forEach(out::add);
        return out;
    }

    @Test
    void everyBuilderHasAFixtureCase() {
        Set<String> names = new HashSet<>();
        for (JsonNode c : fixtureCases()) names.add(c.get("name").asText());
        for (String k : CASES.keySet()) assertTrue(names.contains(k), "builder " + k + " has no fixture case");
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return fixtureCases().stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }

    private static void check(JsonNode c) {
        String name = c.get("name").asText();
        Case k = CASES.get(name);
        assertNotNull(k, "no Java builder for fixture case " + name);
        try (Scope s = Torch.scope(); Module m = k.build().get()) {
            List<String> keys = new ArrayList<>();
            c.get("state").fieldNames().forEachRemaining(keys::add);
            assertEquals(keys, new ArrayList<>(m.stateDict().keySet()), name + ": state-dict keys");
            assertEquals(c.get("repr").asText(), m.toString(), name + ": toString vs PyTorch repr");
            m.loadStateDict(tensors(c.get("state")));
            int stepNo = 0;
            for (JsonNode st : c.get("steps")) {
                String what = name + " step " + stepNo++;
                try (Scope stepScope = Torch.scope()) {
                    runStep(m, k, st, what);
                }
            }
        }
    }

    private static Map<String, Tensor> tensors(JsonNode obj) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        obj.fields().forEachRemaining(e -> out.put(e.getKey(), Fixtures.tensor(e.getValue())));
        return out;
    }

    private static void runStep(Module m, Case k, JsonNode st, String what) {
        m.train(st.get("train").asBoolean());
        m.zeroGrad();
        List<Tensor> in = new ArrayList<>();
        JsonNode ins = st.get("inputs");
        for (int i = 0; i < ins.size(); i++) {
            if (ins.get(i).isNull()) {
                in.add(null);
                continue;
            }
            Tensor t = Fixtures.tensor(ins.get(i));
            if (st.get("grad").get(i).asBoolean()) t.requiresGrad_(true);
            in.add(t);
        }
        JsonNode outs = st.get("outputs");
        List<Tensor> got = k.forward().apply(m, in, outs.size());
        assertEquals(outs.size(), got.size(), what + ": number of outputs");
        Tensor loss = null;
        for (int i = 0; i < got.size(); i++) {
            Fixtures.assertClose(outs.get(i), got.get(i), what + ": output " + i);
            Tensor term = got.get(i).mul(Fixtures.tensor(st.get("weights").get(i))).sum();
            loss = loss == null ? term : loss.add(term);
        }
        loss.backward();
        Map<String, Tensor> params = m.namedParameters();
        Set<String> gradNames = new HashSet<>();
        st.get("grads").fields().forEachRemaining(e -> {
            String n = e.getKey();
            gradNames.add(n);
            Tensor g;
            if (n.startsWith("input")) {
                g = in.get(Integer.parseInt(n.substring(5))).grad();
            } else {
                Tensor p = params.get(n);
                assertNotNull(p, what + ": fixture has a gradient for " + n + ", the module has no such parameter");
                g = p.grad();
                if (g == null) g = Torch.zerosLike(p);
            }
            assertNotNull(g, what + ": no gradient for " + n);
            Fixtures.assertClose(e.getValue(), g, what + ": grad " + n);
        });
        for (String p : params.keySet()) assertTrue(gradNames.contains(p), what + ": fixture lacks gradient of parameter " + p);
        if (st.has("state_after")) {
            Map<String, Tensor> sd = m.stateDict();
            st.get("state_after").fields().forEachRemaining(e -> Fixtures.assertClose(e.getValue(), sd.get(e.getKey()),
                    what + ": state after, " + e.getKey()));
        }
    }
}
