package dev.torch4j.optim.lr;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;

import dev.torch4j.optim.Optimizer;

/**
 * Sets each group's lr to its initial lr times a function of the epoch: {@code lr_e = lr_0 * f(e)}.
 *
 * <pre>{@code
 * new LambdaLR(opt, epoch -> Math.pow(0.95, epoch));
 * }</pre>
 */
public final class LambdaLR extends LRScheduler {
    private final IntToDoubleFunction[] lambdas;

    /** One factor function for every group. */
    public LambdaLR(Optimizer<?> optimizer, IntToDoubleFunction lrLambda) {
        this(optimizer, Collections.nCopies(optimizer.paramGroups().size(), Objects.requireNonNull(lrLambda, "lrLambda")));
    }

    /** One factor function per group, in group order. */
    public LambdaLR(Optimizer<?> optimizer, List<IntToDoubleFunction> lrLambdas) {
        super(optimizer);
        if (lrLambdas.size() != groups())
            throw new IllegalArgumentException("Expected " + groups() + " lrLambdas, but got " + lrLambdas.size());
        this.lambdas = lrLambdas.toArray(new IntToDoubleFunction[0]);
        for (int i = 0; i < lambdas.length; i++) Objects.requireNonNull(lambdas[i], "lrLambdas[" + i + "]");
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++) base[i] *= lambdas[i].applyAsDouble(lastEpoch);
        return base;
    }
}
