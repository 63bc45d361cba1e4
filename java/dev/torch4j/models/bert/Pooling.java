package dev.torch4j.models.bert;

import java.util.Arrays;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Sentence embeddings from token hidden states, as sentence-transformers computes them ({@code Pooling} and
 * {@code Normalize} modules). Each method returns a new tensor the caller owns.
 */
public final class Pooling {
    private Pooling() {}

    /**
     * Mean of the real tokens' hidden states: {@code sum_t h[b,t] m[b,t] / max(sum_t m[b,t], 1e-9)}.
     *
     * @param hidden {@code [B, T, H]}
     * @param attentionMask {@code [B, T]}, 1 for real tokens and 0 for padding
     * @return {@code [B, H]}
     */
    public static Tensor mean(Tensor hidden, Tensor attentionMask) {
        checkHidden(hidden);
        long b = hidden.size(0), t = hidden.size(1);
        if (!Arrays.equals(attentionMask.shape(), new long[] {b, t}))
            throw new IllegalArgumentException("attentionMask: expected shape [" + b + ", " + t + "], got " + Arrays.toString(attentionMask.shape()));
        try (Scope s = Torch.scope()) {
            Tensor m = attentionMask.to(hidden.device(), hidden.dtype()).unsqueeze(-1);  // (B, T, 1)
            Tensor sum = hidden.mul(m).sum(1);                                          // (B, H)
            Tensor count = m.sum(1).clampMin(1e-9);                                     // (B, 1)
            return s.keep(sum.div(count));
        }
    }

    /**
     * The first ([CLS]) token's hidden state.
     *
     * @param hidden {@code [B, T, H]}
     * @return {@code [B, H]}
     */
    public static Tensor cls(Tensor hidden) {
        checkHidden(hidden);
        try (Tensor first = hidden.select(1, 0)) {
            return first.contiguous();
        }
    }

    /**
     * Rows scaled to unit L2 norm: {@code x / max(||x||_2, 1e-12)} over the last dimension (as
     * {@code torch.nn.functional.normalize(x, p=2, dim=-1)}).
     */
    public static Tensor l2Normalize(Tensor x) {
        if (x.dim() < 1) throw new IllegalArgumentException("x: expected at least 1 dimension, got a scalar");
        try (Scope s = Torch.scope()) {
            Tensor norm = x.square().sum(-1, true).sqrt().clampMin(1e-12);              // (..., 1)
            return s.keep(x.div(norm));
        }
    }

    private static void checkHidden(Tensor hidden) {
        if (hidden.dim() != 3)
            throw new IllegalArgumentException("hidden: expected 3 dimensions [B, T, H], got shape " + Arrays.toString(hidden.shape()));
    }
}
