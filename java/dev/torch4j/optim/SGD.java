package dev.torch4j.optim;

import java.util.List;

import dev.torch4j.Tensor;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay and
 * maximization, as PyTorch 1.13's {@code torch.optim.SGD}. Per parameter {@code theta} with gradient
 * {@code g} and group options ({@code gamma} = lr, {@code lambda} = weightDecay, {@code mu} = momentum,
 * {@code tau} = dampening):
 *
 * <pre>
 * g = maximize ? -g : g
 * if lambda != 0:  g = g + lambda * theta
 * if mu != 0:
 *     b = (first step) ? g : mu * b + (1 - tau) * g          state "momentum_buffer"
 *     g = nesterov ? g + mu * b : b
 * theta = theta - gamma * g
 * </pre>
 */
public final class SGD extends Optimizer<SGDOptions> {
    /**
     * @param params the parameters (non-empty, floating point, leaf)
     * @param options the options of this first group
     */
    public SGD(List<Tensor> params, SGDOptions options) {
        super(params, options);
    }

    @Override
    protected void checkOptions(SGDOptions o) {
        if (o.nesterov() && (o.momentum() <= 0 || o.dampening() != 0))
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening, got momentum "
                    + o.momentum() + " and dampening " + o.dampening());
    }

    @Override
    protected void update(SGDOptions o, Tensor param, Tensor grad, ParamState state) {
        Tensor d = o.maximize() ? grad.neg() : grad;
        if (o.weightDecay() != 0) d = d.add(param, o.weightDecay());
        if (o.momentum() != 0) {
            Tensor buf = state.buffer("momentum_buffer");
            if (buf == null) buf = state.copyBuffer("momentum_buffer", d);
            else buf.mul_(o.momentum()).add_(d, 1 - o.dampening());
            d = o.nesterov() ? d.add(buf, o.momentum()) : buf;
        }
        param.add_(d, -o.lr());
    }
}
