package dev.torch4j.optim;

import java.util.List;
import java.util.Map;

/**
 * Hyper-parameters of one parameter group. Subclasses hold the optimizer-specific values; setters are
 * fluent, validate their argument and return the subclass. Each parameter group holds its own copy.
 */
public abstract class OptimizerOptions {
    private double lr;

    /** @param lr the learning rate, {@code >= 0} */
    protected OptimizerOptions(double lr) {
        this.lr = requireNonNegative(lr, "learning rate");
    }

    /** The learning rate. */
    public double lr() {
        return lr;
    }

    /** Sets the learning rate ({@code >= 0}); subclasses return their own type. */
    public OptimizerOptions lr(double lr) {
        this.lr = requireNonNegative(lr, "learning rate");
        return this;
    }

    /** An independent copy. */
    public abstract OptimizerOptions copy();

    /**
     * The values keyed as PyTorch names them in a {@code param_group} ({@code lr}, {@code weight_decay},
     * {@code betas} as a two-element list, ...): numbers, booleans and lists only, so the map is JSON-able.
     */
    public abstract Map<String, Object> toMap();

    /**
     * Sets the values found in {@code map} (keys as in {@link #toMap()}; numbers of any boxed type); keys
     * that are absent keep their value. Validates as the setters do.
     */
    public abstract void loadMap(Map<String, ?> map);

    /**
     * Whether {@link #cycledMomentum()} exists, i.e. this optimizer has a momentum (SGD, RMSprop) or a
     * first-moment decay {@code beta1} (Adam, AdamW) that schedulers such as OneCycleLR may cycle.
     */
    public boolean hasCycledMomentum() {
        return false;
    }

    /** The momentum a scheduler cycles: {@code momentum}, or {@code beta1} for Adam-style options. */
    public double cycledMomentum() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no momentum");
    }

    /** Sets the value described at {@link #cycledMomentum()}. */
    public void cycledMomentum(double value) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no momentum");
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /** {@code value} when {@code >= 0} (not NaN); else an exception "Invalid {@code what}: {@code value}". */
    protected static double requireNonNegative(double value, String what) {
        if (!(value >= 0)) throw new IllegalArgumentException("Invalid " + what + ": " + value + " (expected >= 0)");
        return value;
    }

    /** {@code value} when in {@code [0, 1)}; else an exception "Invalid {@code what}: {@code value}". */
    protected static double requireUnitInterval(double value, String what) {
        if (!(value >= 0 && value < 1))
            throw new IllegalArgumentException("Invalid " + what + ": " + value + " (expected in [0, 1))");
        return value;
    }

    /** {@code map[key]} as a double, or {@code current} when absent. */
    protected static double number(Map<String, ?> map, String key, double current) {
        Object v = map.get(key);
        if (v == null) return current;
        if (!(v instanceof Number n)) throw new IllegalArgumentException(key + ": expected a number, got " + v);
        return n.doubleValue();
    }

    /** {@code map[key]} as a boolean, or {@code current} when absent. */
    protected static boolean bool(Map<String, ?> map, String key, boolean current) {
        Object v = map.get(key);
        if (v == null) return current;
        if (!(v instanceof Boolean b)) throw new IllegalArgumentException(key + ": expected a boolean, got " + v);
        return b;
    }

    /** A two-element list of numbers ({@code betas}), or {@code current} when absent. */
    protected static double[] pair(Map<String, ?> map, String key, double[] current) {
        Object v = map.get(key);
        if (v == null) return current;
        if (!(v instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof Number a) || !(l.get(1) instanceof Number b))
            throw new IllegalArgumentException(key + ": expected a list of two numbers, got " + v);
        return new double[] {a.doubleValue(), b.doubleValue()};
    }
}
