package dev.torch4j.generation;

import java.util.Arrays;

import dev.torch4j.DType;
import dev.torch4j.Device;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.ValuesIndices;

/**
 * The next-token score transforms of generation, on scores {@code (B, V)}, with Hugging Face's semantics
 * ({@code RepetitionPenaltyLogitsProcessor}, {@code TemperatureLogitsWarper}, {@code TopKLogitsWarper},
 * {@code TopPLogitsWarper}). Each returns a new tensor; removed tokens get {@code -inf}.
 */
public final class LogitsProcessors {
    private LogitsProcessors() {}

    private static void check2d(Tensor scores) {
        if (scores.dim() != 2 || !scores.isFloatingPoint())
            throw new IllegalArgumentException("scores: expected floating (B, V), got " + scores.dtype().pytorchName() + " "
                    + Arrays.toString(scores.shape()));
    }

    /** Bool {@code (B, V)}, true at every id of {@code ids (B, n)} (int64); {@code valid (B, n)} (0 = skip) may be null. */
    public static Tensor seenMask(Tensor ids, Tensor valid, long vocabSize) {
        try (Scope s = Torch.scope()) {
            long b = ids.size(0);
            Tensor counts = on(Torch.zeros(new long[] {b, vocabSize}, DType.INT64), ids.device());
            Tensor ones = valid == null ? Torch.onesLike(ids) : valid.ne(0).to(DType.INT64);
            return s.keep(counts.scatterAdd(1, ids, ones).gt(0));
        }
    }

    /**
     * Repetition penalty over the tokens marked in {@code seen} (bool {@code (B, V)}): a positive score is divided
     * by {@code penalty}, a negative one multiplied.
     */
    public static Tensor repetitionPenalty(Tensor scores, Tensor seen, double penalty) {
        check2d(scores);
        if (!(penalty > 0)) throw new IllegalArgumentException("penalty must be > 0, got " + penalty);
        if (seen.dtype() != DType.BOOL || !Arrays.equals(seen.shape(), scores.shape()))
            throw new IllegalArgumentException("seen: expected bool " + Arrays.toString(scores.shape()) + ", got "
                    + seen.dtype().pytorchName() + " " + Arrays.toString(seen.shape()));
        try (Scope s = Torch.scope()) {
            Tensor penalised = scores.mul(penalty).where(scores.lt(0), scores.div(penalty));
            return s.keep(penalised.where(seen, scores));
        }
    }

    /** {@link #repetitionPenalty(Tensor, Tensor, double)} over the ids {@code (B, n)} (as Hugging Face's processor). */
    public static Tensor repetitionPenaltyForIds(Tensor scores, Tensor ids, double penalty) {
        check2d(scores);
        try (Scope s = Torch.scope()) {
            return s.keep(repetitionPenalty(scores, seenMask(ids, null, scores.size(1)), penalty));
        }
    }

    /** {@code scores / temperature}. */
    public static Tensor temperature(Tensor scores, double temperature) {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        return scores.div(temperature);
    }

    /** Keeps the {@code k} highest scores per row (ties with the k-th are kept too); {@code k >= V} keeps all. */
    public static Tensor topK(Tensor scores, int k) {
        check2d(scores);
        if (k <= 0) throw new IllegalArgumentException("k must be > 0, got " + k);
        long kk = Math.min(k, scores.size(1));
        try (Scope s = Torch.scope()) {
            ValuesIndices top = scores.topk(kk, -1, true);
            Tensor kth = top.values().narrow(1, kk - 1, 1);                                 // (B, 1)
            return s.keep(scores.maskedFill(scores.lt(kth), Double.NEGATIVE_INFINITY));
        }
    }

    /**
     * Nucleus filter: sorting ascending, removes the tokens whose cumulative probability is at most
     * {@code 1 - p}, always keeping the most likely one.
     */
    public static Tensor topP(Tensor scores, double p) {
        check2d(scores);
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("p must be in (0, 1], got " + p);
        try (Scope s = Torch.scope()) {
            ValuesIndices sorted = scores.sort(-1, false);                                // ascending, (B, V)
            Tensor cum = sorted.values().softmax(-1).cumsum(-1);                           // (B, V)
            Tensor remove = cum.le(1 - p);
            long v = scores.size(1);
            Tensor keepLast = on(Torch.arange(v), scores.device()).ge((double) (v - 1)).view(1, v);           // the most likely stays
            remove = remove.logicalAnd(keepLast.logicalNot());
            Tensor removeAt = remove.scatter(1, sorted.indices(), remove);                  // back to vocabulary order
            return s.keep(scores.maskedFill(removeAt, Double.NEGATIVE_INFINITY));
        }
    }

    private static Tensor on(Tensor t, Device device) {
        return device.equals(t.device()) ? t : t.to(device);
    }

    /** Sets the scores of {@code ids} to {@code -inf} (e.g. EOS before the minimum length). */
    public static Tensor suppress(Tensor scores, long[] ids) {
        check2d(scores);
        try (Scope s = Torch.scope()) {
            Tensor idx = on(Torch.tensor(ids, 1, ids.length), scores.device()).expand(scores.size(0), ids.length);
            return s.keep(scores.scatter(1, idx, Double.NEGATIVE_INFINITY));
        }
    }
}
