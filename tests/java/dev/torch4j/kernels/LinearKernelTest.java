package dev.torch4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** torch4j's float32 linear kernel against LibTorch's {@code F.linear} (+ GELU), both weight layouts. */
class LinearKernelTest {
    static Stream<Arguments> cases() {
        // {x dims..., in, out}: up to 4 rows is the GEMV path, more the packed GEMM (12-row tiles, 32-column panels).
        return Stream.of(new long[] {1, 1, 1}, new long[] {1, 768, 301}, new long[] {2, 33, 17}, new long[] {4, 100, 64},
                new long[] {5, 7, 3}, new long[] {2, 7, 64, 65}, new long[] {13, 513, 33}, new long[] {1, 1, 40, 130},
                new long[] {0, 16, 4}, new long[] {3, 0, 5}).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesLibTorchLinearForBothLayoutsAndActivations(long[] dims) {
        long in = dims[dims.length - 2], out = dims[dims.length - 1];
        long[] xShape = Arrays.copyOf(dims, dims.length - 1);
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(in * 7 + out);
            Tensor x = Torch.randn(xShape);
            Tensor w = Torch.randn(out, in).mul(0.1);
            Tensor bias = Torch.randn(out);
            for (Kernels.Activation act : Kernels.Activation.values())
                for (boolean withBias : new boolean[] {true, false}) {
                    Tensor b = withBias ? bias : null;
                    String what = Arrays.toString(xShape) + " x [" + out + ", " + in + "] " + act + " bias=" + withBias;
                    Tensor lin = F.linear(x, w, b);
                    Tensor ref = switch (act) {
                        case NONE -> lin;
                        case GELU -> F.gelu(lin);
                        case GELU_TANH -> F.gelu(lin, "tanh");
                    };
                    // float32 summation error scales with sum_k |x_k w_k| (+|b|), not with the cancelling result.
                    Tensor absTerms = x.abs().matmul(w.abs().t());
                    if (b != null) absTerms = absTerms.add(b.abs());
                    Tensor tol = absTerms.mul(1.13 * 1.3e-6).add(ref.abs().mul(1.3e-6)).add(1e-5);
                    Tensor a = Kernels.linear(x, w, b, Kernels.WeightLayout.OUT_IN, act);
                    long[] yShape = xShape.clone();
                    yShape[yShape.length - 1] = out;
                    assertArrayEquals(yShape, a.shape(), what);
                    assertWithin(ref, a, tol, "OUT_IN " + what);
                    Tensor t = Kernels.linear(x, w.t().contiguous(), b, Kernels.WeightLayout.IN_OUT, act);
                    assertWithin(ref, t, tol, "IN_OUT " + what);
                }
        }
    }

    private static void assertWithin(Tensor expected, Tensor actual, Tensor tolerance, String what) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray(), t = tolerance.expand(expected.shape()).toDoubleArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++)
            assertTrue(Math.abs(a[i] - e[i]) <= t[i],
                    String.format("%s: element %d expected %.9g got %.9g (|diff| %.3g > %.3g)", what, i, e[i], a[i], Math.abs(a[i] - e[i]), t[i]));
    }

    @Test
    void nonContiguousInputsAreCopiedAndResultsDoNotDependOnThreads() {
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(3);
            Tensor x = Torch.randn(40, 70).t();                      // [70, 40], not contiguous
            Tensor w = Torch.randn(50, 40);
            Tensor ref = Kernels.linear(x.contiguous(), w, null, Kernels.WeightLayout.OUT_IN, Kernels.Activation.NONE);
            assertTrue(ref.equal(Kernels.linear(x, w, null, Kernels.WeightLayout.OUT_IN, Kernels.Activation.NONE)));
            int old = Torch.getNumThreads();
            try {
                for (long rows : new long[] {1, 3, 70}) {
                    Tensor xr = x.narrow(0, 0, rows);
                    Torch.setNumThreads(1);
                    Tensor one = Kernels.linear(xr, w.t(), null, Kernels.WeightLayout.IN_OUT, Kernels.Activation.GELU);
                    Torch.setNumThreads(2);
                    Tensor two = Kernels.linear(xr, w.t(), null, Kernels.WeightLayout.IN_OUT, Kernels.Activation.GELU);
                    assertTrue(one.equal(two), "rows " + rows);
                }
            } finally {
                Torch.setNumThreads(old);
            }
        }
    }

    @Test
    void badInputFailsWithClearJavaExceptions() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.randn(2, 4), w = Torch.randn(3, 4), b = Torch.randn(3);
            var none = Kernels.Activation.NONE;
            var outIn = Kernels.WeightLayout.OUT_IN;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(x, w, b, Kernels.WeightLayout.IN_OUT, none));
            assertTrue(e.getMessage().contains("x: expected shape [..., 3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(x, w, Torch.randn(4), outIn, none));
            assertTrue(e.getMessage().contains("bias: expected shape [3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(x, Torch.randn(3, 4, 1), b, outIn, none));
            assertTrue(e.getMessage().contains("weight: expected a 2-D tensor"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(x.to(DType.FLOAT64), w, b, outIn, none));
            assertTrue(e.getMessage().contains("x: expected dtype torch.float32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(Torch.randn(0), w, b, outIn, none));
            assertTrue(e.getMessage().contains("x: expected shape"), e.getMessage());
            Tensor wg = Torch.randn(3, 4).requiresGrad_();
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(x, wg, b, outIn, none));
            assertTrue(e.getMessage().contains("weight: linear has no autograd graph"), e.getMessage());
            try (var ng = Torch.noGrad()) {
                Kernels.linear(x, wg, b, outIn, none).close();    // parameters feed the kernel under no-grad
            }
            assertThrows(NullPointerException.class, () -> Kernels.linear(x, w, b, null, none));
            assertThrows(NullPointerException.class, () -> Kernels.linear(null, w, b, outIn, none));
            Tensor closed = Torch.randn(3, 4);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Kernels.linear(x, closed, b, outIn, none));
        }
    }
}
