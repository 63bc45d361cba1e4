package dev.torch4j.tokenizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * A batch of encodings padded on the right to one length {@code T}: {@link #encodings()} holds the padded rows,
 * whose attention mask is 0 on padding. {@link #inputIds()}, {@link #attentionMask()} and
 * {@link #tokenTypeIds()} give the {@code [B, T]} int64 tensors a model takes; each call makes a new tensor that
 * the caller owns (close it, or create it inside a {@link dev.torch4j.Scope}).
 */
public final class BatchEncoding {
    private final List<Encoding> encodings;
    private final int length;

    private BatchEncoding(List<Encoding> padded, int length) {
        this.encodings = List.copyOf(padded);
        this.length = length;
    }

    /**
     * Pads {@code rows} on the right to the longest one with {@code padId} (attention mask 0, type id 0, offsets
     * {@code [0, 0]}, token {@code padToken}). Tokenizer implementations use this after truncating.
     */
    public static BatchEncoding pad(List<Encoding> rows, long padId, String padToken) {
        Objects.requireNonNull(rows, "rows");
        int t = 0;
        for (Encoding e : rows) t = Math.max(t, Objects.requireNonNull(e, "rows[i]").length());
        List<Encoding> out = new ArrayList<>(rows.size());
        for (Encoding e : rows) {
            int n = e.length();
            if (n == t) {
                out.add(e);
                continue;
            }
            long[] ids = Arrays.copyOf(e.ids(), t);
            Arrays.fill(ids, n, t, padId);
            int[][] offsets = Arrays.copyOf(e.offsets(), t);
            for (int i = n; i < t; i++) offsets[i] = new int[2];
            String[] tokens = Arrays.copyOf(e.tokens(), t);
            Arrays.fill(tokens, n, t, padToken);
            out.add(new Encoding(ids, Arrays.copyOf(e.attentionMask(), t), Arrays.copyOf(e.typeIds(), t), offsets, tokens));
        }
        return new BatchEncoding(out, t);
    }

    /** The padded rows, in input order. */
    public List<Encoding> encodings() {
        return encodings;
    }

    /** Number of rows {@code B}. */
    public int batchSize() {
        return encodings.size();
    }

    /** Padded length {@code T}. */
    public int length() {
        return length;
    }

    /** Token ids {@code [B, T]}, int64, new tensor owned by the caller. */
    public Tensor inputIds() {
        return matrix(0);
    }

    /** Attention mask {@code [B, T]} (1 = real token), int64, new tensor owned by the caller. */
    public Tensor attentionMask() {
        return matrix(1);
    }

    /** Token type ids {@code [B, T]}, int64, new tensor owned by the caller. */
    public Tensor tokenTypeIds() {
        return matrix(2);
    }

    /** Row-major ids, masks or type ids as plain arrays ({@code [B][T]}). */
    public long[][] ids() {
        return rows(0);
    }

    private long[][] rows(int which) {
        long[][] out = new long[encodings.size()][];
        for (int i = 0; i < out.length; i++) {
            Encoding e = encodings.get(i);
            out[i] = (which == 0 ? e.ids() : which == 1 ? e.attentionMask() : e.typeIds()).clone();
        }
        return out;
    }

    private Tensor matrix(int which) {
        long[][] r = rows(which);
        long[] flat = new long[r.length * length];
        for (int i = 0; i < r.length; i++) System.arraycopy(r[i], 0, flat, i * length, length);
        return Torch.tensor(flat, r.length, length);
    }

    @Override
    public String toString() {
        return "BatchEncoding(batchSize=" + batchSize() + ", length=" + length + ")";
    }
}
