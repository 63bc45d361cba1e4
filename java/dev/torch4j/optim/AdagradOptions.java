package dev.torch4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Options of {@link Adagrad}: {@code new AdagradOptions(0.01).lrDecay(1e-4).initialAccumulatorValue(0.1)}. */
public final class AdagradOptions extends OptimizerOptions {
    private double lrDecay;
    private double weightDecay;
    private double initialAccumulatorValue;
    private double eps = 1e-10;
    private boolean maximize;

    /** @param lr the learning rate {@code gamma >= 0} (PyTorch's default is 1e-2) */
    public AdagradOptions(double lr) {
        super(lr);
    }

    @Override
    public AdagradOptions lr(double lr) {
        super.lr(lr);
        return this;
    }

    /** The value set by {@link #lrDecay(double)}. */
    public double lrDecay() { return lrDecay; }
    /** The value set by {@link #weightDecay(double)}. */
    public double weightDecay() { return weightDecay; }
    /** The value set by {@link #initialAccumulatorValue(double)}. */
    public double initialAccumulatorValue() { return initialAccumulatorValue; }
    /** The value set by {@link #eps(double)}. */
    public double eps() { return eps; }
    /** The value set by {@link #maximize(boolean)}. */
    public boolean maximize() { return maximize; }

    /** Learning-rate decay {@code eta >= 0}: step {@code t} uses {@code gamma / (1 + (t - 1) eta)}. Default: 0. */
    public AdagradOptions lrDecay(double lrDecay) {
        this.lrDecay = requireNonNegative(lrDecay, "lrDecay value");
        return this;
    }

    /** L2 penalty {@code lambda >= 0} added to the gradient. Default: 0. */
    public AdagradOptions weightDecay(double weightDecay) {
        this.weightDecay = requireNonNegative(weightDecay, "weightDecay value");
        return this;
    }

    /** Starting value {@code >= 0} of the sum of squared gradients. Default: 0. */
    public AdagradOptions initialAccumulatorValue(double value) {
        this.initialAccumulatorValue = requireNonNegative(value, "initialAccumulatorValue value");
        return this;
    }

    /** Term {@code epsilon >= 0} added to the denominator for numerical stability. Default: 1e-10. */
    public AdagradOptions eps(double eps) {
        this.eps = requireNonNegative(eps, "epsilon value");
        return this;
    }

    /** Maximize the objective instead of minimizing it. Default: false. */
    public AdagradOptions maximize(boolean maximize) {
        this.maximize = maximize;
        return this;
    }

    @Override
    public AdagradOptions copy() {
        return new AdagradOptions(lr()).lrDecay(lrDecay).weightDecay(weightDecay)
                .initialAccumulatorValue(initialAccumulatorValue).eps(eps).maximize(maximize);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", lr());
        m.put("lr_decay", lrDecay);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("initial_accumulator_value", initialAccumulatorValue);
        m.put("maximize", maximize);
        return m;
    }

    @Override
    public void loadMap(Map<String, ?> m) {
        lr(number(m, "lr", lr()));
        lrDecay(number(m, "lr_decay", lrDecay));
        eps(number(m, "eps", eps));
        weightDecay(number(m, "weight_decay", weightDecay));
        initialAccumulatorValue(number(m, "initial_accumulator_value", initialAccumulatorValue));
        maximize(bool(m, "maximize", maximize));
    }
}
