package dev.torch4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.torch4j.Fixtures;
import dev.torch4j.NN;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** Behaviour of the recurrent and attention layers beyond the PyTorch fixtures: argument checks, modes, ownership. */
class SequenceLayersTest {

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void lstmParametersAreNamedAndShapedAsPyTorch() {
        try (LSTM m = new LSTM(new LSTMOptions(3, 4).numLayers(2).bidirectional(true).bias(false))) {
            Map<String, Tensor> p = m.namedParameters();
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "weight_ih_l1",
                    "weight_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse"), List.copyOf(p.keySet()));
            assertArrayEquals(new long[] {16, 3}, p.get("weight_ih_l0").shape());
            assertArrayEquals(new long[] {16, 8}, p.get("weight_ih_l1_reverse").shape());
            assertArrayEquals(new long[] {16, 4}, p.get("weight_hh_l1").shape());
            double bound = 1 / Math.sqrt(4);
            for (Tensor t : p.values()) {
                try (Tensor a = t.abs(); Tensor mx = a.max()) {
                    assertTrue(mx.item() <= bound, "init bound");
                }
            }
        }
    }

    @Test
    void recurrentShapeChecksNameExpectedAndActual() {
        try (Scope s = Torch.scope(); LSTM lstm = new LSTM(new LSTMOptions(3, 4).numLayers(2)); GRU gru = new GRU(3, 4)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> lstm.forward(Torch.randn(5, 2, 2))), "input_size", "Expected 3",
                    "got 2");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> lstm.forward(Torch.randn(1, 5, 2, 3))), "2-D or 3-D", "4-D");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> lstm.forward(Torch.randn(5, 2, 3), Torch.zeros(1, 2, 4), null)),
                    "h0", "[2, 2, 4]", "[1, 2, 4]");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> lstm.forward(Torch.randn(5, 2, 3), null, Torch.zeros(2, 3, 4))), "c0", "[2, 2, 4]", "[2, 3, 4]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> gru.forward(Torch.randn(5, 3), Torch.zeros(1, 2, 4))), "h0",
                    "[1, 4]");
        }
        assertThrows(IllegalArgumentException.class, () -> new LSTMOptions(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new GRUOptions(3, 4).dropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> new RNNOptions(3, 4).nonlinearity("sigmoid"));
        assertThrows(IllegalArgumentException.class, () -> new RNNOptions(3, 4).numLayers(0));
    }

    @Test
    void interLayerDropoutOnlyInTraining() {
        Torch.manualSeed(3);
        try (Scope s = Torch.scope(); GRU m = new GRU(new GRUOptions(3, 8).numLayers(2).dropout(0.5))) {
            Tensor x = Torch.randn(6, 2, 3);
            m.eval();
            Tensor e1 = m.forward(x), e2 = m.forward(x);
            assertTrue(e1.equal(e2), "eval is deterministic");
            m.train();
            Tensor t1 = m.forward(x), t2 = m.forward(x);
            assertFalse(t1.equal(t2), "training applies dropout between layers");
            assertFalse(t1.equal(e1), "training output differs from eval output");
        }
    }

    @Test
    void singleInputForwardReturnsTheOutputSequenceOnly() {
        try (Scope s = Torch.scope(); LSTM m = new LSTM(new LSTMOptions(3, 4).batchFirst(true).bidirectional(true))) {
            Tensor x = Torch.randn(2, 5, 3);
            Tensor out = m.forward(x);
            assertArrayEquals(new long[] {2, 5, 8}, out.shape());
            try (NN.RnnResult r = m.forward(x, null, null)) {
                assertTrue(out.equal(r.output()));
                assertArrayEquals(new long[] {2, 2, 4}, r.h().shape());
                assertArrayEquals(new long[] {2, 2, 4}, r.c().shape());
            }
            try (Sequential seq = new Sequential(new GRU(3, 4), new Linear(4, 1))) {
                assertArrayEquals(new long[] {2, 5, 1}, seq.forward(x).shape(), "a GRU works inside Sequential");
            }
        }
        try (Scope s = Torch.scope(); RNN m = new RNN(3, 4); NN.RnnResult r = m.forward(Torch.randn(5, 2, 3), null)) {
            assertNull(r.c());
            assertArrayEquals(new long[] {1, 2, 4}, r.h().shape());
        }
    }

    @Test
    void attentionWithoutWeightsMatchesTheExplicitPath() {
        Torch.manualSeed(5);
        try (Scope s = Torch.scope(); MultiheadAttention m = new MultiheadAttention(new MultiheadAttentionOptions(8, 4).batchFirst(true))) {
            Tensor q = Torch.randn(2, 3, 8), kv = Torch.randn(2, 5, 8);
            Tensor kpm = Torch.tensor(new boolean[] {false, false, false, false, true, false, true, false, false, false}, 2, 5);
            Tensor am = Torch.randn(3, 5);
            MultiheadAttention.Output with = m.forward(q, kv, kv, kpm, true, am);
            MultiheadAttention.Output without = m.forward(q, kv, kv, kpm, false, am);
            assertNull(without.weights());
            Fixtures.assertClose(with.output(), without.output(), 1e-5, 1e-6, "fused vs explicit attention");
            assertArrayEquals(new long[] {2, 3, 5}, with.weights().shape());
            MultiheadAttention.Output perHead = m.forward(q, kv, kv, kpm, true, am, false);
            assertArrayEquals(new long[] {2, 4, 3, 5}, perHead.weights().shape());
            Fixtures.assertClose(with.weights(), perHead.weights().mean(1), 1e-6, 1e-7, "averaged weights");
            Tensor padded = with.weights().select(0, 0).select(1, 4); // batch 0, key 4 (padding): [L]
            assertEquals(0.0, padded.abs().sum().item(), "padded key gets no weight");
        }
    }

    @Test
    void attentionChecksShapesAndMasks() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(6, 4)), "divisible", "6", "4");
        try (Scope s = Torch.scope(); MultiheadAttention m = new MultiheadAttention(8, 2)) {
            Tensor q = Torch.randn(3, 2, 8), kv = Torch.randn(5, 2, 8);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> m.forward(q, kv, kv, null, true, Torch.zeros(3, 4))), "attnMask",
                    "[3, 5]", "[4, 3, 5]", "[3, 4]");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> m.forward(q, kv, kv, Torch.zeros(new long[] {5, 2}, dev.torch4j.DType.BOOL), true, null)), "keyPaddingMask", "[2, 5]",
                    "[5, 2]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> m.forward(Torch.randn(3, 2, 6), kv, kv)), "query", "8");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> m.forward(q, kv, Torch.randn(4, 2, 8))), "same shape");
            try (MultiheadAttention.Output o = m.forward(Torch.randn(3, 8), Torch.randn(5, 8), Torch.randn(5, 8))) {
                assertArrayEquals(new long[] {3, 8}, o.output().shape(), "unbatched output");
                assertArrayEquals(new long[] {3, 5}, o.weights().shape(), "unbatched weights");
            }
        }
    }

    @Test
    void encoderLayersStartIdenticalButAreIndependent() {
        try (Scope s = Torch.scope();
             TransformerEncoder enc = new TransformerEncoder(new TransformerEncoderLayer(new TransformerEncoderLayerOptions(8, 2).dimFeedforward(16)), 3)) {
            assertEquals(3, enc.numLayers());
            Map<String, Tensor> first = enc.layer(0).stateDict();
            for (int i = 1; i < 3; i++) {
                Map<String, Tensor> other = enc.layer(i).stateDict();
                for (String k : first.keySet()) assertTrue(first.get(k).equal(other.get(k)), "layer " + i + " " + k);
            }
            try (dev.torch4j.GradMode g = Torch.noGrad()) {
                enc.layer(1).selfAttn().inProjWeight().add_(1.0);
            }
            assertFalse(enc.layer(0).selfAttn().inProjWeight().equal(enc.layer(1).selfAttn().inProjWeight()), "copies share no storage");
            Tensor x = Torch.randn(4, 2, 8);
            enc.eval();
            Tensor e1 = enc.forward(x);
            assertTrue(e1.equal(enc.forward(x)), "eval is deterministic");
            enc.train();
            assertFalse(e1.equal(enc.forward(x)), "training applies dropout");
        }
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayerOptions(8, 2).activation("tanh"));
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(new TransformerEncoderLayer(8, 2), 0));
    }

    @Test
    void forwardLeavesNoTensorsInTheCallersScope() {
        try (LSTM lstm = new LSTM(new LSTMOptions(3, 4).numLayers(2)); TransformerEncoderLayer tel = new TransformerEncoderLayer(8, 2);
             Scope s = Torch.scope()) {
            Tensor x = Torch.randn(5, 2, 3), src = Torch.randn(4, 2, 8);
            int before = s.size();
            NN.RnnResult r = lstm.forward(x, null, null);
            assertEquals(before + 3, s.size(), "LSTM forward adds exactly output, h and c");
            Tensor y = tel.forward(src);
            assertEquals(before + 4, s.size(), "encoder layer forward adds exactly its output");
            r.close();
            y.close();
        }
    }
}
