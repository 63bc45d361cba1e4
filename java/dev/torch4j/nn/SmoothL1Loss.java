package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.functional.Reduction;

/**
 * Smooth L1 loss, as {@code torch.nn.SmoothL1Loss}: with {@code d = |input - target|}, {@code 0.5 d^2 / beta} if
 * {@code d < beta}, else {@code d - 0.5 beta}; input and target of equal shape.
 */
public class SmoothL1Loss extends Loss {
    private final Reduction reduction;
    private final double beta;

    /** Default reduction: {@link Reduction#MEAN}; default beta: 1.0. */
    public SmoothL1Loss() {
        this(Reduction.MEAN, 1.0);
    }

    /** @param beta where the loss turns from quadratic to linear, {@code >= 0} (0 gives the L1 loss) */
    public SmoothL1Loss(Reduction reduction, double beta) {
        this.reduction = checkReduction(reduction, false);
        if (!(beta >= 0)) throw new IllegalArgumentException("beta must be >= 0, got " + beta);
        this.beta = beta;
    }

    /** Threshold between the quadratic and the linear part. */
    public double beta() {
        return beta;
    }

    /** How per-element losses are reduced. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.smoothL1Loss(input, target, reduction, beta);
    }
}
