package dev.torch4j.nn;

import java.util.Objects;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.Reduction;

/**
 * Base of the loss modules ({@code torch.nn._Loss}): options are fixed at construction and
 * {@link #forward(Tensor, Tensor)} computes the loss. Weight tensors handed to a loss are borrowed, not
 * owned: they are not registered as buffers (unlike PyTorch, they are absent from {@link #stateDict()} and
 * not moved by {@link #to}), and the caller keeps them open while the loss is used and closes them after.
 */
public abstract class Loss extends Module {
    Loss() {}

    /** {@code reduction}, checked: not null, and {@link Reduction#BATCHMEAN} only where allowed. */
    final Reduction checkReduction(Reduction reduction, boolean batchmeanAllowed) {
        Objects.requireNonNull(reduction, "reduction");
        if (reduction == Reduction.BATCHMEAN && !batchmeanAllowed)
            throw new IllegalArgumentException("reduction: BATCHMEAN is only for KLDivLoss, got it for " + getClass().getSimpleName());
        return reduction;
    }

    /**
     * The loss of {@code input} against {@code target}: a scalar, or per element with {@link Reduction#NONE}.
     * The caller owns the result.
     */
    public abstract Tensor forward(Tensor input, Tensor target);
}
