package dev.torch4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;

import dev.torch4j.DType;
import dev.torch4j.Fixtures;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fused residual add + LayerNorm against {@code F.layerNorm(x.add(residual), ...)}. */
class AddLayerNormTest {
    private static final double RTOL = 1.3e-6, ATOL = 1e-5;
    // bf16 outputs: one rounding to 8 significant bits on each side can land on neighbouring values
    // (torch.testing's bf16 default rtol is 1.6e-2).
    private static final double BF16_RTOL = 1.6e-2, BF16_ATOL = 1e-5;

    static Stream<Arguments> cases() {
        long[][] shapes = {{1, 1}, {1, 2}, {3, 7}, {2, 16}, {5, 17}, {4, 33}, {2, 3, 100}, {4, 768}, {0, 8}};
        return Stream.of(DType.FLOAT32, DType.BFLOAT16).flatMap(d -> Arrays.stream(shapes).map(s -> Arguments.of(d, s)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTheComposite(DType dtype, long[] shape) {
        String what = dtype.pytorchName() + " " + Arrays.toString(shape);
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(17L * shape.length + shape[shape.length - 1]);
            long cols = shape[shape.length - 1];
            Tensor x = Torch.randn(shape).mul(2).add(0.5).to(dtype);
            Tensor r = Torch.randn(shape).to(dtype);
            Tensor g = Torch.randn(cols).to(dtype), b = Torch.randn(cols).to(dtype);
            double eps = 1e-5;
            Tensor sum = x.add(r);
            Tensor want = F.layerNorm(sum, new long[] {cols}, g, b, eps);
            double rtol = dtype == DType.FLOAT32 ? RTOL : BF16_RTOL, atol = dtype == DType.FLOAT32 ? ATOL : BF16_ATOL;
            Tensor got = Kernels.addLayerNorm(x, r, g, b, eps);
            assertEquals(dtype, got.dtype());
            Fixtures.assertClose(want, got, rtol, atol, "out " + what);
            try (AddLayerNormResult both = Kernels.addLayerNormWithSum(x, r, g, b, eps)) {
                Fixtures.assertClose(want, both.out(), rtol, atol, "out with sum " + what);
                // The sum is one rounded addition on both sides: exactly equal.
                assertArrayEquals(sum.to(DType.FLOAT32).toFloatArray(), both.sum().to(DType.FLOAT32).toFloatArray(), "sum " + what);
            }
        }
    }

    // Large enough for the kernel to split rows over its pool; the contiguous inputs are used in place, not closed.
    @Test
    void severalThreadsMatchTheComposite() {
        int before = Torch.getNumThreads();
        try (Scope s = Torch.scope()) {
            Torch.setNumThreads(2);
            Torch.manualSeed(9);
            Tensor x = Torch.randn(512, 384), r = Torch.randn(512, 384), g = Torch.randn(384), b = Torch.randn(384);
            try (AddLayerNormResult got = Kernels.addLayerNormWithSum(x, r, g, b, 1e-5)) {
                Tensor sum = x.add(r);
                Fixtures.assertClose(F.layerNorm(sum, new long[] {384}, g, b, 1e-5), got.out(), RTOL, ATOL, "2 threads");
                assertArrayEquals(sum.toFloatArray(), got.sum().toFloatArray(), "sum on 2 threads");
            }
            assertTrue(!x.isClosed() && !r.isClosed() && !g.isClosed() && !b.isClosed(), "inputs stay open");
        } finally {
            Torch.setNumThreads(before);
        }
    }

    @Test
    void largeOffsetKeepsTheVariance() {
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(5);
            Tensor x = Torch.randn(3, 1000).add(300), r = Torch.randn(3, 1000);
            Tensor g = Torch.ones(1000), b = Torch.zeros(1000);
            // Compared in float64: at |mean| / std = 300 the float32 composite's own rounding is what dominates.
            Tensor sum = x.add(r);
            Tensor want = F.layerNorm(sum.to(DType.FLOAT64), new long[] {1000}, g.to(DType.FLOAT64), b.to(DType.FLOAT64), 1e-5);
            Fixtures.assertClose(want, Kernels.addLayerNorm(x, r, g, b, 1e-5), 1e-5, 1e-4, "offset 300");
        }
    }

    @Test
    void invalidArgumentsAreRejectedBeforeNativeCode() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.randn(2, 8), r = Torch.randn(2, 8), g = Torch.ones(8), b = Torch.zeros(8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Kernels.addLayerNorm(x, Torch.randn(2, 7), g, b, 1e-5));
            assertTrue(e.getMessage().startsWith("residual: expected shape [2, 8]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.addLayerNorm(x, r, Torch.ones(7), b, 1e-5));
            assertTrue(e.getMessage().startsWith("gamma: expected shape [8]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.addLayerNorm(x, r.to(DType.BFLOAT16), g, b, 1e-5));
            assertTrue(e.getMessage().contains("expected dtype torch.float32, got torch.bfloat16"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Kernels.addLayerNorm(x.to(DType.FLOAT64), r, g, b, 1e-5));
            assertThrows(IllegalArgumentException.class, () -> Kernels.addLayerNorm(x, r, g, b, -1));
            assertThrows(IllegalArgumentException.class, () -> Kernels.addLayerNorm(x, r, g.clone().requiresGrad_(), b, 1e-5));
            Tensor closed = Torch.zeros(8);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Kernels.addLayerNorm(x, r, g, closed, 1e-5));
        }
    }
}
