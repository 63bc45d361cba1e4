package dev.torch4j.generation;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** A decoder-only language model that {@link Generator} can drive: next-token logits with a {@link KVCache}. */
public interface CausalLM {
    /**
     * Logits {@code (B, T, V)} for {@code inputIds (B, T)}, the tokens after the {@code cache.length()} cached
     * ones; the call appends their keys and values to {@code cache}.
     *
     * @param attentionMask null or {@code (B, past + T)}, 0 at padding
     * @param positionIds null (derived from the mask or the cache length) or int64 {@code (B, T)}
     * @param cache null for a stateless forward
     */
    Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache);

    /**
     * Logits {@code (B, V)} of the last of the {@code T} positions only, with the same arguments and cache effect as
     * {@link #forward}: all a generation step needs. The default takes them from {@link #forward}; models override
     * it to skip the vocabulary projection of the other positions (a prompt's prefill).
     */
    default Tensor forwardLast(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        try (Scope s = Torch.scope()) {
            Tensor logits = forward(inputIds, attentionMask, positionIds, cache);             // (B, T, V)
            return s.keep(logits.select(1, logits.size(1) - 1).clone());                       // (B, V)
        }
    }

    /** An empty cache for {@code batchSize} rows, preallocated for {@code capacity} positions. */
    KVCache newCache(long batchSize, long capacity);

    /** The longest sequence the model accepts (its number of position embeddings). */
    long maxPositions();

    /** End-of-sequence ids used when {@link GenerationConfig#eosTokenIds()} is unset. */
    long[] defaultEosTokenIds();
}
