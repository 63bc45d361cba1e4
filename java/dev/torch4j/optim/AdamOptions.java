package dev.torch4j.optim;

/** Options of {@link Adam}: {@code new AdamOptions(1e-3).betas(0.9, 0.999).eps(1e-8).weightDecay(0.01).amsgrad(true)}. */
public final class AdamOptions extends AdamStyleOptions<AdamOptions> {
    /** @param lr the learning rate {@code gamma >= 0} (PyTorch's default is 1e-3) */
    public AdamOptions(double lr) {
        super(lr, 0);
    }

    /** L2 penalty {@code lambda >= 0} added to the gradient (coupled weight decay). Default: 0. */
    @Override
    public AdamOptions weightDecay(double weightDecay) {
        return super.weightDecay(weightDecay);
    }

    @Override
    AdamOptions self() {
        return this;
    }

    @Override
    AdamOptions create(double lr) {
        return new AdamOptions(lr);
    }
}
