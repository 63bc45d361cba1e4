package dev.torch4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Options of {@link RMSprop}: {@code new RMSpropOptions(0.01).alpha(0.9).momentum(0.9).centered(true)}. */
public final class RMSpropOptions extends OptimizerOptions {
    private double alpha = 0.99;
    private double eps = 1e-8;
    private double weightDecay;
    private double momentum;
    private boolean centered;
    private boolean maximize;

    /** @param lr the learning rate {@code gamma >= 0} (PyTorch's default is 1e-2) */
    public RMSpropOptions(double lr) {
        super(lr);
    }

    @Override
    public RMSpropOptions lr(double lr) {
        super.lr(lr);
        return this;
    }

    /** The value set by {@link #alpha(double)}. */
    public double alpha() { return alpha; }
    /** The value set by {@link #eps(double)}. */
    public double eps() { return eps; }
    /** The value set by {@link #weightDecay(double)}. */
    public double weightDecay() { return weightDecay; }
    /** The value set by {@link #momentum(double)}. */
    public double momentum() { return momentum; }
    /** The value set by {@link #centered(boolean)}. */
    public boolean centered() { return centered; }
    /** The value set by {@link #maximize(boolean)}. */
    public boolean maximize() { return maximize; }

    /** Smoothing constant {@code alpha >= 0} of the running average of the squared gradient. Default: 0.99. */
    public RMSpropOptions alpha(double alpha) {
        this.alpha = requireNonNegative(alpha, "alpha value");
        return this;
    }

    /** Term {@code epsilon >= 0} added to the denominator for numerical stability. Default: 1e-8. */
    public RMSpropOptions eps(double eps) {
        this.eps = requireNonNegative(eps, "epsilon value");
        return this;
    }

    /** L2 penalty {@code lambda >= 0} added to the gradient. Default: 0. */
    public RMSpropOptions weightDecay(double weightDecay) {
        this.weightDecay = requireNonNegative(weightDecay, "weightDecay value");
        return this;
    }

    /** Momentum factor {@code mu >= 0}. Default: 0. */
    public RMSpropOptions momentum(double momentum) {
        this.momentum = requireNonNegative(momentum, "momentum value");
        return this;
    }

    /** Centered RMSprop: normalize by an estimate of the gradient's variance. Default: false. */
    public RMSpropOptions centered(boolean centered) {
        this.centered = centered;
        return this;
    }

    /** Maximize the objective instead of minimizing it. Default: false. */
    public RMSpropOptions maximize(boolean maximize) {
        this.maximize = maximize;
        return this;
    }

    @Override
    public RMSpropOptions copy() {
        return new RMSpropOptions(lr()).alpha(alpha).eps(eps).weightDecay(weightDecay).momentum(momentum)
                .centered(centered).maximize(maximize);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", lr());
        m.put("alpha", alpha);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("momentum", momentum);
        m.put("centered", centered);
        m.put("maximize", maximize);
        return m;
    }

    @Override
    public void loadMap(Map<String, ?> m) {
        lr(number(m, "lr", lr()));
        alpha(number(m, "alpha", alpha));
        eps(number(m, "eps", eps));
        weightDecay(number(m, "weight_decay", weightDecay));
        momentum(number(m, "momentum", momentum));
        centered(bool(m, "centered", centered));
        maximize(bool(m, "maximize", maximize));
    }

    @Override
    public boolean hasCycledMomentum() {
        return true;
    }

    @Override
    public double cycledMomentum() {
        return momentum;
    }

    @Override
    public void cycledMomentum(double value) {
        momentum(value);
    }
}
