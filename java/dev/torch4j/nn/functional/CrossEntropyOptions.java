package dev.torch4j.nn.functional;

import dev.torch4j.Tensor;

/** Options of {@link F#crossEntropy(Tensor, Tensor, CrossEntropyOptions)} and {@link F#nllLoss}. */
public final class CrossEntropyOptions {
    Tensor weight;
    long ignoreIndex = -100;
    double labelSmoothing;
    Reduction reduction = Reduction.MEAN;

    /** Per-class rescaling weights {@code [C]}. Default: none. The tensor is borrowed, not owned. */
    public CrossEntropyOptions weight(Tensor weight) {
        this.weight = weight;
        return this;
    }

    /** Target value that contributes nothing to the loss or the gradient. Default: -100. */
    public CrossEntropyOptions ignoreIndex(long ignoreIndex) {
        this.ignoreIndex = ignoreIndex;
        return this;
    }

    /** Amount in [0, 1] of label smoothing. Default: 0. */
    public CrossEntropyOptions labelSmoothing(double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new IllegalArgumentException("labelSmoothing must be in [0, 1], got " + labelSmoothing);
        this.labelSmoothing = labelSmoothing;
        return this;
    }

    /** Default: {@link Reduction#MEAN}. */
    public CrossEntropyOptions reduction(Reduction reduction) {
        if (reduction == Reduction.BATCHMEAN) throw new IllegalArgumentException("reduction: BATCHMEAN is only for kldiv");
        this.reduction = java.util.Objects.requireNonNull(reduction, "reduction");
        return this;
    }
}
