package dev.torch4j.optim.lr;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import dev.torch4j.optim.Optimizer;

/**
 * Multiplies each group's lr by {@code gamma} at every milestone epoch (by {@code gamma^k} when a milestone
 * is listed {@code k} times): {@code lr_e = lr_0 * gamma^(number of milestones <= e)}.
 */
public final class MultiStepLR extends LRScheduler {
    private final Map<Integer, Integer> milestones = new TreeMap<>();
    private final int[] sorted;
    private final double gamma;

    /** {@code MultiStepLR(optimizer, milestones, 0.1)}. */
    public MultiStepLR(Optimizer<?> optimizer, int[] milestones) {
        this(optimizer, milestones, 0.1);
    }

    /**
     * @param milestones epoch indices, in any order, repeats allowed
     * @param gamma multiplicative factor of the decay. Default: 0.1
     */
    public MultiStepLR(Optimizer<?> optimizer, int[] milestones, double gamma) {
        super(optimizer);
        for (int m : milestones) this.milestones.merge(m, 1, Integer::sum);
        this.sorted = milestones.clone();
        Arrays.sort(sorted);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] lr = new double[groups()];
        Integer k = milestones.get(lastEpoch);
        for (int i = 0; i < lr.length; i++) lr[i] = k == null ? groupLr(i) : groupLr(i) * Math.pow(gamma, k);
        return lr;
    }

    @Override
    protected double[] closedFormLr() {
        int passed = 0;
        while (passed < sorted.length && sorted[passed] <= lastEpoch) passed++;
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++) base[i] *= Math.pow(gamma, passed);
        return base;
    }
}
