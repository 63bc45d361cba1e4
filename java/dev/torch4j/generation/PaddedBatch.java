package dev.torch4j.generation;

import java.util.List;
import java.util.Objects;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Prompts of different lengths, left-padded for generation: {@code inputIds} and {@code attentionMask}, both
 * int64 {@code (B, P)}, the mask 0 at padding. Owns both tensors; {@link #close()} frees them.
 */
public record PaddedBatch(Tensor inputIds, Tensor attentionMask) implements AutoCloseable {

    /** Left-pads {@code rows} (each non-empty) to the longest with {@code padId}. */
    public static PaddedBatch leftPad(List<long[]> rows, long padId) {
        Objects.requireNonNull(rows, "rows");
        if (rows.isEmpty()) throw new IllegalArgumentException("rows: expected at least one prompt");
        int p = 0;
        for (int i = 0; i < rows.size(); i++) {
            long[] r = Objects.requireNonNull(rows.get(i), "rows[" + i + "]");
            if (r.length == 0) throw new IllegalArgumentException("rows[" + i + "]: a prompt needs at least one token");
            p = Math.max(p, r.length);
        }
        int b = rows.size();
        long[] ids = new long[b * p], mask = new long[b * p];
        for (int i = 0; i < b; i++) {
            long[] r = rows.get(i);
            int pad = p - r.length;
            for (int j = 0; j < pad; j++) ids[i * p + j] = padId;
            System.arraycopy(r, 0, ids, i * p + pad, r.length);
            for (int j = pad; j < p; j++) mask[i * p + j] = 1;
        }
        Tensor inputIds = Torch.tensor(ids, b, p);
        return new PaddedBatch(inputIds, Torch.tensor(mask, b, p));
    }

    @Override
    public void close() {
        inputIds.close();
        attentionMask.close();
    }
}
