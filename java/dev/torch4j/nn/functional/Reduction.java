package dev.torch4j.nn.functional;

/** How a loss reduces its per-element values, as PyTorch's {@code reduction=} argument. */
public enum Reduction {
    /** Per-element losses, same shape as the input. */
    NONE(0),
    /** Mean over elements (for weighted cross entropy: weighted mean). */
    MEAN(1),
    /** Sum over elements. */
    SUM(2),
    /** KL divergence only: sum divided by the batch size (the mathematically correct KL mean). */
    BATCHMEAN(-1);

    final long code;

    Reduction(long code) {
        this.code = code;
    }
}
