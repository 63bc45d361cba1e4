package dev.torch4j.optim.lr;

import dev.torch4j.optim.Optimizer;

/**
 * Scales each group's lr by a factor moving linearly from {@code startFactor} to {@code endFactor} over
 * {@code totalIters} epochs, then keeps it (a common warmup):
 * {@code lr_e = lr_0 * (startFactor + (endFactor - startFactor) * min(e, totalIters) / totalIters)}.
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    /** {@code LinearLR(optimizer, 1/3, 1.0, 5)}, PyTorch's defaults. */
    public LinearLR(Optimizer<?> optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    /**
     * @param startFactor factor at epoch 0, in {@code (0, 1]}. Default: 1/3
     * @param endFactor factor from epoch {@code totalIters} on, in {@code [0, 1]}. Default: 1
     * @param totalIters length of the ramp in epochs, {@code > 0}. Default: 5
     */
    public LinearLR(Optimizer<?> optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1))
            throw new IllegalArgumentException("Invalid startFactor: " + startFactor + " (expected in (0, 1])");
        if (!(endFactor >= 0 && endFactor <= 1))
            throw new IllegalArgumentException("Invalid endFactor: " + endFactor + " (expected in [0, 1])");
        if (totalIters <= 0) throw new IllegalArgumentException("Invalid totalIters: " + totalIters + " (expected > 0)");
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] lr = new double[groups()];
        for (int i = 0; i < lr.length; i++) {
            double cur = groupLr(i);
            if (lastEpoch == 0) lr[i] = cur * startFactor;
            else if (lastEpoch > totalIters) lr[i] = cur;
            else lr[i] = cur * (1. + (endFactor - startFactor)
                    / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
        }
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++)
            base[i] *= startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters;
        return base;
    }
}
