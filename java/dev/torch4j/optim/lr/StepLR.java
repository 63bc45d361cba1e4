package dev.torch4j.optim.lr;

import dev.torch4j.optim.Optimizer;

/**
 * Multiplies each group's lr by {@code gamma} every {@code stepSize} epochs:
 * {@code lr_e = lr_0 * gamma^floor(e / stepSize)}.
 */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /** {@code StepLR(optimizer, stepSize, 0.1)}. */
    public StepLR(Optimizer<?> optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    /**
     * @param stepSize period of the decay in epochs, {@code > 0}
     * @param gamma multiplicative factor of the decay. Default: 0.1
     */
    public StepLR(Optimizer<?> optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) throw new IllegalArgumentException("Invalid stepSize: " + stepSize + " (expected > 0)");
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] lr = new double[groups()];
        boolean decay = lastEpoch != 0 && lastEpoch % stepSize == 0;
        for (int i = 0; i < lr.length; i++) lr[i] = decay ? groupLr(i) * gamma : groupLr(i);
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++) base[i] *= Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize));
        return base;
    }
}
