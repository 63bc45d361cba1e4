package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.functional.Reduction;

/**
 * Numerically stable {@code BCE(sigmoid(input), target)} with optional positive-class weight:
 * {@code -w (pw t log s(x) + (1 - t) log(1 - s(x)))}, as {@code torch.nn.BCEWithLogitsLoss}.
 */
public class BCEWithLogitsLoss extends Loss {
    private final Reduction reduction;
    private final Tensor weight, posWeight;

    /** No weights; default reduction: {@link Reduction#MEAN}. */
    public BCEWithLogitsLoss() {
        this(null, null, Reduction.MEAN);
    }

    /**
     * @param weight rescaling broadcastable to the input, or null; borrowed (see {@link Loss})
     * @param posWeight weight of positive examples per class, broadcastable to the input's last dimension
     *     ({@code [C]}), or null; borrowed
     */
    public BCEWithLogitsLoss(Tensor weight, Tensor posWeight, Reduction reduction) {
        this.reduction = checkReduction(reduction, false);
        this.weight = weight;
        this.posWeight = posWeight;
    }

    /** How per-element losses are reduced. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, weight, posWeight, reduction);
    }
}
