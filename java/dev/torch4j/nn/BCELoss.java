package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.functional.Reduction;

/**
 * Binary cross entropy {@code -w (t log p + (1 - t) log(1 - p))} of probabilities {@code input} in [0, 1] against
 * {@code target} of equal shape, as {@code torch.nn.BCELoss}.
 */
public class BCELoss extends Loss {
    private final Reduction reduction;
    private final Tensor weight;

    /** No weight; default reduction: {@link Reduction#MEAN}. */
    public BCELoss() {
        this(null, Reduction.MEAN);
    }

    /** @param weight rescaling broadcastable to the input, or null; borrowed (see {@link Loss}) */
    public BCELoss(Tensor weight, Reduction reduction) {
        this.reduction = checkReduction(reduction, false);
        this.weight = weight;
    }

    /** How per-element losses are reduced. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropy(input, target, weight, reduction);
    }
}
