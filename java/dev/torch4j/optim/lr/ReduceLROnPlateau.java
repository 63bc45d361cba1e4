package dev.torch4j.optim.lr;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.optim.Optimizer;

/**
 * Reduces every group's lr by {@code factor} when a metric stops improving for more than {@code patience}
 * epochs, as PyTorch 1.13's {@code ReduceLROnPlateau}: {@code lr = max(lr * factor, minLr)} (skipped when
 * the change is at most {@code eps}); then waits {@code cooldown} epochs before counting again. In mode MIN
 * with REL thresholds a metric {@code a} improves on {@code best} when {@code a < best * (1 - threshold)}
 * (ABS: {@code a < best - threshold}; MAX mirrors both).
 *
 * <p>Not an {@link LRScheduler}: its {@link #step(double)} needs the metric.
 */
public final class ReduceLROnPlateau {
    private final Optimizer<?> optimizer;
    private final ReduceLROnPlateauOptions o;
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private int lastEpoch;
    private double[] lastLr;

    /** With the default options. */
    public ReduceLROnPlateau(Optimizer<?> optimizer) {
        this(optimizer, new ReduceLROnPlateauOptions());
    }

    /** Watches a metric for {@code optimizer} with the given options (used as they are, not copied). */
    public ReduceLROnPlateau(Optimizer<?> optimizer, ReduceLROnPlateauOptions options) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.o = Objects.requireNonNull(options, "options");
        this.best = worst();
        this.lastLr = currentLrs();
    }

    private double worst() {
        return o.mode() == ReduceLROnPlateauOptions.Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Records one epoch's metric and reduces the lrs if it has plateaued. */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric, best)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > o.patience()) {
            reduceLr();
            cooldownCounter = o.cooldown();
            numBadEpochs = 0;
        }
        lastLr = currentLrs();
    }

    private void reduceLr() {
        for (int i = 0; i < lastLr.length; i++) {
            double old = optimizer.getLr(i);
            double lr = Math.max(old * o.factor(), o.minLr());
            if (old - lr > o.eps()) optimizer.setLr(i, lr);
        }
    }

    private boolean isBetter(double a, double best) {
        boolean min = o.mode() == ReduceLROnPlateauOptions.Mode.MIN;
        boolean rel = o.thresholdMode() == ReduceLROnPlateauOptions.ThresholdMode.REL;
        if (min) return rel ? a < best * (1. - o.threshold()) : a < best - o.threshold();
        return rel ? a > best * (o.threshold() + 1.) : a > best + o.threshold();
    }

    private double[] currentLrs() {
        double[] out = new double[optimizer.paramGroups().size()];
        for (int i = 0; i < out.length; i++) out[i] = optimizer.getLr(i);
        return out;
    }

    /** The lrs after the last step (the current lrs before the first), one per group. */
    public double[] getLastLr() {
        return lastLr.clone();
    }

    /** The best metric seen so far (infinite in the worse direction before the first step). */
    public double best() {
        return best;
    }

    /**
     * The counters as a JSON-able map: {@code best} (null while none was seen), {@code num_bad_epochs},
     * {@code cooldown_counter}, {@code last_epoch}, {@code _last_lr}.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", Double.isInfinite(best) ? null : best);
        m.put("num_bad_epochs", numBadEpochs);
        m.put("cooldown_counter", cooldownCounter);
        m.put("last_epoch", lastEpoch);
        m.put("_last_lr", LRScheduler.toList(lastLr));
        return m;
    }

    /** Restores {@link #stateDict()}; does not change the optimizer's lrs. */
    public void loadStateDict(Map<String, ?> state) {
        Objects.requireNonNull(state, "state");
        Object b = state.get("best");
        if (b != null && !(b instanceof Number))
            throw new IllegalArgumentException("loadStateDict: \"best\": expected a number or null, got " + b);
        int bad = LRScheduler.intValue(state, "num_bad_epochs");
        int cool = LRScheduler.intValue(state, "cooldown_counter");
        int epoch = LRScheduler.intValue(state, "last_epoch");
        double[] last = LRScheduler.doubles(state, "_last_lr", lastLr.length);
        best = b == null ? worst() : ((Number) b).doubleValue();
        numBadEpochs = bad;
        cooldownCounter = cool;
        lastEpoch = epoch;
        lastLr = last;
    }
}
