package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.functional.Reduction;

/** Absolute error {@code |input - target|}, input and target of equal shape, as {@code torch.nn.L1Loss}. */
public class L1Loss extends Loss {
    private final Reduction reduction;
    /** Default reduction: {@link Reduction#MEAN}. */
    public L1Loss() {
        this(Reduction.MEAN);
    }

    /** @param reduction {@link Reduction#NONE}, {@link Reduction#MEAN} or {@link Reduction#SUM} */
    public L1Loss(Reduction reduction) {
        this.reduction = checkReduction(reduction, false);
    }

    /** How per-element losses are reduced. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.l1Loss(input, target, reduction);
    }
}
