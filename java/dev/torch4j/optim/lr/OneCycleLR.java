package dev.torch4j.optim.lr;

import java.util.List;
import java.util.Objects;

import dev.torch4j.optim.Optimizer;
import dev.torch4j.optim.OptimizerOptions;
import dev.torch4j.optim.ParamGroup;

/**
 * The 1cycle policy (Smith and Topin), as PyTorch 1.13's {@code OneCycleLR}; step it once per batch. The lr
 * rises from {@code maxLr / divFactor} to {@code maxLr} during the first {@code pctStart} of
 * {@code totalSteps}, then anneals to {@code maxLr / divFactor / finalDivFactor} (with
 * {@code threePhase}, first back to the initial lr and then to the final one). With
 * {@code cycleMomentum} the momentum (Adam's {@code beta1}) moves the opposite way between
 * {@code maxMomentum} and {@code baseMomentum}. Within a phase from step {@code s0} to {@code s1}:
 * {@code pct = (step - s0) / (s1 - s0)}, value = anneal(start, end, pct).
 *
 * <p>Stepping past {@code totalSteps} throws {@link IllegalStateException}.
 */
public final class OneCycleLR extends LRScheduler {
    private final OneCycleLROptions o;
    private final double[] phaseEnds;     // per phase: its last step
    private final int[][] phaseKinds;     // per phase: {startLr, endLr, startMomentum, endMomentum}, indices below
    private final double[][] lrPoints;    // per group: {initial, max, min}
    private final double[] momentumPoints;  // {max, base}

    private static final int INITIAL = 0, MAX = 1, MIN = 2;
    private static final int MAX_M = 0, BASE_M = 1;

    /**
     * Sets every group's lr to {@code maxLr / divFactor} (and its momentum to maxMomentum when cycling).
     *
     * @throws IllegalArgumentException if cycleMomentum is on and the optimizer has no momentum
     */
    public OneCycleLR(Optimizer<?> optimizer, OneCycleLROptions options) {
        super(setInitialLrs(optimizer, options));
        this.o = options;
        double total = options.totalSteps();
        double pct = options.pctStart();
        if (options.threePhase()) {
            phaseEnds = new double[] {pct * total - 1, 2 * pct * total - 2, total - 1};
            phaseKinds = new int[][] {{INITIAL, MAX, MAX_M, BASE_M}, {MAX, INITIAL, BASE_M, MAX_M}, {INITIAL, MIN, MAX_M, MAX_M}};
        } else {
            phaseEnds = new double[] {pct * total - 1, total - 1};
            phaseKinds = new int[][] {{INITIAL, MAX, MAX_M, BASE_M}, {MAX, MIN, BASE_M, MAX_M}};
        }
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        lrPoints = new double[groups.size()][];
        for (int i = 0; i < lrPoints.length; i++) {
            double initial = options.maxLr() / options.divFactor();
            lrPoints[i] = new double[] {initial, options.maxLr(), initial / options.finalDivFactor()};
        }
        momentumPoints = new double[] {options.maxMomentum(), options.baseMomentum()};
        if (options.cycleMomentum()) {
            for (ParamGroup<?> g : groups) {
                OptimizerOptions go = g.options();
                if (!go.hasCycledMomentum())
                    throw new IllegalArgumentException("optimizer must support momentum with cycleMomentum enabled ("
                            + go.getClass().getSimpleName() + " has none)");
            }
            for (ParamGroup<?> g : groups) g.options().cycledMomentum(options.maxMomentum());
        }
        initialStep();
    }

    /** PyTorch sets {@code initial_lr = max_lr / div_factor} before the base class reads it. */
    private static Optimizer<?> setInitialLrs(Optimizer<?> optimizer, OneCycleLROptions options) {
        Objects.requireNonNull(options, "options");
        for (ParamGroup<?> g : optimizer.paramGroups()) g.initialLr(options.maxLr() / options.divFactor());
        return optimizer;
    }

    private double anneal(double start, double end, double pct) {
        if (o.annealStrategy() == OneCycleLROptions.AnnealStrategy.COS)
            return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
        return (end - start) * pct + start;
    }

    @Override
    protected double[] computeLr() {
        int stepNum = lastEpoch;
        if (stepNum > o.totalSteps())
            throw new IllegalStateException("Tried to step " + (stepNum + 1) + " times. The specified number of total steps is "
                    + o.totalSteps());
        double[] lrs = new double[groups()];
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        for (int gi = 0; gi < lrs.length; gi++) {
            double startStep = 0;
            for (int p = 0; p < phaseEnds.length; p++) {
                double endStep = phaseEnds[p];
                if (stepNum <= endStep || p == phaseEnds.length - 1) {
                    double pct = (stepNum - startStep) / (endStep - startStep);
                    int[] k = phaseKinds[p];
                    lrs[gi] = anneal(lrPoints[gi][k[0]], lrPoints[gi][k[1]], pct);
                    if (o.cycleMomentum())
                        groups.get(gi).options().cycledMomentum(anneal(momentumPoints[k[2]], momentumPoints[k[3]], pct));
                    break;
                }
                startStep = endStep;
            }
        }
        return lrs;
    }
}
