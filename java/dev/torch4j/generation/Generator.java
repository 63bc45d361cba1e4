package dev.torch4j.generation;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.torch4j.DType;
import dev.torch4j.Device;
import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * The decoding loop: one forward over the prompt fills a {@link KVCache}, then each step feeds only the
 * token just chosen (one position per row), so a step's cost does not grow with the prompt beyond attention
 * reading the cached keys. Runs under {@link Torch#noGrad()}; the caller chooses train or eval mode (models'
 * {@code generate} methods switch to eval).
 *
 * <p>Batches: rows of different lengths are left-padded ({@code attentionMask} 0 at padding, the last column
 * all real tokens); positions count real tokens only, so a padded row generates what it would alone. A row
 * stops at an EOS id or a stop sequence and is padded with {@link GenerationConfig#padTokenId()} while others go
 * on; generation ends when all rows stopped or after {@code maxNewTokens}.
 */
public final class Generator {
    private Generator() {}

    /**
     * Generates continuations of {@code inputIds (B, P)}.
     *
     * @param attentionMask null (no padding) or {@code (B, P)}, 0 at left padding
     * @param listener null, or called with every token as it is chosen
     * @return the new ids only, int64 {@code (B, n)} with {@code n <= maxNewTokens} (the caller owns it)
     */
    public static Tensor generate(CausalLM model, Tensor inputIds, Tensor attentionMask, GenerationConfig config,
                                  TokenListener listener) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(config, "config");
        if (inputIds.dim() != 2 || inputIds.dtype() != DType.INT64 || inputIds.size(1) == 0)
            throw new IllegalArgumentException("inputIds: expected non-empty int64 (B, P), got " + inputIds.dtype().pytorchName()
                    + " " + Arrays.toString(inputIds.shape()));
        int b = (int) inputIds.size(0);
        long p = inputIds.size(1);
        int maxNew = config.maxNewTokens();
        long[] validLen = new long[b];
        if (attentionMask == null) Arrays.fill(validLen, p);
        else validLen = checkLeftPadded(attentionMask, b, p);
        long longest = Arrays.stream(validLen).max().orElse(p);
        if (longest + maxNew > model.maxPositions())
            throw new IllegalArgumentException("prompt length " + longest + " + maxNewTokens " + maxNew
                    + " exceeds the model's maximum of " + model.maxPositions() + " positions");
        long[] eos = config.eosTokenIds() != null ? config.eosTokenIds() : model.defaultEosTokenIds();
        long pad = config.padTokenId().orElse(eos.length > 0 ? eos[0] : 0);
        List<long[]> stops = config.stopSequences();
        if (config.seed().isPresent()) Torch.manualSeed(config.seed().getAsLong());

        long[][] out = new long[b][maxNew];
        boolean[] done = new boolean[b];
        long[] nextPos = validLen.clone();
        int steps = 0;
        Device device = inputIds.device();
        Tensor last = null, seen = null, maskBuf = null;
        try (GradMode g = Torch.noGrad(); KVCache cache = model.newCache(b, p + maxNew)) {
            try (Scope s = Torch.scope()) {
                if (attentionMask != null) {
                    // Every generated position is real: the mask for all steps is built once, then narrowed.
                    Tensor m = attentionMask.ne(0).to(DType.INT64);
                    maskBuf = Scope.release(Torch.cat(List.of(m, on(Torch.ones(new long[] {b, maxNew}, DType.INT64), device)), 1));
                }
                Tensor maskView = maskBuf == null ? null : maskBuf.narrow(1, 0, p);
                // Position p - 1 is real in every row (left padding), so only its logits are needed.
                last = Scope.release(model.forwardLast(inputIds, maskView, null, cache));  // (B, V)
                if (config.repetitionPenalty() != 1.0)
                    seen = Scope.release(LogitsProcessors.seenMask(inputIds, attentionMask, last.size(1)));  // (B, V)
            }
            for (int step = 0; step < maxNew; step++) {
                try (Scope s = Torch.scope()) {
                    long[] ids = choose(last, seen, config, eos, step).toLongArray();
                    for (int r = 0; r < b; r++) {
                        if (done[r]) {
                            ids[r] = pad;
                            out[r][step] = pad;
                            continue;
                        }
                        out[r][step] = ids[r];
                        if (listener != null) listener.onToken(r, step, ids[r]);
                        if (contains(eos, ids[r]) || endsWithStop(out[r], step + 1, stops)) done[r] = true;
                    }
                    steps = step + 1;
                    if (steps == maxNew || allTrue(done)) break;
                    Tensor next = on(Torch.tensor(ids, b, 1), device);                                 // (B, 1)
                    if (seen != null) {
                        Tensor updated = Scope.release(seen.scatter(1, next, 1.0));
                        seen.close();
                        seen = updated;
                    }
                    Tensor pos = on(Torch.tensor(nextPos, b, 1), device);                              // (B, 1)
                    for (int r = 0; r < b; r++) nextPos[r]++;
                    Tensor maskView = maskBuf == null ? null : maskBuf.narrow(1, 0, p + step + 1);
                    Tensor logits = model.forward(next, maskView, pos, cache);             // (B, 1, V)
                    Tensor newLast = Scope.release(logits.select(1, 0));                    // (B, V)
                    last.close();
                    last = newLast;
                }
            }
        } finally {
            if (last != null) last.close();
            if (seen != null) seen.close();
            if (maskBuf != null) maskBuf.close();
        }
        long[] flat = new long[b * steps];
        for (int r = 0; r < b; r++) System.arraycopy(out[r], 0, flat, r * steps, steps);
        return Torch.tensor(flat, b, steps);
    }

    /** The next token per row, {@code (B)} int64, after the configured score transforms. */
    private static Tensor choose(Tensor last, Tensor seen, GenerationConfig c, long[] eos, int step) {
        Tensor scores = last.to(DType.FLOAT32);
        if (seen != null) scores = LogitsProcessors.repetitionPenalty(scores, seen, c.repetitionPenalty());
        if (step < c.minNewTokens() && eos.length > 0) scores = LogitsProcessors.suppress(scores, eos);
        if (!c.doSample()) return scores.argmax(-1, false);
        if (c.temperature() != 1.0) scores = LogitsProcessors.temperature(scores, c.temperature());
        if (c.topK() > 0) scores = LogitsProcessors.topK(scores, c.topK());
        if (c.topP() < 1.0) scores = LogitsProcessors.topP(scores, c.topP());
        return scores.softmax(-1).multinomial(1, false).view(-1);
    }

    private static long[] checkLeftPadded(Tensor mask, int b, long p) {
        if (mask.dim() != 2 || mask.size(0) != b || mask.size(1) != p)
            throw new IllegalArgumentException("attentionMask: expected shape [" + b + ", " + p + "] (as inputIds), got "
                    + Arrays.toString(mask.shape()));
        try (Scope s = Torch.scope()) {
            Tensor valid = mask.ne(0);
            if (!valid.select(1, p - 1).all().itemBoolean())
                throw new IllegalArgumentException("attentionMask: generation needs left padding (the last column must be all "
                        + "real tokens); got a row that ends in padding");
            Tensor v64 = valid.to(DType.INT64);
            // Left padding means a row's mask never drops from 1 back to 0.
            if (p > 1 && v64.narrow(1, 1, p - 1).lt(v64.narrow(1, 0, p - 1)).any().itemBoolean())
                throw new IllegalArgumentException("attentionMask: expected left padding (zeros only before the first real "
                        + "token), got a gap inside a row");
            return v64.sum(1, false).toLongArray();
        }
    }

    private static Tensor on(Tensor t, Device device) {
        return device.equals(t.device()) ? t : t.to(device);
    }

    private static boolean contains(long[] a, long v) {
        for (long x : a) if (x == v) return true;
        return false;
    }

    private static boolean endsWithStop(long[] row, int n, List<long[]> stops) {
        outer:
        for (long[] s : stops) {
            if (s.length > n) continue;
            for (int i = 0; i < s.length; i++) if (row[n - s.length + i] != s[i]) continue outer;
            return true;
        }
        return false;
    }

    private static boolean allTrue(boolean[] a) {
        for (boolean x : a) if (!x) return false;
        return true;
    }
}
