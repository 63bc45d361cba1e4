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

/**
 * Int8 weight-only linear: quantization rules, both kernel paths (exact dequantization; VNNI with quantized
 * activations) against the dequantized float linear under their error bounds, dispatch, bad input.
 */
class Int8LinearTest {
    static Stream<Arguments> cases() {
        // {rows..., in, out}: odd sizes, non-multiples of 4 / 16 / 64, rows 1..37 (GEMV and every GEMM row tail).
        return Stream.of(new long[] {1, 1, 1}, new long[] {1, 17, 5}, new long[] {1, 768, 301}, new long[] {2, 33, 4},
                new long[] {3, 100, 13}, new long[] {5, 7, 3}, new long[] {2, 3, 64, 65}, new long[] {9, 257, 130},
                new long[] {0, 16, 4}, new long[] {4, 63, 17}, new long[] {6, 129, 47}, new long[] {7, 5, 16},
                new long[] {11, 66, 95}, new long[] {37, 150, 70}, new long[] {1, 3, 384, 33}).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void bothPathsMatchTheDequantizedLinearWithinTheirBounds(long[] dims) {
        long in = dims[dims.length - 2], out = dims[dims.length - 1];
        long[] xShape = Arrays.copyOf(dims, dims.length - 1);
        String what = Arrays.toString(xShape) + " x [" + out + ", " + in + "]";
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(in * 31 + out);
            Tensor w = Torch.randn(out, in).mul(0.1);
            // Every third activation made positive and larger: skewed rows, as after a GELU, move the zero point.
            Tensor x = Torch.randn(xShape);
            x = x.add(x.abs().mul(Torch.rand(xShape).lt(0.33).to(DType.FLOAT32)));
            Tensor bias = Torch.randn(out);
            try (Int8Weights wq = Int8Weights.quantize(w);
                 Int8Weights exact = Int8Weights.of(wq.weight().clone(), wq.scales().clone())) {
                assertTrue(!exact.quantizesActivations());
                Tensor wd = wq.dequantize();
                Tensor ref = x.matmul(wd.t()).add(bias);
                // float32 summation: atol + rtol * sum_k |x_k w_k| (the terms, not the cancelling result).
                Tensor absTerms = x.abs().matmul(wd.abs().t()).add(bias.abs());
                Tensor summation = absTerms.mul(1.3e-6).add(1e-5);

                // 1. Exact path: the float linear on the dequantized weights up to float32 summation order.
                Tensor yExact = Kernels.int8Linear(x, exact, bias);
                long[] yShape = xShape.clone();
                yShape[yShape.length - 1] = out;
                assertArrayEquals(yShape, yExact.shape(), what);
                assertWithin(ref, yExact, summation, "exact path vs dequantized " + what);

                // 2. Default path (VNNI where the CPU has it): plus activation rounding, scale_o sx_r / 2 sum_k |q_ok|
                //    with sx_r = (max(x_r, 0) - min(x_r, 0)) / 255.
                Tensor y = Kernels.int8Linear(x, wq, bias);
                Tensor activation = activationBound(x, wq);
                Tensor pathBound = wq.quantizesActivations() ? summation.add(activation) : summation;
                assertWithin(ref, y, pathBound, (wq.quantizesActivations() ? "vnni" : "exact") + " path vs dequantized " + what);

                // 3. Against the original float weights add the weight rounding: sum_k |x_k| scale_o / 2.
                Tensor yFloat = x.matmul(w.t()).add(bias);
                Tensor weightBound = x.abs().sum(-1, true).mul(wq.scales()).mul(0.5);
                assertWithin(yFloat, y, pathBound.add(weightBound).add(absTerms.mul(1.3e-6)), "vs float32 " + what);
            }
        }
    }

