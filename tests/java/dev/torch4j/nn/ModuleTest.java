package dev.torch4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** Module mechanics: registration order and names, state dicts, modes, conversion, ownership, printing. */
class ModuleTest {

    static final class Mlp extends Module {
        final Linear fc1 = registerModule("fc1", new Linear(4, 8));
        final Sequential body = registerModule("body", new Sequential(new ReLU(), new Linear(8, 8), new Dropout(0.5)));
        final LayerNorm norm = registerModule("norm", new LayerNorm(8));
        final Linear head = registerModule("head", new Linear(new LinearOptions(8, 2).bias(false)));

        @Override
        public Tensor forward(Tensor x) {
            try (Scope s = Torch.scope()) {
                return s.keep(head.forward(norm.forward(body.forward(fc1.forward(x)))));
            }
        }
    }

    @Test
    void parameterNamesFollowRegistrationOrderAsPyTorch() {
        try (Mlp m = new Mlp()) {
            assertEquals(List.of("fc1.weight", "fc1.bias", "body.1.weight", "body.1.bias", "norm.weight", "norm.bias", "head.weight"),
                    List.copyOf(m.namedParameters().keySet()));
            assertEquals(4 * 8 + 8 + 8 * 8 + 8 + 8 + 8 + 8 * 2, m.numParameters());
            assertTrue(m.parameters().stream().allMatch(Tensor::requiresGrad));
            assertEquals(List.of("", "fc1", "body", "body.0", "body.1", "body.2", "norm", "head"), List.copyOf(m.namedModules().keySet()));
        }
    }

    @Test
    void stateDictRoundTripsIntoAFreshModel() {
        try (Scope s = Torch.scope(); Mlp a = new Mlp(); Mlp b = new Mlp()) {
            a.eval();
            b.eval();
            Tensor x = Torch.randn(3, 4);
            assertFalse(a.forward(x).allclose(b.forward(x), 0, 0));
            Map<String, Tensor> sd = a.stateDict();
            assertFalse(sd.get("fc1.weight").requiresGrad(), "state dict tensors are detached");
            b.loadStateDict(sd);
            assertTrue(a.forward(x).equal(b.forward(x)));
        }
    }

