package dev.torch4j.optim;

import java.util.List;

import dev.torch4j.Tensor;

/**
 * Adagrad (Duchi et al.), as PyTorch 1.13's {@code torch.optim.Adagrad}. The state ("sum", filled with
 * initialAccumulatorValue, and the step count) is created for every parameter when its group is added, as
 * in PyTorch. Per parameter {@code theta} with gradient {@code g} at step {@code t}:
 *
 * <pre>
 * g = maximize ? -g : g
 * if lambda != 0:  g = g + lambda * theta
 * clr = gamma / (1 + (t - 1) * eta)
 * s = s + g^2                                             state "sum"
 * theta = theta - clr * g / (sqrt(s) + epsilon)
 * </pre>
 */
public final class Adagrad extends Optimizer<AdagradOptions> {
    /**
     * @param params the parameters (non-empty, floating point, leaf)
     * @param options the options of this first group
     */
    public Adagrad(List<Tensor> params, AdagradOptions options) {
        super(params, options);
    }

    @Override
    protected void initGroup(ParamGroup<AdagradOptions> group) {
        for (Tensor p : group.params())
            stateOf(p).fullBuffer("sum", p, group.options().initialAccumulatorValue());
    }

    @Override
    protected void update(AdagradOptions o, Tensor param, Tensor grad, ParamState state) {
        Tensor sum = state.fullBuffer("sum", param, o.initialAccumulatorValue());
        double step = state.incrementStep();
        Tensor g = o.maximize() ? grad.neg() : grad;
        if (o.weightDecay() != 0) g = g.add(param, o.weightDecay());
        double clr = o.lr() / (1 + (step - 1) * o.lrDecay());
        sum.addcmul_(g, g, 1);
        Tensor std = sum.sqrt().add_(o.eps());
        param.addcdiv_(g, std, -clr);
    }
}
