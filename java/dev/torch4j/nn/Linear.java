package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.init.Init;

/**
 * {@code y = x W^T + b}: input {@code [*, in]}, output {@code [*, out]}; parameters {@code weight [out, in]}
 * and {@code bias [out]}. Initialised as PyTorch: weight kaiming-uniform with a = sqrt(5), bias
 * U(-1/sqrt(in), 1/sqrt(in)).
 */
public class Linear extends Module {
    private final long inFeatures;
    private final long outFeatures;

    public Linear(long inFeatures, long outFeatures) {
        this(new LinearOptions(inFeatures, outFeatures));
    }

    public Linear(LinearOptions o) {
        this.inFeatures = o.inFeatures;
        this.outFeatures = o.outFeatures;
        Tensor w = registerParameter("weight", Torch.empty(o.outFeatures, o.inFeatures));
        Tensor b = registerParameter("bias", o.bias ? Torch.empty(o.outFeatures) : null);
        resetParameters(w, b);
    }

    private void resetParameters(Tensor w, Tensor b) {
        Init.kaimingUniform_(w, Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu");
        if (b != null) {
            double bound = 1 / Math.sqrt(inFeatures);
            Init.uniform_(b, -bound, bound);
        }
    }

    public Tensor weight() {
        return parameter("weight");
    }

    /** The bias, or null when built with {@code bias(false)}. */
    public Tensor bias() {
        return parameter("bias");
    }

    public long inFeatures() {
        checkOpen();
        return inFeatures;
    }

    public long outFeatures() {
        checkOpen();
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.linear(x, weight(), bias());
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + pyBool(bias() != null);
    }
}
