package dev.torch4j.training;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** A per-batch metric averaged over an epoch (weighted by batch size). */
@FunctionalInterface
public interface Metric {
    /** The metric of one batch; {@code output} and {@code target} are borrowed. */
    double compute(Tensor output, Tensor target);

    /** Classification accuracy: argmax of logits {@code [N, C]} against class ids {@code [N]}. */
    static Metric accuracy() {
        return (output, target) -> {
            try (Scope s = Torch.scope()) {
                return output.argmax(1, false).eq(target).to(DType.FLOAT32).mean().item();
            }
        };
    }

    /** Mean absolute error for regression outputs. */
    static Metric meanAbsoluteError() {
        return (output, target) -> {
            try (Scope s = Torch.scope()) {
                return output.sub(target).abs().mean().item();
            }
        };
    }
}
