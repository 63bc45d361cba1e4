package dev.torch4j.optim;

/** Options of {@link AdamW}: {@code new AdamWOptions(1e-3).weightDecay(0.1)}. */
public final class AdamWOptions extends AdamStyleOptions<AdamWOptions> {
    /** @param lr the learning rate {@code gamma >= 0} (PyTorch's default is 1e-3) */
    public AdamWOptions(double lr) {
        super(lr, 0.01);
    }

    /** Decoupled weight decay {@code lambda >= 0}: each step first scales the parameter by {@code 1 - lr * lambda}. Default: 0.01. */
    @Override
    public AdamWOptions weightDecay(double weightDecay) {
        return super.weightDecay(weightDecay);
    }

    @Override
    AdamWOptions self() {
        return this;
    }

    @Override
    AdamWOptions create(double lr) {
        return new AdamWOptions(lr);
    }
}
