package dev.torch4j.kernels;

import dev.torch4j.Tensor;

/**
 * Gradients from {@link Kernels#biasGeluBackwardWithBiasGrad}: {@code dx} of x's shape and {@code dbias}
 * {@code [cols]}. Owns both tensors until they are taken or it is closed; closing twice is safe.
 */
public final class BiasGeluGrads implements AutoCloseable {
    private Tensor dx;
    private Tensor dbias;

    BiasGeluGrads(Tensor dx, Tensor dbias) {
        this.dx = dx;
        this.dbias = dbias;
    }

    /** {@code dy * gelu'(x + bias)}, still owned by this object. */
    public Tensor dx() {
        if (dx == null) throw new IllegalStateException("dx was taken or closed");
        return dx;
    }

    /** The sum of dx over every dimension but the last, still owned by this object. */
    public Tensor dbias() {
        if (dbias == null) throw new IllegalStateException("dbias was not computed, taken or closed");
        return dbias;
    }

    /** Hands dx to the caller, who then closes it. */
    public Tensor takeDx() {
        Tensor t = dx();
        dx = null;
        return t;
    }

    /** Hands dbias to the caller, who then closes it. */
    public Tensor takeDbias() {
        Tensor t = dbias();
        dbias = null;
        return t;
    }

    @Override
    public void close() {
        if (dx != null) dx.close();
        if (dbias != null) dbias.close();
        dx = null;
        dbias = null;
    }
}
