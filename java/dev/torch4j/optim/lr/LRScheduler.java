package dev.torch4j.optim.lr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.optim.Optimizer;
import dev.torch4j.optim.ParamGroup;

/**
 * Base of the epoch-based schedulers (PyTorch's {@code _LRScheduler}). {@link #step()} advances
 * {@code lastEpoch} by one and writes {@link #computeLr()} into every parameter group.
 *
 * <p>On construction every group's {@code initialLr} is set to its current lr unless a scheduler set it
 * before; those values are {@link #baseLrs()}. Subclass constructors must call {@link #initialStep()} last,
 * which applies epoch 0 (Java cannot run the subclass's code from the base constructor).
 */
public abstract class LRScheduler {
    /** The optimizer whose lrs this scheduler sets. */
    protected final Optimizer<?> optimizer;
    private final double[] baseLrs;
    /** The index of the last epoch; -1 before {@link #initialStep()}. */
    protected int lastEpoch = -1;
    /** Number of {@code step} calls including the initial one (PyTorch's {@code _step_count}). */
    protected int stepCount;
    private double[] lastLr;

    /** Records the base lrs of {@code optimizer}; subclasses finish with {@link #initialStep()}. */
    protected LRScheduler(Optimizer<?> optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) {
            ParamGroup<?> g = groups.get(i);
            if (g.initialLr().isEmpty()) g.initialLr(g.options().lr());
            baseLrs[i] = g.initialLr().getAsDouble();
        }
        lastLr = currentLrs();
    }

    /** Resets the step count and applies epoch 0; call once at the end of a subclass constructor. */
    protected final void initialStep() {
        stepCount = 0;
        step();
    }

    /** Advances one epoch and sets the lrs of the optimizer's groups. */
    public void step() {
        stepCount++;
        lastEpoch++;
        apply(computeLr());
    }

    /**
     * Jumps to {@code epoch} using the closed form where the schedule has one (PyTorch's deprecated
     * {@code step(epoch)}); {@link SequentialLR} uses it to restart a schedule at its milestone.
     */
    protected void stepTo(int epoch) {
        stepCount++;
        lastEpoch = epoch;
        double[] closed = closedFormLr();
        apply(closed != null ? closed : computeLr());
    }

    private void apply(double[] lrs) {
        for (int i = 0; i < lrs.length; i++) optimizer.setLr(i, lrs[i]);
        lastLr = currentLrs();
    }

    /**
     * The lrs for epoch {@link #lastEpoch} in chainable form: usually computed from the groups' current lrs
     * ({@link #groupLr(int)}), one per group.
     */
    protected abstract double[] computeLr();

    /** The lrs for epoch {@link #lastEpoch} from {@link #baseLrs()} alone, or null if there is no closed form. */
    protected double[] closedFormLr() {
        return null;
    }

    /** The current lr of group {@code i}. */
    protected final double groupLr(int i) {
        return optimizer.getLr(i);
    }

    /** Number of parameter groups. */
    protected final int groups() {
        return baseLrs.length;
    }

    /** The lr each group started from (a copy). */
    public final double[] baseLrs() {
        return baseLrs.clone();
    }

    /** The lrs set by the last step, one per group (a copy). */
    public double[] getLastLr() {
        return lastLr.clone();
    }

    /** The index of the last epoch (0 right after construction). */
    public int lastEpoch() {
        return lastEpoch;
    }

    private double[] currentLrs() {
        double[] out = new double[baseLrs.length];
        for (int i = 0; i < out.length; i++) out[i] = optimizer.getLr(i);
        return out;
    }

    /**
     * The counters as a JSON-able map: {@code last_epoch}, {@code _step_count}, {@code base_lrs},
     * {@code _last_lr} (PyTorch's names). The schedule's own settings are not included; they come from
     * the constructor.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("last_epoch", lastEpoch);
        m.put("_step_count", stepCount);
        m.put("base_lrs", toList(baseLrs));
        m.put("_last_lr", toList(lastLr));
        return m;
    }

    /** Restores the counters of {@link #stateDict()}; does not change the optimizer's lrs. */
    public void loadStateDict(Map<String, ?> state) {
        Objects.requireNonNull(state, "state");
        int epoch = intValue(state, "last_epoch");
        int count = intValue(state, "_step_count");
        double[] base = doubles(state, "base_lrs", baseLrs.length);
        double[] last = doubles(state, "_last_lr", baseLrs.length);
        lastEpoch = epoch;
        stepCount = count;
        System.arraycopy(base, 0, baseLrs, 0, base.length);
        lastLr = last;
    }

    static List<Object> toList(double[] a) {
        List<Object> l = new ArrayList<>(a.length);
        for (double v : a) l.add(v);
        return l;
    }

    static int intValue(Map<String, ?> m, String key) {
        if (!(m.get(key) instanceof Number n))
            throw new IllegalArgumentException("loadStateDict: \"" + key + "\": expected a number, got " + m.get(key));
        return n.intValue();
    }

    static double[] doubles(Map<String, ?> m, String key, int n) {
        if (!(m.get(key) instanceof List<?> l) || l.size() != n)
            throw new IllegalArgumentException("loadStateDict: \"" + key + "\": expected a list of " + n
                    + " numbers, got " + m.get(key));
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(l.get(i) instanceof Number x))
                throw new IllegalArgumentException("loadStateDict: \"" + key + "\"[" + i + "]: expected a number, got "
                        + l.get(i));
            out[i] = x.doubleValue();
        }
        return out;
    }
}
