package dev.torch4j.nn;

import java.util.Objects;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.CrossEntropyOptions;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.functional.Reduction;

/**
 * Cross entropy of logits {@code [N, C]} (or {@code [N, C, d...]}, or {@code [C]}) against class indices
 * {@code [N]} / {@code [N, d...]} (int64) or class probabilities shaped as the input, as
 * {@code torch.nn.CrossEntropyLoss}; class weights, ignore index and label smoothing come from the
 * {@link CrossEntropyOptions} (its weight tensor is borrowed, see {@link Loss}).
 */
public class CrossEntropyLoss extends Loss {
    private final CrossEntropyOptions options;

    /** Defaults: no weights, ignore index -100, no label smoothing, {@link Reduction#MEAN}. */
    public CrossEntropyLoss() {
        this(new CrossEntropyOptions());
    }

    /** The options are read at every forward; do not change them while the loss is in use. */
    public CrossEntropyLoss(CrossEntropyOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, options);
    }
}
