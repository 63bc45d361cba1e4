package dev.torch4j.nn;

import dev.torch4j.Tensor;

/** `softmax` along {@code dim}. */
public class Softmax extends Module {
    private final long dim;

    public Softmax(long dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
