package dev.torch4j.kernels;

import java.util.Arrays;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Per-output-channel symmetric int8 weights for {@link Kernels#int8Linear}: {@code weight} int8 {@code [out, in]}
 * and {@code scales} float32 {@code [out]}, with {@code w[o, k] ~ weight[o, k] * scales[o]}, plus (CPU weights on a
 * CPU with AVX-512 VNNI) the same weights in the kernel's VNNI layout with their per-channel sums. Owns all of them;
 * closing twice is safe, use after close throws {@link IllegalStateException}.
 *
 * <p>Error model. Weight rounding: {@code |w - q s| <= s / 2} elementwise, so against the float32 linear
 * {@code |y - y_fp32| <= s[o] / 2 sum_k |x[r, k]|}. When {@link #quantizesActivations()} the kernel also rounds each
 * activation row to uint8 with {@code sx[r] = (max(x[r, :], 0) - min(x[r, :], 0)) / 255}, {@code |x - x^| <= sx[r] / 2},
 * adding at most {@code s[o] sx[r] / 2 sum_k |q[o, k]|} (the int32 products themselves are exact). Both are worst
 * cases; with independent rounding errors the typical error is roughly {@code 1 / sqrt(in)} of them.
 */
public final class Int8Weights implements AutoCloseable {
    private Tensor weight;
    private Tensor scales;
    private Tensor packed;  // uint8 VNNI layout of weight, or null (exact path)

    private Int8Weights(Tensor weight, Tensor scales, Tensor packed) {
        this.weight = weight;
        this.scales = scales;
        this.packed = packed;
    }

    /**
     * Quantizes float32 {@code [out, in]} weights row by row: {@code scale = max|w[o, :]| / 127},
     * {@code q = clamp(round(w / scale), -127, 127)} with round-half-to-even (as {@code torch.round}); an all-zero
     * row gets scale 0 and zeros. Then {@code |w - q * scale| <= scale / 2} elementwise. The result lives on the
     * weights' device; on a CPU with AVX-512 VNNI it also holds the packed layout, so that {@link Kernels#int8Linear}
     * quantizes activations ({@link #quantizesActivations()}).
     */
    public static Int8Weights quantize(Tensor weightFloat) {
        if (weightFloat == null) throw new NullPointerException("weightFloat must not be null");
        if (weightFloat.isClosed()) throw new IllegalStateException("weightFloat is a closed tensor");
        if (weightFloat.dtype() != DType.FLOAT32)
            throw new IllegalArgumentException("weightFloat: expected dtype torch.float32, got " + weightFloat.dtype().pytorchName());
        if (weightFloat.dim() != 2)
            throw new IllegalArgumentException("weightFloat: expected shape [out, in], got " + Arrays.toString(weightFloat.shape()));
        try (var noGrad = Torch.noGrad(); Scope s = Torch.scope()) {
            Tensor w = weightFloat.detach();
            Tensor scale = w.abs().amax(new long[] {1}, true).div(127.0);              // [out, 1]
            Tensor q = w.div(scale.clampMin(Float.MIN_NORMAL)).round().clamp(-127, 127).to(DType.INT8).contiguous();
            Tensor scales = scale.reshape(weightFloat.size(0)).contiguous();
            Tensor packed = Kernels.int8Pack(q);
            return new Int8Weights(s.keep(q), s.keep(scales), packed == null ? null : s.keep(packed));
        }
    }

    /**
     * Wraps existing quantized weights (int8 {@code [out, in]} and float32 {@code [out]}, contiguous, on one device),
     * taking ownership of both. No packed layout is made: {@link Kernels#int8Linear} runs the exact path (float32
     * activations, weights dequantized exactly) on any CPU. See {@link #of(Tensor, Tensor, boolean)}.
     */
    public static Int8Weights of(Tensor weight, Tensor scales) {
        return of(weight, scales, false);
    }

    /**
     * As {@link #of(Tensor, Tensor)}; when {@code quantizeActivations} and the weights are on a CPU with AVX-512 VNNI
     * ({@code Kernels.cpuIsa()} is {@code "avx512_vnni"}) and {@code in <= 65536}, also makes the packed layout so that
     * the kernel quantizes activations (see {@link #quantizesActivations()}); otherwise the same as the two-argument form.
     */
    public static Int8Weights of(Tensor weight, Tensor scales, boolean quantizeActivations) {
        if (weight == null || scales == null) throw new NullPointerException("weight and scales must not be null");
        if (weight.dtype() != DType.INT8)
            throw new IllegalArgumentException("weight: expected dtype torch.int8, got " + weight.dtype().pytorchName());
        if (scales.dtype() != DType.FLOAT32)
            throw new IllegalArgumentException("scales: expected dtype torch.float32, got " + scales.dtype().pytorchName());
        if (weight.dim() != 2) throw new IllegalArgumentException("weight: expected shape [out, in], got " + Arrays.toString(weight.shape()));
        if (scales.dim() != 1 || scales.size(0) != weight.size(0))
            throw new IllegalArgumentException("scales: expected shape [" + weight.size(0) + "], got " + Arrays.toString(scales.shape()));
        if (!weight.isContiguous() || !scales.isContiguous())
            throw new IllegalArgumentException("weight and scales: expected contiguous tensors");
        if (!weight.device().equals(scales.device()))
            throw new IllegalArgumentException("scales: expected device " + weight.device() + " (as weight), got " + scales.device());
        return new Int8Weights(weight, scales, quantizeActivations ? Kernels.int8Pack(weight) : null);
    }

    /**
     * Rows ({@code x.numel() / in}) up to which models serve a layer with the exact path of {@link Kernels#int8Linear}
     * (no {@link #quantizesActivations()}): its GEMV reads a quarter of the float32 weight bytes, while for more rows
     * LibTorch's blocked float32 GEMM on the dequantized weights is faster. The VNNI path is faster than that GEMM at
     * every row count measured (tests/jmh/RESULTS-kernels.md), so it serves any number of rows.
     */
    public static final long KERNEL_MAX_ROWS = 4;

    /**
     * Whether a model layer should run {@link Kernels#int8Linear} on x: x is float32 on these weights' device, has at
     * most {@link #KERNEL_MAX_ROWS} rows unless {@link #quantizesActivations()}, and no autograd graph is being recorded
     * (grad mode off, or neither x nor {@code floatWeight}, the layer's float parameter, requires grad). Otherwise the
     * layer runs its float32 composite.
     */
    public boolean serves(Tensor x, Tensor floatWeight) {
        return canServe(x, floatWeight) && (packed != null || x.numel() / inFeatures() <= KERNEL_MAX_ROWS);
    }

    /**
     * {@link #serves} without the row limit: for a layer whose float path runs different weights (an int8 copy kept
     * beside float32 weights, as GPT-2's tied head), so that every row count must take the kernel for the model to
     * stay one model.
     */
    public boolean canServe(Tensor x, Tensor floatWeight) {
        if (x.dtype() != DType.FLOAT32 || !x.device().equals(weight().device()) || x.dim() < 1) return false;
        if (Torch.isGradEnabled() && (x.requiresGrad() || (floatWeight != null && floatWeight.requiresGrad()))) return false;
        return inFeatures() > 0;
    }

    /**
     * Whether {@link Kernels#int8Linear} quantizes each activation row to uint8 and multiplies in int32 (AVX-512 VNNI,
     * packed layout present), rather than dequantizing the weights exactly; see the error model above.
     */
    public boolean quantizesActivations() {
        weight();
        return packed != null;
    }

    /** The uint8 VNNI layout of {@link #weight()} (owned by this object), or null when the exact path runs. */
    Tensor packed() {
        weight();
        return packed;
    }

    /**
     * {@link #quantize} whose tensors belong to no {@link Scope}, for a model layer that keeps them: the caller closes
     * the result.
     */
    public static Int8Weights quantizeOwned(Tensor weightFloat) {
        Int8Weights q = quantize(weightFloat);
        Scope.release(q.weight);
        Scope.release(q.scales);
        if (q.packed != null) Scope.release(q.packed);
        return q;
    }

    /**
     * Quantizes a layer's float32 weights in place: returns {@link #quantize} of {@code weight} ({@code [out, in]}, or
     * {@code [in, out]} when {@code transposed}, as GPT-2's Conv1D) and overwrites {@code weight} with the dequantized
     * values, so that the layer's float path (autograd, many rows) and the int8 kernel compute the same model. The result
     * belongs to no {@link Scope}: the caller closes it.
     */
    public static Int8Weights quantizeInPlace(Tensor weight, boolean transposed) {
        try (var noGrad = Torch.noGrad()) {
            Int8Weights q;
            try (Tensor w = transposed ? weight.t() : weight.detach()) {
                q = quantizeOwned(w);
            }
            try (Tensor deq = q.dequantize(); Tensor src = transposed ? deq.t() : deq.detach()) {
                weight.copy_(src);
            } catch (RuntimeException e) {
                q.close();
                throw e;
            }
            return q;
        }
    }

    /** int8 {@code [out, in]}, owned by this object. */
    public Tensor weight() {
        if (weight == null) throw new IllegalStateException("Int8Weights is closed");
        return weight;
    }

    /** float32 {@code [out]}, owned by this object. */
    public Tensor scales() {
        if (scales == null) throw new IllegalStateException("Int8Weights is closed");
        return scales;
    }

    public long outFeatures() {
        return weight().size(0);
    }

    public long inFeatures() {
        return weight().size(1);
    }

    /** {@code weight * scales[:, None]} as a new float32 {@code [out, in]} tensor. */
    public Tensor dequantize() {
        try (Tensor wf = weight().to(DType.FLOAT32); Tensor s = scales().unsqueeze(1)) {
            return wf.mul(s);
        }
    }

    /**
     * Compares {@link Kernels#int8Linear} on x with the float32 linear {@code x @ weightFloat^T + bias} (bias may be
     * null); weightFloat is what these weights were quantized from. The error includes weight rounding and, when
     * {@link #quantizesActivations()}, activation rounding (see the error model above).
     */
    public Int8AccuracyReport accuracyReport(Tensor x, Tensor weightFloat, Tensor bias) {
        try (var noGrad = Torch.noGrad(); Scope s = Torch.scope()) {
            Tensor ref = x.matmul(weightFloat.t());
            if (bias != null) ref = ref.add(bias);
            Tensor got = Kernels.int8Linear(x, this, bias);
            Tensor err = got.sub(ref).abs();
            Tensor mag = ref.abs();
            if (err.numel() == 0) return new Int8AccuracyReport(0, 0, 0, 0);
            return new Int8AccuracyReport(err.max().item(), err.mean().item(), mag.max().item(), mag.mean().item());
        }
    }

    @Override
    public void close() {
        if (weight != null) weight.close();
        if (scales != null) scales.close();
        if (packed != null) packed.close();
        weight = null;
        scales = null;
        packed = null;
    }
}
