package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.functional.Reduction;

/**
 * Kullback-Leibler divergence {@code target * (log target - input)} with {@code input} log-probabilities and
 * {@code target} probabilities (or log-probabilities with {@code logTarget}), equal shapes, as
 * {@code torch.nn.KLDivLoss}. {@link Reduction#BATCHMEAN} (sum / batch size) is the true KL divergence;
 * {@link Reduction#MEAN} averages over all elements.
 */
public class KLDivLoss extends Loss {
    private final Reduction reduction;
    private final boolean logTarget;

    /** Default reduction: {@link Reduction#MEAN} (as PyTorch); default logTarget: false. */
    public KLDivLoss() {
        this(Reduction.MEAN, false);
    }

    /**
     * @param reduction any {@link Reduction}, {@link Reduction#BATCHMEAN} included
     * @param logTarget whether the target holds log-probabilities
     */
    public KLDivLoss(Reduction reduction, boolean logTarget) {
        this.reduction = checkReduction(reduction, true);
        this.logTarget = logTarget;
    }

    /** Whether the target is given as log-probabilities. */
    public boolean logTarget() {
        return logTarget;
    }

    /** How per-element losses are reduced. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.kldiv(input, target, reduction, logTarget);
    }
}
