package dev.torch4j.generation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How {@link Generator} decodes, as Hugging Face's {@code GenerationConfig}. Fluent and validated: each setter
 * throws {@link IllegalArgumentException} naming the value that was wrong. {@code new GenerationConfig()} is
 * greedy decoding of at most 20 tokens.
 *
 * <pre>{@code
 * new GenerationConfig().maxNewTokens(40);                                   // greedy
 * new GenerationConfig().maxNewTokens(40).doSample(true).temperature(0.8).topK(40).topP(0.95).seed(42);
 * }</pre>
 *
 * <p>Order of the score transforms (as Hugging Face): repetition penalty, EOS suppression below
 * {@link #minNewTokens}, then, when sampling, temperature, top-k and top-p.
 */
public final class GenerationConfig {
    private int maxNewTokens = 20;
    private int minNewTokens = 0;
    private boolean doSample = false;
    private double temperature = 1.0;
    private int topK = 50;
    private double topP = 1.0;
    private double repetitionPenalty = 1.0;
    private Long seed;
    private long[] eosTokenIds;
    private Long padTokenId;
    private final List<long[]> stopSequences = new ArrayList<>();

    /** Upper bound on generated tokens per row. Must be > 0. Default: 20. */
    public GenerationConfig maxNewTokens(int n) {
        if (n <= 0) throw new IllegalArgumentException("maxNewTokens must be > 0, got " + n);
        maxNewTokens = n;
        return this;
    }

    /** EOS cannot be chosen before this many new tokens (stop sequences still apply). Must be >= 0. Default: 0. */
    public GenerationConfig minNewTokens(int n) {
        if (n < 0) throw new IllegalArgumentException("minNewTokens must be >= 0, got " + n);
        minNewTokens = n;
        return this;
    }

    /** Sample from the (transformed) distribution instead of taking the arg max. Default: false (greedy). */
    public GenerationConfig doSample(boolean b) {
        doSample = b;
        return this;
    }

    /** Divides the logits when sampling; below 1 sharpens, above 1 flattens. Must be > 0. Default: 1.0. */
    public GenerationConfig temperature(double t) {
        if (!(t > 0) || Double.isInfinite(t)) throw new IllegalArgumentException("temperature must be a finite number > 0, got " + t);
        temperature = t;
        return this;
    }

    /** When sampling, keep only the {@code k} most likely tokens; 0 disables. Must be >= 0. Default: 50 (as Hugging Face). */
    public GenerationConfig topK(int k) {
        if (k < 0) throw new IllegalArgumentException("topK must be >= 0, got " + k);
        topK = k;
        return this;
    }

    /**
     * When sampling, keep the smallest set of most likely tokens whose probability reaches {@code p} (nucleus);
     * 1 disables. Must satisfy 0 < p <= 1. Default: 1.0.
     */
    public GenerationConfig topP(double p) {
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + p);
        topP = p;
        return this;
    }

    /**
     * Penalises tokens already present (prompt and generated, padding excluded): positive logits are divided by
     * it, negative ones multiplied (Hugging Face / CTRL). 1 disables. Must be > 0. Default: 1.0.
     */
    public GenerationConfig repetitionPenalty(double penalty) {
        if (!(penalty > 0) || Double.isInfinite(penalty))
            throw new IllegalArgumentException("repetitionPenalty must be a finite number > 0, got " + penalty);
        repetitionPenalty = penalty;
        return this;
    }

    /** Seeds the default generator ({@code Torch.manualSeed}) when generation starts, for reproducible sampling. Default: unset. */
    public GenerationConfig seed(long s) {
        seed = s;
        return this;
    }

    /** A row stops after emitting this id. Default: the model's EOS id (GPT-2: 50256). */
    public GenerationConfig eosTokenId(long id) {
        return eosTokenIds(id);
    }

    /** A row stops after emitting any of these ids; an empty array ({@code new long[0]}) disables EOS stopping. Default: the model's EOS ids. */
    public GenerationConfig eosTokenIds(long... ids) {
        Objects.requireNonNull(ids, "eosTokenIds");
        for (long id : ids) if (id < 0) throw new IllegalArgumentException("eosTokenIds: ids must be >= 0, got " + id);
        eosTokenIds = ids.clone();
        return this;
    }

    /** Id written after a row has stopped while others continue. Must be >= 0. Default: the first EOS id, else 0. */
    public GenerationConfig padTokenId(long id) {
        if (id < 0) throw new IllegalArgumentException("padTokenId must be >= 0, got " + id);
        padTokenId = id;
        return this;
    }

    /**
     * Adds a stop sequence: a row stops once its generated tokens end with {@code ids} (which stay in the
     * output). Must be non-empty. Default: none.
     */
    public GenerationConfig stopSequence(long... ids) {
        Objects.requireNonNull(ids, "stopSequence");
        if (ids.length == 0) throw new IllegalArgumentException("stopSequence must not be empty");
        stopSequences.add(ids.clone());
        return this;
    }

    public int maxNewTokens() { return maxNewTokens; }
    public int minNewTokens() { return minNewTokens; }
    public boolean doSample() { return doSample; }
    public double temperature() { return temperature; }
    public int topK() { return topK; }
    public double topP() { return topP; }
    public double repetitionPenalty() { return repetitionPenalty; }
    public OptionalLong seed() { return seed == null ? OptionalLong.empty() : OptionalLong.of(seed); }

    /** The EOS ids, or null when unset (the model's default applies). */
    public long[] eosTokenIds() { return eosTokenIds == null ? null : eosTokenIds.clone(); }

    public OptionalLong padTokenId() { return padTokenId == null ? OptionalLong.empty() : OptionalLong.of(padTokenId); }

    public List<long[]> stopSequences() {
        List<long[]> copy = new ArrayList<>();
        for (long[] s : stopSequences) copy.add(s.clone());
        return Collections.unmodifiableList(copy);
    }
}
