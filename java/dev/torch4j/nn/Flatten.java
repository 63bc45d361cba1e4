package dev.torch4j.nn;

import dev.torch4j.Tensor;

/** Flattens dims {@code startDim..endDim} (default 1..-1, keeping the batch dimension). */
public class Flatten extends Module {
    private final long startDim, endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(long startDim, long endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
