package dev.torch4j.nn;

import dev.torch4j.Tensor;

/** `logSoftmax` along {@code dim}. */
public class LogSoftmax extends Module {
    private final long dim;

    public LogSoftmax(long dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
