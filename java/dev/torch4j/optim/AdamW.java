package dev.torch4j.optim;

import java.util.List;

import dev.torch4j.Tensor;

/**
 * AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, as PyTorch 1.13's
 * {@code torch.optim.AdamW}. Per parameter {@code theta} with gradient {@code g} at step {@code t}:
 *
 * <pre>
 * g = maximize ? -g : g
 * theta = theta * (1 - gamma * lambda)
 * m = beta1 * m + (1 - beta1) * g                         state "exp_avg"
 * v = beta2 * v + (1 - beta2) * g^2                       state "exp_avg_sq"
 * if amsgrad:  vmax = max(vmax, v); v' = vmax             state "max_exp_avg_sq"
 * else:        v' = v
 * theta = theta - gamma / (1 - beta1^t) * m / (sqrt(v') / sqrt(1 - beta2^t) + epsilon)
 * </pre>
 */
public final class AdamW extends Optimizer<AdamWOptions> {
    /**
     * @param params the parameters (non-empty, floating point, leaf)
     * @param options the options of this first group
     */
    public AdamW(List<Tensor> params, AdamWOptions options) {
        super(params, options);
    }

    @Override
    protected void update(AdamWOptions o, Tensor param, Tensor grad, ParamState state) {
        Tensor g = o.maximize() ? grad.neg() : grad;
        param.mul_(1 - o.lr() * o.weightDecay());
        Adam.adamStep(param, g, state, o.lr(), o.beta1(), o.beta2(), o.eps(), o.amsgrad());
    }
}
