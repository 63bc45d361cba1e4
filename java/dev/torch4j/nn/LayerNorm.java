package dev.torch4j.nn;

import java.util.Arrays;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;

/** Layer normalization over trailing {@code normalizedShape} dims, with affine {@code weight} (ones) and {@code bias} (zeros). */
public class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;

    public LayerNorm(long normalizedShape) {
        this(new long[] {normalizedShape}, 1e-5, true);
    }

    /** Default eps: 1e-5 (BERT uses 1e-12, GPT-2 1e-5). */
    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("normalizedShape must not be empty");
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        registerParameter("weight", elementwiseAffine ? Torch.ones(normalizedShape) : null);
        registerParameter("bias", elementwiseAffine ? Torch.zeros(normalizedShape) : null);
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    public double eps() {
        return eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.layerNorm(x, normalizedShape, weight(), bias(), eps);
    }

    @Override
    protected String extraRepr() {
        String inner = Arrays.toString(normalizedShape);
        String shape = "(" + inner.substring(1, inner.length() - 1) + (normalizedShape.length == 1 ? ",)" : ")");
        return shape + ", eps=" + pyFloat(eps) + ", elementwise_affine=" + pyBool(weight() != null);
    }
}
