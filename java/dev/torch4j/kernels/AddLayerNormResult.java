package dev.torch4j.kernels;

import dev.torch4j.Tensor;

/**
 * Outputs of {@link Kernels#addLayerNormWithSum}: the normalized {@code out} and {@code sum = x + residual}, both of
 * x's shape and dtype. Owns both tensors until they are taken or it is closed; closing twice is safe.
 */
public final class AddLayerNormResult implements AutoCloseable {
    private Tensor out;
    private Tensor sum;

    AddLayerNormResult(Tensor out, Tensor sum) {
        this.out = out;
        this.sum = sum;
    }

    /** {@code layerNorm(x + residual) * gamma + beta}, still owned by this object. */
    public Tensor out() {
        if (out == null) throw new IllegalStateException("out was taken or closed");
        return out;
    }

    /** {@code x + residual} rounded to x's dtype, still owned by this object. */
    public Tensor sum() {
        if (sum == null) throw new IllegalStateException("sum was not computed, taken or closed");
        return sum;
    }

    /** Hands out to the caller, who then closes it. */
    public Tensor takeOut() {
        Tensor t = out();
        out = null;
        return t;
    }

    /** Hands sum to the caller, who then closes it. */
    public Tensor takeSum() {
        Tensor t = sum();
        sum = null;
        return t;
    }

    @Override
    public void close() {
        if (out != null) out.close();
        if (sum != null) sum.close();
        out = null;
        sum = null;
    }
}
