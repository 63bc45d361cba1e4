package dev.torch4j.nn;

import java.util.Arrays;

import dev.torch4j.DType;
import dev.torch4j.GradMode;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;

/**
 * Batch normalization over the channel dimension 1 (base of {@link BatchNorm1d} and {@link BatchNorm2d}).
 * Training mode normalizes with batch statistics and updates {@code running_mean}/{@code running_var}
 * (momentum 0.1 by default) and {@code num_batches_tracked}; eval mode uses the running statistics.
 */
public abstract class BatchNorm extends Module {
    private final long numFeatures;
    private final double eps, momentum;
    private final int[] allowedDims;

    BatchNorm(long numFeatures, double eps, double momentum, boolean affine, int... allowedDims) {
        if (numFeatures <= 0) throw new IllegalArgumentException("num_features must be > 0, got " + numFeatures);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.allowedDims = allowedDims;
        registerParameter("weight", affine ? Torch.ones(numFeatures) : null);
        registerParameter("bias", affine ? Torch.zeros(numFeatures) : null);
        registerBuffer("running_mean", Torch.zeros(numFeatures));
        registerBuffer("running_var", Torch.ones(numFeatures));
        registerBuffer("num_batches_tracked", Torch.zeros(new long[0], DType.INT64));
    }

    @Override
    public Tensor forward(Tensor x) {
        int d = x.dim();
        if (Arrays.stream(allowedDims).noneMatch(a -> a == d))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected " + Arrays.toString(allowedDims)
                    + "-D input, got " + d + "-D input of shape " + Arrays.toString(x.shape()));
        if (x.size(1) != numFeatures)
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected " + numFeatures + " channels, got " + x.size(1));
        boolean training = isTraining();
        if (training) {
            try (GradMode g = Torch.noGrad()) {
                buffer("num_batches_tracked").add_(1L);
            }
        }
        return F.batchNorm(x, buffer("running_mean"), buffer("running_var"), parameter("weight"), parameter("bias"), training,
                momentum, eps);
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + pyFloat(eps) + ", momentum=" + pyFloat(momentum) + ", affine=" + pyBool(parameter("weight") != null)
                + ", track_running_stats=True";
    }
}
