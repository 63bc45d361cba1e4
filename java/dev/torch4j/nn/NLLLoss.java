package dev.torch4j.nn;

import java.util.Objects;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.CrossEntropyOptions;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.functional.Reduction;

/**
 * Negative log likelihood of log-probabilities {@code [N, C]} (or {@code [N, C, d...]}) at int64 class indices
 * {@code [N]} (or {@code [N, d...]}), as {@code torch.nn.NLLLoss}; class weights and ignore index come from the
 * {@link CrossEntropyOptions} (label smoothing is rejected; the weight tensor is borrowed, see {@link Loss}).
 */
public class NLLLoss extends Loss {
    private final CrossEntropyOptions options;

    /** Defaults: no weights, ignore index -100, {@link Reduction#MEAN}. */
    public NLLLoss() {
        this(new CrossEntropyOptions());
    }

    /** The options are read at every forward; do not change them while the loss is in use. */
    public NLLLoss(CrossEntropyOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.nllLoss(input, target, options);
    }
}
