package dev.torch4j.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;

import dev.torch4j.DType;
import dev.torch4j.Fixtures;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fused bias + GELU against LibTorch's {@code x.add(bias).gelu(approximate)} and its autograd backward. */
class BiasGeluTest {
    private static final double RTOL = 1.3e-6, ATOL = 1e-5;

    static Stream<Arguments> cases() {
        long[][] shapes = {{1, 1}, {1, 7}, {3, 15}, {2, 16}, {5, 17}, {4, 33}, {2, 3, 67}, {7, 768}, {0, 5}, {3, 0}, {1000}};
        return Stream.of("none", "tanh").flatMap(a -> Arrays.stream(shapes).map(s -> Arguments.of(a, s)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardAndBackwardMatchTheComposite(String approximate, long[] shape) {
        String what = approximate + " " + Arrays.toString(shape);
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(31L * shape.length + shape[shape.length - 1]);
            long cols = shape[shape.length - 1];
            Tensor x = Torch.randn(shape).mul(3);
            Tensor bias = Torch.randn(cols);
            Tensor dy = Torch.randn(shape);
            Fixtures.assertClose(x.add(bias).gelu(approximate), Kernels.biasGelu(x, bias, approximate), RTOL, ATOL, "forward " + what);

            Tensor xl = x.clone().requiresGrad_(), bl = bias.clone().requiresGrad_();
            xl.add(bl).gelu(approximate).backward(dy);
            Tensor wantDx = xl.grad(), wantDb = bl.grad();
            Fixtures.assertClose(wantDx, Kernels.biasGeluBackward(dy, x, bias, approximate), RTOL, ATOL, "dx " + what);
            try (BiasGeluGrads g = Kernels.biasGeluBackwardWithBiasGrad(dy, x, bias, approximate)) {
                Fixtures.assertClose(wantDx, g.dx(), RTOL, ATOL, "dx with db " + what);
                // A sum over rows: both sides' float32 rounding scales with sum |terms|, not with the (cancelling) sum,
                // so the bound is atol + rtol * sum_rows |dx| per column.
                double[] want = wantDb.toDoubleArray(), got = g.dbias().toDoubleArray();
                double[] absSum = wantDx.abs().reshape(-1, Math.max(cols, 1)).sum(0).toDoubleArray();
                for (int c = 0; c < want.length; c++)
                    assertTrue(Math.abs(got[c] - want[c]) <= ATOL + RTOL * absSum[c],
                            "db " + what + " column " + c + ": expected " + want[c] + " got " + got[c]);
            }
        }
    }

    // Large enough for the kernel to split rows over its pool; the contiguous inputs are used in place, not closed.
    @Test
    void severalThreadsMatchTheComposite() {
        int before = Torch.getNumThreads();
        try (Scope s = Torch.scope()) {
            Torch.setNumThreads(2);
            Torch.manualSeed(8);
            Tensor x = Torch.randn(256, 1536).mul(3), bias = Torch.randn(1536);
            for (String a : new String[] {"none", "tanh"})
                Fixtures.assertClose(x.add(bias).gelu(a), Kernels.biasGelu(x, bias, a), RTOL, ATOL, "2 threads " + a);
            assertTrue(!x.isClosed() && !bias.isClosed(), "inputs stay open");
        } finally {
            Torch.setNumThreads(before);
        }
    }

    @Test
    void tailsStayFinite() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.tensor(new float[] {-1e30f, -100, -20, -8, -5, -0f, 0, 1e-30f, 5, 20, 100, 1e30f}, 1, 12);
            Tensor bias = Torch.zeros(12);
            for (String a : new String[] {"none", "tanh"}) {
                Tensor y = Kernels.biasGelu(x, bias, a);
                Tensor dx = Kernels.biasGeluBackward(Torch.onesLike(x), x, bias, a);
                assertTrue(y.isnan().logicalOr(y.isinf()).sum().item() == 0 && dx.isnan().logicalOr(dx.isinf()).sum().item() == 0, a);
                Fixtures.assertClose(x.gelu(a), y, RTOL, ATOL, "tails " + a);
            }
        }
    }

    @Test
    void nonContiguousInputsAreHandled() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.randn(9, 6).t();                  // [6, 9], strided
            Tensor bias = Torch.randn(9, 2).select(1, 0);      // [9], stride 2
            Fixtures.assertClose(x.add(bias).gelu("none"), Kernels.biasGelu(x, bias, "none"), RTOL, ATOL, "strided");
        }
    }

    @Test
    void invalidArgumentsAreRejectedBeforeNativeCode() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.randn(3, 4), b = Torch.randn(4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.biasGelu(x, Torch.randn(5), "none"));
            assertTrue(e.getMessage().contains("bias: expected shape [4]") && e.getMessage().contains("[5]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.biasGelu(x, b, "erf"));
            assertTrue(e.getMessage().contains("approximate"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.biasGelu(x.clone().requiresGrad_(), b, "none"));
            assertTrue(e.getMessage().contains("must not require grad") && e.getMessage().contains("composite"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Kernels.biasGelu(x, b.clone().requiresGrad_(), "tanh"));
            assertThrows(IllegalArgumentException.class, () -> Kernels.biasGelu(x.to(DType.FLOAT64), b, "none"));
            assertThrows(IllegalArgumentException.class, () -> Kernels.biasGelu(Torch.scalarTensor(1.0).to(DType.FLOAT32), Torch.randn(1), "none"));
            assertThrows(IllegalArgumentException.class, () -> Kernels.biasGeluBackward(Torch.randn(3, 5), x, b, "none"));
            Tensor closed = Torch.randn(4);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Kernels.biasGelu(x, closed, "none"));
            assertThrows(NullPointerException.class, () -> Kernels.biasGelu(null, b, "none"));
            try (BiasGeluGrads g = Kernels.biasGeluBackwardWithBiasGrad(Torch.ones(3, 4), x, b, "none")) {
                g.takeDx().close();
                assertThrows(IllegalStateException.class, g::dx);
            }
        }
    }
}
