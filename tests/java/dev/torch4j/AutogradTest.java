package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void backwardFillsLeafGradients() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.tensor(new float[] {1, 2, 3}).requiresGrad_();
            x.mul(x).sum().backward(); // d/dx sum(x^2) = 2x
            assertArrayEquals(new float[] {2, 4, 6}, x.grad().toFloatArray());
            assertTrue(x.isLeaf());
            assertNull(x.gradFnName());
        }
    }

    @Test
    void backwardWithAGradientArgument() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.tensor(new float[] {1, 2}).requiresGrad_();
            Tensor y = x.mul(3);
            y.backward(Torch.tensor(new float[] {1, 10}));
            assertArrayEquals(new float[] {3, 30}, x.grad().toFloatArray());
        }
    }

    @Test
    void gradientsAccumulateUntilZeroGrad() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.ones(2).requiresGrad_();
            x.sum().backward();
            x.sum().backward();
            assertArrayEquals(new float[] {2, 2}, x.grad().toFloatArray());
            x.zeroGrad();
            assertNull(x.grad());
            x.mul(5).sum().backward();
            assertArrayEquals(new float[] {5, 5}, x.grad().toFloatArray());
        }
    }

    @Test
    void gradIsNullBeforeBackward() {
        try (Scope s = Torch.scope()) {
            assertNull(Torch.ones(1).requiresGrad_().grad());
        }
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.ones(2).requiresGrad_();
            Tensor y = x.exp().sum();
            try (Tensor one = Torch.scalarTensor(1)) {
                y.backward(one, true, false);
                y.backward(one, false, false);
            }
            assertEquals(2 * Math.E, x.grad().toDoubleArray()[0], 1e-5);
            assertThrows(TorchException.class, y::backward, "graph freed after backward without retainGraph");
        }
    }

    @Test
    void nonLeafGradsNeedRetainGrad() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.ones(2).requiresGrad_();
            Tensor h = x.mul(2);
            h.retainGrad();
            h.sum().backward();
            assertArrayEquals(new float[] {1, 1}, h.grad().toFloatArray());
            assertTrue(h.gradFnName().startsWith("MulBackward"), h.gradFnName());
        }
    }

    @Test
    void detachCutsTheGraph() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.ones(2).requiresGrad_();
            Tensor d = x.mul(2).detach();
            assertFalse(d.requiresGrad());
            assertNull(d.gradFnName());
        }
    }

    @Test
    void noGradStopsRecordingOnThisThreadOnly() throws Exception {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.ones(2).requiresGrad_();
            AtomicBoolean otherThreadRecords = new AtomicBoolean();
            try (GradMode g = Torch.noGrad()) {
                assertFalse(Torch.isGradEnabled());
                assertFalse(x.mul(2).requiresGrad());
                Thread t = new Thread(() -> {
                    try (Tensor y = x.mul(2)) {
                        otherThreadRecords.set(y.requiresGrad());
                    }
                });
                t.start();
                t.join();
                try (GradMode inner = Torch.enableGrad()) {
                    assertTrue(x.mul(2).requiresGrad());
                }
                assertFalse(Torch.isGradEnabled(), "inner guard restores the outer mode");
            }
            assertTrue(otherThreadRecords.get(), "grad mode is thread-local, as in PyTorch");
            assertTrue(Torch.isGradEnabled());
            assertTrue(x.mul(2).requiresGrad());
        }
    }

    @Test
    void gradModeGuardMustCloseOnItsThread() throws Exception {
        GradMode g = Torch.noGrad();
        Throwable[] err = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                g.close();
            } catch (Throwable e) {
                err[0] = e;
            }
        });
        t.start();
        t.join();
        assertTrue(err[0] instanceof IllegalStateException);
        g.close();
        g.close();
        assertTrue(Torch.isGradEnabled());
    }

    @Test
    void functionalGradAndSecondDerivative() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.tensor(new float[] {1, 2, 3}).requiresGrad_();
            Tensor y = x.pow(3).sum();
            List<Tensor> g = Torch.autograd.grad(List.of(y), List.of(x), null, false, true); // 3x^2
            assertArrayEquals(new float[] {3, 12, 27}, g.get(0).toFloatArray(), 1e-5f);
            List<Tensor> gg = Torch.autograd.grad(g.get(0).sum(), List.of(x)); // 6x
            assertArrayEquals(new float[] {6, 12, 18}, gg.get(0).toFloatArray(), 1e-5f);
            assertNull(x.grad(), "functional grad does not touch .grad");
        }
    }

    @Test
    void functionalGradGivesNullForUnusedInputs() {
        try (Scope s = Torch.scope()) {
            Tensor a = Torch.ones(2).requiresGrad_();
            Tensor b = Torch.ones(2).requiresGrad_();
            List<Tensor> g = Torch.autograd.grad(List.of(a.mul(2).sum()), List.of(a, b), null, false, false);
            assertArrayEquals(new float[] {2, 2}, g.get(0).toFloatArray());
            assertNull(g.get(1));
        }
    }

    @Test
    void trainingLoopConvergesWithManualSgd() {
        // Fit y = 3x - 1 with autograd and an SGD step under noGrad.
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(0);
            Tensor x = Torch.linspace(-1, 1, 32).unsqueeze(1);
            Tensor y = x.mul(3).sub(1);
            Tensor w = Torch.zeros(1, 1).requiresGrad_();
            Tensor b = Torch.zeros(1).requiresGrad_();
            for (int i = 0; i < 300; i++) {
                try (Scope it = Torch.scope()) {
                    Tensor loss = x.matmul(w).add(b).sub(y).square().mean();
                    loss.backward();
                    try (GradMode g = Torch.noGrad()) {
                        w.sub_(w.grad().mul(0.1));
                        b.sub_(b.grad().mul(0.1));
                    }
                    w.zeroGrad();
                    b.zeroGrad();
                }
            }
            assertEquals(3.0, w.item(), 1e-3);
            assertEquals(-1.0, b.item(), 1e-3);
        }
    }
}