    @Test
    void strictLoadingNamesMissingUnexpectedAndMisshapenKeys() {
        try (Scope s = Torch.scope(); Linear l = new Linear(3, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> l.loadStateDict(Map.of("weight", Torch.zeros(2, 3), "extra", Torch.zeros(1))));
            assertTrue(e.getMessage().contains("missing keys: [bias]"), e.getMessage());
            assertTrue(e.getMessage().contains("unexpected keys: [extra]"), e.getMessage());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> l.loadStateDict(Map.of("weight", Torch.zeros(3, 2), "bias", Torch.zeros(2))));
            assertTrue(shape.getMessage().contains("weight (expected [2, 3], got [3, 2])"), shape.getMessage());
            float before = l.weight().toFloatArray()[0];
            assertEquals(before, l.weight().toFloatArray()[0], "a failed load copies nothing");
            Module.LoadResult r = l.loadStateDict(Map.of("weight", Torch.ones(2, 3)), false);
            assertEquals(List.of("bias"), r.missingKeys());
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, l.weight().toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> l.loadStateDict(Map.of("weight", Torch.ones(3, 3)), false),
                    "shape mismatches fail even when not strict");
        }
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        try (Scope s = Torch.scope(); Mlp m = new Mlp()) {
            assertTrue(m.body.get(2).isTraining());
            m.eval();
            assertFalse(m.body.get(2).isTraining());
            Tensor x = Torch.randn(5, 4);
            assertTrue(m.forward(x).equal(m.forward(x)), "eval mode is deterministic (dropout off)");
            m.train();
            assertTrue(m.body.get(2).isTraining());
        }
    }

    @Test
    void toDtypeConvertsInPlaceKeepingGradFlags() {
        try (Scope s = Torch.scope(); Linear l = new Linear(3, 2)) {
            Map<String, Tensor> before = l.stateDict();
            l.to(DType.FLOAT64);
            assertEquals(DType.FLOAT64, l.weight().dtype());
            assertTrue(l.weight().requiresGrad() && l.weight().isLeaf());
            assertTrue(before.get("weight").to(DType.FLOAT64).equal(l.weight()));
            assertEquals(DType.FLOAT64, l.forward(Torch.ones(new long[] {1, 3}, DType.FLOAT64)).dtype());
            l.to(dev.torch4j.Device.CPU);
            assertEquals(dev.torch4j.Device.CPU, l.weight().device());
        }
    }

    @Test
    void buildingInsideAScopeDoesNotCloseParameters() {
        Linear l;
        try (Scope s = Torch.scope()) {
            l = new Linear(3, 3);
        }
        assertFalse(l.weight().isClosed());
        l.close();
        assertTrue(l.isClosed());
        assertThrows(IllegalStateException.class, l::parameters);
        l.close();
    }

    @Test
    void closingAModelFreesItsParameters() {
        // 50 models of 4M floats (16 MiB each): if close leaked, resident memory would grow by 800 MiB.
        for (int i = 0; i < 3; i++) new Linear(2048, 2048).close();
        System.gc();
        long before = Pointer.physicalBytes();
        for (int i = 0; i < 50; i++) {
            Linear l = new Linear(2048, 2048);
            List<Tensor> ps = l.parameters();
            l.close();
            assertTrue(ps.stream().allMatch(Tensor::isClosed));
        }
        System.gc();
        long growth = Pointer.physicalBytes() - before;
        assertTrue(growth < 64L << 20, "resident memory grew by " + (growth >> 20) + " MiB");
    }

    @Test
    void gradientsFlowAndZeroGradClearsThem() {
        try (Scope s = Torch.scope(); Mlp m = new Mlp()) {
            m.forward(Torch.randn(2, 4)).sum().backward();
            assertTrue(m.parameters().stream().allMatch(p -> p.grad() != null));
            m.zeroGrad();
            assertTrue(m.parameters().stream().allMatch(p -> p.grad() == null));
        }
    }

    /** Records every output it produces, to check who closes them. */
    static final class Recorder extends Module {
        final java.util.List<Tensor> outputs = new java.util.ArrayList<>();

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = x.mul(2.0);
            outputs.add(y);
            return y;
        }
    }

    @Test
    void sequentialClosesIntermediatesAndKeepsItsResult() {
        Recorder r1 = new Recorder(), r2 = new Recorder(), r3 = new Recorder();
        try (Sequential seq = new Sequential(r1, r2, r3); Tensor x = Torch.ones(2).requiresGrad_(); Tensor y = seq.forward(x)) {
            assertTrue(r1.outputs.get(0).isClosed() && r2.outputs.get(0).isClosed(), "intermediates closed");
            assertSame(r3.outputs.get(0), y);
            assertFalse(x.isClosed(), "the input stays open");
            try (Tensor sum = y.sum()) {
                sum.backward();
            }
            try (Tensor g = x.grad()) {
                assertArrayEquals(new float[] {8, 8}, g.toFloatArray(), "autograd survives closed intermediates");
            }
        }
    }

    @Test
    void printsLikePyTorch() {
        try (Mlp m = new Mlp()) {
            assertEquals(String.join("\n",
                    "Mlp(",
                    "  (fc1): Linear(in_features=4, out_features=8, bias=True)",
                    "  (body): Sequential(",
                    "    (0): ReLU()",
                    "    (1): Linear(in_features=8, out_features=8, bias=True)",
                    "    (2): Dropout(p=0.5, inplace=False)",
                    "  )",
                    "  (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True)",
                    "  (head): Linear(in_features=8, out_features=2, bias=False)",
                    ")"), m.toString());
        }
    }

    @Test
    void containers() {
        try (ModuleList<Linear> list = new ModuleList<>(new Linear(2, 2), new Linear(2, 2));
             ModuleDict<Module> dict = new ModuleDict<>().put("act", new GELU("tanh")).put("proj", new Linear(2, 1))) {
            assertEquals(2, list.size());
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(list.namedParameters().keySet()));
            assertSame(list.get(1), list.namedChildren().get("1"));
            assertEquals(List.of("proj.weight", "proj.bias"), List.copyOf(dict.namedParameters().keySet()));
            assertThrows(IllegalArgumentException.class, () -> dict.get("missing"));
            assertTrue(dict.contains("act"));
        }
    }

    @Test
    void buffersAreSavedButNotTrained() {
        try (Scope s = Torch.scope(); BatchNorm1d bn = new BatchNorm1d(3)) {
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
            assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
            bn.forward(Torch.randn(8, 3).add(2.0));
            assertEquals(1, bn.namedBuffers().get("num_batches_tracked").itemLong());
            assertTrue(bn.namedBuffers().get("running_mean").mean().item() > 0.1, "running mean moved towards the batch mean");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(10, 4, 10));
        assertThrows(IllegalArgumentException.class, () -> new Conv2dOptions(3, 4, 3).groups(2));
        try (Scope s = Torch.scope(); Linear l = new Linear(3, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forward(Torch.ones(2, 4)));
            assertTrue(e.getMessage().contains("expected last dimension 3"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> new Bilinear(2, 2, 2, true).forward(Torch.ones(2)));
        }
        assertNull(new Linear(new LinearOptions(2, 2).bias(false)).bias());
    }
}
