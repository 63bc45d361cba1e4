package dev.torch4j.generation;

import java.util.Arrays;

import dev.torch4j.DType;
import dev.torch4j.Device;
import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Keys and values of every attention layer for the positions processed so far ({@code past_key_values}),
 * so that decoding one more token costs one position of work per layer instead of re-running the prompt.
 *
 * <p>Storage is preallocated per layer as {@code (B, nh, capacity, hs)} buffers; {@link #update} copies
 * the new positions in place and returns views of the filled prefix, so a decode step allocates nothing
 * proportional to the sequence length (only attention itself reads all {@link #length()} positions). When a
 * forward would pass {@link #capacity()}, the buffers grow by doubling (one copy, amortised).
 *
 * <p>Protocol, per forward call: {@link #update} once for each layer with the same number of new positions
 * {@code T}, then {@link #advance} by {@code T}. The cache owns its buffers; {@link #close()} frees them.
 */
public final class KVCache implements AutoCloseable {
    private final long batch, numHeads, headDim;
    private final Tensor[] keys, values;
    private long capacity;
    private long length;
    private long pending = -1;
    private boolean closed;

    /**
     * @param numLayers attention layers
     * @param batch rows {@code B}
     * @param numHeads heads {@code nh}
     * @param headDim head size {@code hs}
     * @param capacity positions to preallocate (grows when exceeded)
     */
    public KVCache(int numLayers, long batch, long numHeads, long headDim, long capacity, DType dtype, Device device) {
        if (numLayers <= 0 || batch <= 0 || numHeads <= 0 || headDim <= 0 || capacity <= 0)
            throw new IllegalArgumentException("KVCache: numLayers, batch, numHeads, headDim and capacity must be > 0, got "
                    + numLayers + ", " + batch + ", " + numHeads + ", " + headDim + ", " + capacity);
        this.batch = batch;
        this.numHeads = numHeads;
        this.headDim = headDim;
        this.capacity = capacity;
        this.keys = new Tensor[numLayers];
        this.values = new Tensor[numLayers];
        try {
            for (int i = 0; i < numLayers; i++) {
                keys[i] = allocate(capacity, dtype, device);
                values[i] = allocate(capacity, dtype, device);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Tensor allocate(long cap, DType dtype, Device device) {
        try (Scope s = Torch.scope()) {
            Tensor t = Torch.zeros(new long[] {batch, numHeads, cap, headDim}, dtype);
            Tensor placed = t.device().equals(device) ? t : t.to(device);
            return Scope.release(s.keep(placed));
        }
    }

    /** Positions stored (the {@code past} length for the next forward). */
    public long length() {
        checkOpen();
        return length;
    }

    /** Positions the buffers hold before they must grow. */
    public long capacity() {
        checkOpen();
        return capacity;
    }

    public int numLayers() {
        return keys.length;
    }

    public long batchSize() {
        return batch;
    }

    /**
     * Writes layer {@code layer}'s new keys and values {@code (B, nh, T, hs)} at positions
     * {@code [length, length + T)} and returns views {@code [keys, values]}, each {@code (B, nh, length + T, hs)},
     * owned by the caller (closing them leaves the cache intact).
     */
    public Tensor[] update(int layer, Tensor k, Tensor v) {
        checkOpen();
        if (layer < 0 || layer >= keys.length)
            throw new IllegalArgumentException("layer: expected 0.." + (keys.length - 1) + ", got " + layer);
        long[] ks = k.shape();
        if (ks.length != 4 || ks[0] != batch || ks[1] != numHeads || ks[3] != headDim || !Arrays.equals(ks, v.shape()))
            throw new IllegalArgumentException("k/v: expected (B, nh, T, hs) = (" + batch + ", " + numHeads + ", T, " + headDim
                    + ") for both, got " + Arrays.toString(ks) + " and " + Arrays.toString(v.shape()));
        long t = ks[2];
        if (pending >= 0 && pending != t)
            throw new IllegalStateException("update: every layer must add the same number of positions in one forward ("
                    + pending + "), got " + t);
        pending = t;
        if (length + t > capacity) grow(Math.max(2 * capacity, length + t));
        try (GradMode g = Torch.noGrad(); Tensor kd = keys[layer].narrow(2, length, t); Tensor vd = values[layer].narrow(2, length, t)) {
            kd.copy_(k);
            vd.copy_(v);
        }
        return new Tensor[] {keys[layer].narrow(2, 0, length + t), values[layer].narrow(2, 0, length + t)};
    }

    /** Commits the {@code t} positions every layer has just written. */
    public void advance(long t) {
        checkOpen();
        if (t != pending)
            throw new IllegalStateException("advance: expected the " + pending + " positions written by update, got " + t);
        length += t;
        pending = -1;
    }

    /** Forgets every stored position (the buffers are kept for reuse). */
    public void reset() {
        checkOpen();
        length = 0;
        pending = -1;
    }

    /** Layer {@code layer}'s stored keys {@code (B, nh, length, hs)}, a view owned by the caller. */
    public Tensor keys(int layer) {
        checkOpen();
        return keys[layer].narrow(2, 0, length);
    }

    /** Layer {@code layer}'s stored values {@code (B, nh, length, hs)}, a view owned by the caller. */
    public Tensor values(int layer) {
        checkOpen();
        return values[layer].narrow(2, 0, length);
    }

    /**
     * Layer {@code layer}'s whole key buffer {@code (B, nh, capacity, hs)}, a contiguous view owned by the caller, for
     * kernels that read the first positions in place (e.g. {@link dev.torch4j.kernels.Kernels#decodeAttention}). Slots
     * past {@code length()} (plus the positions written since the last {@link #advance}) hold stale data. A later
     * {@link #update} may grow the cache and leave the view on the old buffer.
     */
    public Tensor keyBuffer(int layer) {
        checkOpen();
        return keys[layer].narrow(2, 0, capacity);
    }

    /** As {@link #keyBuffer}, for the values. */
    public Tensor valueBuffer(int layer) {
        checkOpen();
        return values[layer].narrow(2, 0, capacity);
    }

    private void grow(long newCapacity) {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = regrow(keys[i], newCapacity);
            values[i] = regrow(values[i], newCapacity);
        }
        capacity = newCapacity;
    }

    private Tensor regrow(Tensor old, long newCapacity) {
        Tensor bigger = allocate(newCapacity, old.dtype(), old.device());
        try (GradMode g = Torch.noGrad(); Tensor dst = bigger.narrow(2, 0, length); Tensor src = old.narrow(2, 0, length)) {
            dst.copy_(src);
        }
        old.close();
        return bigger;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("KVCache is closed");
    }

    /** Frees the buffers. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Tensor t : keys) if (t != null) t.close();
        for (Tensor t : values) if (t != null) t.close();
    }
}
