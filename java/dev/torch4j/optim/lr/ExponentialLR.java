package dev.torch4j.optim.lr;

import dev.torch4j.optim.Optimizer;

/** Multiplies each group's lr by {@code gamma} every epoch: {@code lr_e = lr_0 * gamma^e}. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    /** @param gamma multiplicative factor of the decay */
    public ExponentialLR(Optimizer<?> optimizer, double gamma) {
        super(optimizer);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] lr = new double[groups()];
        for (int i = 0; i < lr.length; i++) lr[i] = lastEpoch == 0 ? groupLr(i) : groupLr(i) * gamma;
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++) base[i] *= Math.pow(gamma, lastEpoch);
        return base;
    }
}
