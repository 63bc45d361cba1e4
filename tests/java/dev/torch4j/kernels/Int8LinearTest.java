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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Int8 weight-only linear: quantization rules, agreement with the dequantized float linear, error bounds. */
class Int8LinearTest {
    static Stream<Arguments> cases() {
        // {rows..., in, out}: rows 1 is the GEMV path, more rows the GEMM path.
        return Stream.of(new long[] {1, 1, 1}, new long[] {1, 17, 5}, new long[] {1, 768, 301}, new long[] {2, 33, 4},
                new long[] {3, 100, 13}, new long[] {5, 7, 3}, new long[] {2, 3, 64, 65}, new long[] {9, 257, 130},
                new long[] {0, 16, 4}).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTheDequantizedLinearAndStaysWithinTheQuantizationBound(long[] dims) {
        long in = dims[dims.length - 2], out = dims[dims.length - 1];
        long[] xShape = Arrays.copyOf(dims, dims.length - 1);
        String what = Arrays.toString(xShape) + " x [" + out + ", " + in + "]";
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(in * 31 + out);
            Tensor w = Torch.randn(out, in).mul(0.1);
            try (Int8Weights wq = Int8Weights.quantize(w)) {
                Tensor x = Torch.randn(xShape);
                Tensor bias = Torch.randn(out);
                Tensor y = Kernels.int8Linear(x, wq, bias);
                long[] yShape = xShape.clone();
                yShape[yShape.length - 1] = out;
                assertArrayEquals(yShape, y.shape(), what);

                // 1. Same math as the float linear on the dequantized weights, up to float32 summation order:
                //    bounded by atol + rtol * sum_k |x_k w_k| (the terms, not the cancelling result).
                Tensor wd = wq.dequantize();
                Tensor ref = x.matmul(wd.t()).add(bias);
                Tensor absTerms = x.abs().matmul(wd.abs().t()).add(bias.abs());
                assertWithin(ref, y, absTerms.mul(1.3e-6).add(1e-5), "vs dequantized " + what);

                // 2. Against the original float weights: |y - y_fp32| <= sum_k |x_k| scale_o / 2 (+ rounding slack).
                Tensor yFloat = x.matmul(w.t()).add(bias);
                Tensor bound = x.abs().sum(-1, true).mul(wq.scales()).mul(0.5);
                assertWithin(yFloat, y, bound.add(absTerms.mul(2.6e-6)).add(2e-5), "vs float32 " + what);
            }
        }
    }

    private static void assertWithin(Tensor expected, Tensor actual, Tensor tolerance, String what) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray(), t = tolerance.expand(expected.shape()).toDoubleArray();
        for (int i = 0; i < e.length; i++)
            assertTrue(Math.abs(a[i] - e[i]) <= t[i],
                    String.format("%s: element %d expected %.9g got %.9g (|diff| %.3g > %.3g)", what, i, e[i], a[i], Math.abs(a[i] - e[i]), t[i]));
    }

    @Test
    void quantizeIsSymmetricPerRowWithHalfEvenRounding() {
        try (Scope s = Torch.scope()) {
            // Row 0: max 127 -> scale 1, so 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2 (half to even). Row 1: all zeros.
            Tensor w = Torch.tensor(new float[] {127, 0.5f, 1.5f, 2.5f, -2.5f, 0, 0, 0, 0, 0}, 2, 5);
            try (Int8Weights q = Int8Weights.quantize(w)) {
                assertEquals(DType.INT8, q.weight().dtype());
                assertArrayEquals(new long[] {127, 0, 2, 2, -2, 0, 0, 0, 0, 0}, q.weight().toLongArray());
                assertArrayEquals(new float[] {1, 0}, q.scales().toFloatArray());
                Tensor y = Kernels.int8Linear(Torch.ones(1, 5), q, null);
                assertArrayEquals(new float[] {129, 0}, y.toFloatArray());
            }
            Tensor r = Torch.randn(7, 19);
            try (Int8Weights q = Int8Weights.quantize(r)) {
                Tensor err = q.dequantize().sub(r).abs();
                Tensor halfStep = q.scales().unsqueeze(1).mul(0.5 + 1e-6);
                assertEquals(0.0, err.gt(halfStep).sum().item(), "|w - q s| <= s / 2");
                assertEquals(127.0, q.weight().abs().amax(new long[] {1}, false).min().item(), "each row reaches 127");
            }
        }
    }

    @Test
    void accuracyReportIsWithinTheAnalyticalBound() {
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(3);
            Tensor w = Torch.randn(64, 256).mul(0.05), x = Torch.randn(8, 256);
            try (Int8Weights q = Int8Weights.quantize(w)) {
                Int8AccuracyReport r = q.accuracyReport(x, w, null);
                double bound = x.abs().sum(-1, false).max().item() * q.scales().max().item() / 2;
                assertTrue(r.maxAbsError() > 0 && r.maxAbsError() <= bound, r + " bound " + bound);
                assertTrue(r.meanAbsError() <= r.maxAbsError() && r.relativeMaxError() < 0.05, r.toString());
            }
        }
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        int before = Torch.getNumThreads();
        try (Scope s = Torch.scope(); Int8Weights q = Int8Weights.quantize(Torch.randn(300, 200))) {
            Tensor x = Torch.randn(4, 200);
            Torch.setNumThreads(1);
            float[] one = Kernels.int8Linear(x, q, null).toFloatArray();
            Torch.setNumThreads(2);
            assertArrayEquals(one, Kernels.int8Linear(x, q, null).toFloatArray());
        } finally {
            Torch.setNumThreads(before);
        }
    }

    @Test
    void invalidArgumentsAreRejectedBeforeNativeCode() {
        try (Scope s = Torch.scope(); Int8Weights q = Int8Weights.quantize(Torch.randn(4, 6))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.int8Linear(Torch.randn(2, 5), q, null));
            assertTrue(e.getMessage().contains("expected shape [..., 6]") && e.getMessage().contains("[2, 5]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.int8Linear(Torch.randn(2, 6), q, Torch.randn(3)));
            assertTrue(e.getMessage().startsWith("bias: expected shape [4]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Kernels.int8Linear(Torch.randn(2, 6).to(DType.FLOAT64), q, null));
            assertThrows(IllegalArgumentException.class, () -> Kernels.int8Linear(Torch.randn(2, 6).requiresGrad_(), q, null));
            assertThrows(IllegalArgumentException.class, () -> Int8Weights.quantize(Torch.randn(3)));
            assertThrows(IllegalArgumentException.class, () -> Int8Weights.of(Torch.randn(4, 6), Torch.ones(4)));
            Int8Weights closed = Int8Weights.quantize(Torch.randn(2, 2));
            closed.close();
            closed.close();
            assertThrows(IllegalStateException.class, () -> Kernels.int8Linear(Torch.randn(1, 2), closed, null));
        }
    }
}
