package dev.torch4j.nn;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.kernels.Kernels;
import dev.torch4j.kernels.PackedLinearWeight;
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
    private volatile PackedLinearWeight packed;  // see packedWeight()

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

    /**
     * The weight packed for torch4j's CPU linear kernel ({@link Kernels#linear(Tensor, PackedLinearWeight, Tensor,
     * Kernels.Activation)}), which then skips packing it on every call: made on the first call, then reused while the
     * weight is unchanged, and replaced (the old copy closed) once the weight has been modified in place or replaced.
     * Null when the weight is not float32 on the CPU. Costs {@code 4 * ceil(out / 32) * 32 * in} bytes until this
     * module is closed. Safe to call from many threads at once, under the same rule as {@link #forward}: not while
     * the weight is being changed.
     */
    public PackedLinearWeight packedWeight() {
        checkOpen();
        Tensor w = weight();
        PackedLinearWeight p = packed;
        if (p != null && p.isCurrentFor(w)) return p;
        synchronized (this) {
            p = packed;
            if (p != null && p.isCurrentFor(w)) return p;
            // Stale: nobody may still be using it (the weight cannot change under a running forward).
            PackedLinearWeight fresh = w.dtype() == DType.FLOAT32 && !w.device().isCuda()
                    ? PackedLinearWeight.pack(w, Kernels.WeightLayout.OUT_IN) : null;
            packed = fresh;
            if (p != null) p.close();
            return fresh;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (packed != null) packed.close();
            packed = null;
        }
        super.close();
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + pyBool(bias() != null);
    }
}
