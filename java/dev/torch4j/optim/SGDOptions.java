package dev.torch4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Options of {@link SGD}: {@code new SGDOptions(0.05).momentum(0.9).nesterov(true).weightDecay(1e-3)}. */
public final class SGDOptions extends OptimizerOptions {
    private double momentum;
    private double dampening;
    private double weightDecay;
    private boolean nesterov;
    private boolean maximize;

    /** @param lr the learning rate, {@code >= 0} */
    public SGDOptions(double lr) {
        super(lr);
    }

    @Override
    public SGDOptions lr(double lr) {
        super.lr(lr);
        return this;
    }

    /** The value set by {@link #momentum(double)}. */
    public double momentum() { return momentum; }
    /** The value set by {@link #dampening(double)}. */
    public double dampening() { return dampening; }
    /** The value set by {@link #weightDecay(double)}. */
    public double weightDecay() { return weightDecay; }
    /** The value set by {@link #nesterov(boolean)}. */
    public boolean nesterov() { return nesterov; }
    /** The value set by {@link #maximize(boolean)}. */
    public boolean maximize() { return maximize; }

    /** Momentum factor {@code mu >= 0}. Default: 0 (plain SGD). */
    public SGDOptions momentum(double momentum) {
        this.momentum = requireNonNegative(momentum, "momentum value");
        return this;
    }

    /** Dampening {@code tau} of the momentum. Default: 0. */
    public SGDOptions dampening(double dampening) {
        this.dampening = dampening;
        return this;
    }

    /** L2 penalty {@code lambda >= 0} added to the gradient. Default: 0. */
    public SGDOptions weightDecay(double weightDecay) {
        this.weightDecay = requireNonNegative(weightDecay, "weightDecay value");
        return this;
    }

    /** Nesterov momentum (needs momentum {@code > 0} and zero dampening). Default: false. */
    public SGDOptions nesterov(boolean nesterov) {
        this.nesterov = nesterov;
        return this;
    }

    /** Maximize the objective instead of minimizing it. Default: false. */
    public SGDOptions maximize(boolean maximize) {
        this.maximize = maximize;
        return this;
    }

    @Override
    public SGDOptions copy() {
        return new SGDOptions(lr()).momentum(momentum).dampening(dampening).weightDecay(weightDecay)
                .nesterov(nesterov).maximize(maximize);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", lr());
        m.put("momentum", momentum);
        m.put("dampening", dampening);
        m.put("weight_decay", weightDecay);
        m.put("nesterov", nesterov);
        m.put("maximize", maximize);
        return m;
    }

    @Override
    public void loadMap(Map<String, ?> m) {
        lr(number(m, "lr", lr()));
        momentum(number(m, "momentum", momentum));
        dampening(number(m, "dampening", dampening));
        weightDecay(number(m, "weight_decay", weightDecay));
        nesterov(bool(m, "nesterov", nesterov));
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
