package dev.torch4j.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Gradient clipping, as PyTorch 1.13's {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}.
 * Both modify the gradients in place and skip parameters without a gradient.
 */
public final class GradClip {
    private GradClip() {}

    /** {@link #clipGradNorm(List, double, double, boolean)} with the 2-norm and no non-finite check. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2.0, false);
    }

    /** {@link #clipGradNorm(List, double, double, boolean)} without the non-finite check. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        return clipGradNorm(params, maxNorm, normType, false);
    }

    /**
     * Scales all gradients together so that their joint norm is at most {@code maxNorm}:
     *
     * <pre>
     * total = || (||g_1||_p, ..., ||g_n||_p) ||_p        (p = infinity: max_i max |g_i|)
     * g_i   = g_i * min(1, maxNorm / (total + 1e-6))
     * </pre>
     *
     * The scaling always runs (also when the factor is 1), as in PyTorch, to avoid a device synchronization.
     *
     * @param params the parameters whose gradients are clipped
     * @param maxNorm the largest allowed norm
     * @param normType {@code p}; {@link Double#POSITIVE_INFINITY} for the max norm
     * @param errorIfNonfinite throw if the total norm is NaN or infinite (gradients then stay untouched)
     * @return the total norm before clipping (0 when no parameter has a gradient)
     * @throws IllegalStateException if {@code errorIfNonfinite} and the norm is not finite
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        Objects.requireNonNull(params, "params");
        if (Double.isNaN(maxNorm)) throw new IllegalArgumentException("maxNorm: expected a number, got NaN");
        if (Double.isNaN(normType)) throw new IllegalArgumentException("normType: expected a number, got NaN");
        try (GradMode g = Torch.noGrad(); Scope s = Torch.scope()) {
            List<Tensor> grads = grads(params);
            if (grads.isEmpty()) return 0.0;
            List<Tensor> norms = new ArrayList<>(grads.size());
            Tensor total;
            if (normType == Double.POSITIVE_INFINITY) {
                for (Tensor gr : grads) norms.add(gr.abs().max().to(grads.get(0).device()));
                total = norms.size() == 1 ? norms.get(0) : Torch.stack(norms, 0).max();
            } else {
                for (Tensor gr : grads) norms.add(gr.norm(normType).to(grads.get(0).device()));
                total = Torch.stack(norms, 0).norm(normType);
            }
            double value = total.item();
            if (errorIfNonfinite && !Double.isFinite(value))
                throw new IllegalStateException("The total norm of order " + normType + " for gradients from params is"
                        + " non-finite (" + value + "), so it cannot be clipped. To disable this error and scale the"
                        + " gradients by the non-finite norm anyway, set errorIfNonfinite=false");
            Tensor coef = Torch.fullLike(total, maxNorm).div(total.add(1e-6)).clampMax(1.0);
            for (Tensor gr : grads) gr.mul_(coef.to(gr.device()));
            return value;
        }
    }

    /**
     * Clamps every gradient element into {@code [-clipValue, clipValue]}.
     *
     * @param clipValue the bound, {@code >= 0}
     */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        Objects.requireNonNull(params, "params");
        if (!(clipValue >= 0))
            throw new IllegalArgumentException("clipValue: expected a value >= 0, got " + clipValue);
        try (GradMode g = Torch.noGrad(); Scope s = Torch.scope()) {
            for (Tensor gr : grads(params)) gr.clamp_(-clipValue, clipValue);
        }
    }

    /** New handles on the existing gradients (in the current scope). */
    private static List<Tensor> grads(List<Tensor> params) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) throw new IllegalArgumentException("params[" + i + "] is null");
            Tensor gr = p.grad();
            if (gr != null) out.add(gr);
        }
        return out;
    }
}
