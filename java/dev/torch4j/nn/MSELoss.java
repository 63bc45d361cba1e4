package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.functional.Reduction;

/** Squared error {@code (input - target)^2}, input and target of equal shape, as {@code torch.nn.MSELoss}. */
public class MSELoss extends Loss {
    private final Reduction reduction;
    /** Default reduction: {@link Reduction#MEAN}. */
    public MSELoss() {
        this(Reduction.MEAN);
    }

    /** @param reduction {@link Reduction#NONE}, {@link Reduction#MEAN} or {@link Reduction#SUM} */
    public MSELoss(Reduction reduction) {
        this.reduction = checkReduction(reduction, false);
    }

    /** How per-element losses are reduced. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.mseLoss(input, target, reduction);
    }
}