    /** {@code [..., out]}: scale_o sx_r / 2 sum_k |q_ok|, the worst case of the VNNI path's activation rounding. */
    static Tensor activationBound(Tensor x, Int8Weights wq) {
        long[] last = {x.dim() - 1};
        Tensor sx = x.clampMin(0).amax(last, true).sub(x.clampMax(0).amin(last, true)).div(255.0);   // [..., 1]
        Tensor absQ = wq.weight().to(DType.FLOAT32).abs().sum(1, false);                              // [out]
        return sx.mul(absQ.mul(wq.scales())).mul(0.5 * (1 + 1e-5));
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
                // Weight rounding plus, on the VNNI path, activation rounding (see Int8Weights).
                double bound = x.abs().sum(-1, false).max().item() * q.scales().max().item() / 2
                        + (q.quantizesActivations() ? activationBound(x, q).max().item() : 0) + 1e-4;
                assertTrue(r.maxAbsError() > 0 && r.maxAbsError() <= bound, r + " bound " + bound);
                assertTrue(r.meanAbsError() <= r.maxAbsError() && r.relativeMaxError() < 0.05, r.toString());
            }
        }
    }

    @Test
    void quantizeUsesVnniExactlyWhenTheCpuHasItAndModelsRouteRowsByPath() {
        try (Scope s = Torch.scope(); Int8Weights q = Int8Weights.quantize(Torch.randn(40, 24));
             Int8Weights exact = Int8Weights.of(q.weight().clone(), q.scales().clone());
             Int8Weights asked = Int8Weights.of(q.weight().clone(), q.scales().clone(), true)) {
            boolean vnni = Kernels.cpuIsa().equals("avx512_vnni");
            assertEquals(vnni, q.quantizesActivations(), Kernels.cpuIsa());
            assertEquals(vnni, asked.quantizesActivations(), Kernels.cpuIsa());
            assertTrue(!exact.quantizesActivations());
            Tensor x = Torch.randn(3, 24);
            // The VNNI path quantizes x, so it differs from the exact one (by far less than the bound); else the same bits.
            float[] a = Kernels.int8Linear(x, q, null).toFloatArray(), e = Kernels.int8Linear(x, exact, null).toFloatArray();
            assertEquals(!vnni, Arrays.equals(a, e), "paths agree bitwise iff there is no VNNI");
            assertArrayEquals(a, Kernels.int8Linear(x, asked, null).toFloatArray());
            // Each row is quantized on its own: a row's result does not depend on the rows beside it.
            Tensor many = Torch.randn(20, 24);
            Tensor rows = Kernels.int8Linear(many, q, null);
            assertArrayEquals(Kernels.int8Linear(many.narrow(0, 7, 1), q, null).toFloatArray(), rows.narrow(0, 7, 1).toFloatArray());
            // Models route prompts (> KERNEL_MAX_ROWS rows) to the kernel only on the VNNI path.
            Tensor prompt = Torch.randn(1, Int8Weights.KERNEL_MAX_ROWS + 1, 24);
            assertEquals(vnni, q.serves(prompt, null));
            assertTrue(!exact.serves(prompt, null) && exact.serves(prompt.narrow(1, 0, 4), null));
            assertTrue(exact.canServe(prompt, null) && q.canServe(prompt, null), "canServe has no row limit");
            // While a graph is recorded the float path runs, whatever the rows.
            Tensor floatWeight = Torch.randn(40, 24).requiresGrad_();
            assertTrue(!q.serves(x, floatWeight) && !q.canServe(x, floatWeight));
        }
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        int before = Torch.getNumThreads();
        try (Scope s = Torch.scope(); Int8Weights q = Int8Weights.quantize(Torch.randn(300, 200))) {
            for (long rows : new long[] {4, 19}) {
                Tensor x = Torch.randn(rows, 200);
                Torch.setNumThreads(1);
                float[] one = Kernels.int8Linear(x, q, null).toFloatArray();
                Torch.setNumThreads(2);
                assertArrayEquals(one, Kernels.int8Linear(x, q, null).toFloatArray(), rows + " rows");
            }
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
            assertThrows(IllegalArgumentException.class, () -> Int8Weights.of(Torch.randn(4, 6), Torch.ones(4), true));
            assertThrows(IllegalArgumentException.class,
                    () -> Int8Weights.of(Torch.zeros(new long[] {4, 6}, DType.INT8), Torch.ones(3), true));
            // A NaN activation gives NaN outputs on both paths, never a crash or a silent number.
            Tensor nan = Torch.tensor(new float[] {1, Float.NaN, 2, 3, 4, 5}, 1, 6);
            for (float v : Kernels.int8Linear(nan, q, null).toFloatArray()) assertTrue(Float.isNaN(v));
            Int8Weights closed = Int8Weights.quantize(Torch.randn(2, 2));
            closed.close();
            closed.close();
            assertThrows(IllegalStateException.class, () -> Kernels.int8Linear(Torch.randn(1, 2), closed, null));
            assertThrows(IllegalStateException.class, closed::quantizesActivations);
        }
    }
}
