package dev.torch4j.kernels;

import java.util.Arrays;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Per-output-channel symmetric int8 weights for {@link Kernels#int8Linear}: {@code weight} int8 {@code [out, in]}
 * and {@code scales} float32 {@code [out]}, with {@code w[o, k] ~ weight[o, k] * scales[o]}. Owns both tensors;
 * closing twice is safe, use after close throws {@link IllegalStateException}.
 */
public final class Int8Weights implements AutoCloseable {
    private Tensor weight;
    private Tensor scales;

    private Int8Weights(Tensor weight, Tensor scales) {
        this.weight = weight;
        this.scales = scales;
    }

    /**
     * Quantizes float32 {@code [out, in]} weights row by row: {@code scale = max|w[o, :]| / 127},
     * {@code q = clamp(round(w / scale), -127, 127)} with round-half-to-even (as {@code torch.round}); an all-zero
     * row gets scale 0 and zeros. Then {@code |w - q * scale| <= scale / 2} elementwise. The result lives on the
     * weights' device.
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
            return new Int8Weights(s.keep(q), s.keep(scales));
        }
    }

    /**
     * Wraps existing quantized weights (int8 {@code [out, in]} and float32 {@code [out]}, contiguous, on one device),
     * taking ownership of both.
     */
    public static Int8Weights of(Tensor weight, Tensor scales) {
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
        return new Int8Weights(weight, scales);
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
     * null); weightFloat is what these weights were quantized from.
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
        weight = null;
        scales = null;
    }
}
