package dev.torch4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hyper-parameters Adam and AdamW share; they differ only in what weight decay means and its default.
 *
 * @param <T> the concrete options type, returned by the fluent setters
 */
abstract class AdamStyleOptions<T extends AdamStyleOptions<T>> extends OptimizerOptions {
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;
    private boolean amsgrad;
    private boolean maximize;

    AdamStyleOptions(double lr, double weightDecay) {
        super(lr);
        this.weightDecay = requireNonNegative(weightDecay, "weightDecay value");
    }

    /** This object as its concrete type. */
    abstract T self();

    /** A new options object of the concrete type with the same learning rate. */
    abstract T create(double lr);

    @Override
    public T lr(double lr) {
        super.lr(lr);
        return self();
    }

    /** See {@link #betas(double, double)}. */
    public double beta1() { return beta1; }
    /** See {@link #betas(double, double)}. */
    public double beta2() { return beta2; }
    /** The value set by {@link #eps(double)}. */
    public double eps() { return eps; }
    /** The value set by {@link #weightDecay(double)}. */
    public double weightDecay() { return weightDecay; }
    /** The value set by {@link #amsgrad(boolean)}. */
    public boolean amsgrad() { return amsgrad; }
    /** The value set by {@link #maximize(boolean)}. */
    public boolean maximize() { return maximize; }

    /**
     * Decay rates of the running averages of the gradient ({@code beta1}) and of its square
     * ({@code beta2}), each in {@code [0, 1)}. Default: (0.9, 0.999).
     */
    public T betas(double beta1, double beta2) {
        requireUnitInterval(beta1, "beta parameter at index 0");
        requireUnitInterval(beta2, "beta parameter at index 1");
        this.beta1 = beta1;
        this.beta2 = beta2;
        return self();
    }

    /** Term {@code epsilon >= 0} added to the denominator for numerical stability. Default: 1e-8. */
    public T eps(double eps) {
        this.eps = requireNonNegative(eps, "epsilon value");
        return self();
    }

    /** Weight decay {@code lambda >= 0}; see the concrete class for its meaning and default. */
    public T weightDecay(double weightDecay) {
        this.weightDecay = requireNonNegative(weightDecay, "weightDecay value");
        return self();
    }

    /** The AMSGrad variant: normalize by the running maximum of the second moment. Default: false. */
    public T amsgrad(boolean amsgrad) {
        this.amsgrad = amsgrad;
        return self();
    }

    /** Maximize the objective instead of minimizing it. Default: false. */
    public T maximize(boolean maximize) {
        this.maximize = maximize;
        return self();
    }

    @Override
    public T copy() {
        return create(lr()).betas(beta1, beta2).eps(eps).weightDecay(weightDecay).amsgrad(amsgrad).maximize(maximize);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", lr());
        m.put("betas", List.of(beta1, beta2));
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("amsgrad", amsgrad);
        m.put("maximize", maximize);
        return m;
    }

    @Override
    public void loadMap(Map<String, ?> m) {
        lr(number(m, "lr", lr()));
        double[] b = pair(m, "betas", new double[] {beta1, beta2});
        betas(b[0], b[1]);
        eps(number(m, "eps", eps));
        weightDecay(number(m, "weight_decay", weightDecay));
        amsgrad(bool(m, "amsgrad", amsgrad));
        maximize(bool(m, "maximize", maximize));
    }

    /** True: OneCycleLR cycles {@code beta1}. */
    @Override
    public boolean hasCycledMomentum() {
        return true;
    }

    @Override
    public double cycledMomentum() {
        return beta1;
    }

    @Override
    public void cycledMomentum(double value) {
        betas(value, beta2);
    }
}
