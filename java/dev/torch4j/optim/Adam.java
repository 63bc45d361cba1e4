package dev.torch4j.optim;

import java.util.List;

import dev.torch4j.Tensor;

/**
 * Adam (Kingma and Ba), with optional AMSGrad, L2 weight decay and maximization, as PyTorch 1.13's
 * {@code torch.optim.Adam}. Per parameter {@code theta} with gradient {@code g} at step {@code t}:
 *
 * <pre>
 * g = maximize ? -g : g
 * if lambda != 0:  g = g + lambda * theta
 * m = beta1 * m + (1 - beta1) * g                         state "exp_avg"
 * v = beta2 * v + (1 - beta2) * g^2                       state "exp_avg_sq"
 * if amsgrad:  vmax = max(vmax, v); v' = vmax             state "max_exp_avg_sq"
 * else:        v' = v
 * theta = theta - gamma / (1 - beta1^t) * m / (sqrt(v') / sqrt(1 - beta2^t) + epsilon)
 * </pre>
 */
public final class Adam extends Optimizer<AdamOptions> {
    /**
     * @param params the parameters (non-empty, floating point, leaf)
     * @param options the options of this first group
     */
    public Adam(List<Tensor> params, AdamOptions options) {
        super(params, options);
    }

    @Override
    protected void update(AdamOptions o, Tensor param, Tensor grad, ParamState state) {
        Tensor g = o.maximize() ? grad.neg() : grad;
        if (o.weightDecay() != 0) g = g.add(param, o.weightDecay());
        adamStep(param, g, state, o.lr(), o.beta1(), o.beta2(), o.eps(), o.amsgrad());
    }

    /** The moment updates and the parameter update shared by Adam and AdamW ({@code g} already final). */
    static void adamStep(Tensor param, Tensor g, ParamState state, double lr, double beta1, double beta2, double eps,
            boolean amsgrad) {
        Tensor expAvg = state.zerosBuffer("exp_avg", param);
        Tensor expAvgSq = state.zerosBuffer("exp_avg_sq", param);
        Tensor maxExpAvgSq = amsgrad ? state.zerosBuffer("max_exp_avg_sq", param) : null;
        double step = state.incrementStep();

        expAvg.mul_(beta1).add_(g, 1 - beta1);
        expAvgSq.mul_(beta2).addcmul_(g, g, 1 - beta2);

        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);

        Tensor denom;
        if (amsgrad) {
            maxExpAvgSq.copy_(maxExpAvgSq.maximum(expAvgSq));
            denom = maxExpAvgSq.sqrt().div_(biasCorrection2Sqrt).add_(eps);
        } else {
            denom = expAvgSq.sqrt().div_(biasCorrection2Sqrt).add_(eps);
        }
        param.addcdiv_(expAvg, denom, -stepSize);
    }
}
