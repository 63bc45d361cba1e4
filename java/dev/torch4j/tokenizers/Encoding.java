package dev.torch4j.tokenizers;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tokenized text: parallel arrays of length {@link #length()}.
 *
 * @param ids token ids
 * @param attentionMask 1 for a real token, 0 for padding
 * @param typeIds segment ids (BERT's token type ids: 0 for the first sentence)
 * @param offsets {@code [start, end)} of each token in the input, in Java {@code char} (UTF-16) indices;
 *     {@code [0, 0]} for tokens that stand for no input text (special tokens, padding)
 * @param tokens the token strings (e.g. {@code "##ing"}, {@code "Ġworld"})
 */
public record Encoding(long[] ids, long[] attentionMask, long[] typeIds, int[][] offsets, String[] tokens) {

    /** Checks that all arrays have the same length. */
    public Encoding {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(attentionMask, "attentionMask");
        Objects.requireNonNull(typeIds, "typeIds");
        Objects.requireNonNull(offsets, "offsets");
        Objects.requireNonNull(tokens, "tokens");
        int n = ids.length;
        if (attentionMask.length != n || typeIds.length != n || offsets.length != n || tokens.length != n)
            throw new IllegalArgumentException("Encoding: arrays must have one length, got ids " + n + ", attentionMask "
                    + attentionMask.length + ", typeIds " + typeIds.length + ", offsets " + offsets.length + ", tokens "
                    + tokens.length);
        for (int[] o : offsets)
            if (o == null || o.length != 2) throw new IllegalArgumentException("offsets: expected [start, end] pairs");
    }

    /** Number of tokens. */
    public int length() {
        return ids.length;
    }

    @Override
    public String toString() {
        return "Encoding(ids=" + Arrays.toString(ids) + ", tokens=" + Arrays.toString(tokens) + ")";
    }
}
