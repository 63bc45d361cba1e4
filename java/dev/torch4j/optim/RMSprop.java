package dev.torch4j.optim;

import java.util.List;

import dev.torch4j.Tensor;

/**
 * RMSprop (Hinton), optionally centered and with momentum, as PyTorch 1.13's {@code torch.optim.RMSprop}.
 * Per parameter {@code theta} with gradient {@code g}:
 *
 * <pre>
 * g = maximize ? -g : g
 * if lambda != 0:  g = g + lambda * theta
 * v = alpha * v + (1 - alpha) * g^2                        state "square_avg"
 * if centered:
 *     a = alpha * a + (1 - alpha) * g                      state "grad_avg"
 *     d = sqrt(v - a^2) + epsilon
 * else:
 *     d = sqrt(v) + epsilon
 * if mu > 0:  b = mu * b + g / d; theta = theta - gamma * b   state "momentum_buffer"
 * else:       theta = theta - gamma * g / d
 * </pre>
 */
public final class RMSprop extends Optimizer<RMSpropOptions> {
    /**
     * @param params the parameters (non-empty, floating point, leaf)
     * @param options the options of this first group
     */
    public RMSprop(List<Tensor> params, RMSpropOptions options) {
        super(params, options);
    }

    @Override
    protected void update(RMSpropOptions o, Tensor param, Tensor grad, ParamState state) {
        Tensor squareAvg = state.zerosBuffer("square_avg", param);
        Tensor buf = o.momentum() > 0 ? state.zerosBuffer("momentum_buffer", param) : null;
        Tensor gradAvg = o.centered() ? state.zerosBuffer("grad_avg", param) : null;
        state.incrementStep();

        Tensor g = o.maximize() ? grad.neg() : grad;
        if (o.weightDecay() != 0) g = g.add(param, o.weightDecay());

        squareAvg.mul_(o.alpha()).addcmul_(g, g, 1 - o.alpha());
        Tensor avg;
        if (o.centered()) {
            gradAvg.mul_(o.alpha()).add_(g, 1 - o.alpha());
            avg = squareAvg.clone().addcmul_(gradAvg, gradAvg, -1).sqrt_();
        } else {
            avg = squareAvg.sqrt();
        }
        avg.add_(o.eps());

        if (o.momentum() > 0) {
            buf.mul_(o.momentum()).addcdiv_(g, avg, 1);
            param.add_(buf, -o.lr());
        } else {
            param.addcdiv_(g, avg, -o.lr());
        }
    }
}
