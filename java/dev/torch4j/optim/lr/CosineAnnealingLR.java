package dev.torch4j.optim.lr;

import dev.torch4j.optim.Optimizer;

/**
 * Cosine annealing from each group's initial lr {@code eta_max} down to {@code etaMin} over {@code tMax}
 * epochs (SGDR without restarts; past {@code tMax} the cosine continues, rising again):
 *
 * <pre>
 * lr_e = etaMin + (eta_max - etaMin) * (1 + cos(pi * e / tMax)) / 2
 * </pre>
 *
 * computed in PyTorch's recursive (chainable) form, so lrs changed by others between steps carry over.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /** {@code CosineAnnealingLR(optimizer, tMax, 0)}. */
    public CosineAnnealingLR(Optimizer<?> optimizer, int tMax) {
        this(optimizer, tMax, 0.0);
    }

    /**
     * @param tMax half period in epochs, {@code > 0}
     * @param etaMin the smallest lr. Default: 0
     */
    public CosineAnnealingLR(Optimizer<?> optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) throw new IllegalArgumentException("Invalid tMax: " + tMax + " (expected > 0)");
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] base = baseLrs();
        double[] lr = new double[groups()];
        for (int i = 0; i < lr.length; i++) {
            double cur = groupLr(i);
            if (lastEpoch == 0) lr[i] = cur;
            else if (stepCount == 1 && lastEpoch > 0)
                lr[i] = etaMin + (base[i] - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2;
            else if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0)
                lr[i] = cur + (base[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            else
                lr[i] = (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
                        * (cur - etaMin) + etaMin;
        }
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++)
            base[i] = etaMin + (base[i] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2;
        return base;
    }
}
