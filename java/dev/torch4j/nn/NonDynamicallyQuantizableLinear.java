package dev.torch4j.nn;

/**
 * A {@link Linear} under PyTorch's class name for {@link MultiheadAttention#outProj()}, so the module prints
 * exactly as {@code torch.nn.MultiheadAttention} does; it computes the same as {@link Linear}.
 */
public class NonDynamicallyQuantizableLinear extends Linear {
    /** As {@link Linear#Linear(LinearOptions)}. */
    public NonDynamicallyQuantizableLinear(LinearOptions options) {
        super(options);
    }
}
