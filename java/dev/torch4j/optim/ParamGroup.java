package dev.torch4j.optim;

import java.util.List;
import java.util.OptionalDouble;

import dev.torch4j.Tensor;

/**
 * A list of parameters that share one set of hyper-parameters (PyTorch's {@code param_group}).
 *
 * @param <O> the optimizer's options type
 */
public final class ParamGroup<O extends OptimizerOptions> {
    private final List<Tensor> params;
    private final O options;
    private double initialLr = Double.NaN;

    ParamGroup(List<Tensor> params, O options) {
        this.params = List.copyOf(params);
        this.options = options;
    }

    /** The parameters (unmodifiable; the optimizer does not own them). */
    public List<Tensor> params() {
        return params;
    }

    /** This group's options; changes take effect at the next {@code step()}. */
    public O options() {
        return options;
    }

    /** The lr a scheduler started from (PyTorch's {@code initial_lr}), if a scheduler set one. */
    public OptionalDouble initialLr() {
        return Double.isNaN(initialLr) ? OptionalDouble.empty() : OptionalDouble.of(initialLr);
    }

    /** Sets {@link #initialLr()}; schedulers call this. */
    public void initialLr(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("Invalid initial learning rate: " + lr + " (expected >= 0)");
        this.initialLr = lr;
    }
}
