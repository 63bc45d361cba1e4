package dev.torch4j.data;

import java.util.OptionalLong;

/**
 * Options of a {@link DataLoader}, with PyTorch's defaults: {@code new DataLoaderOptions().batchSize(32)
 * .shuffle(true).seed(0)}. Setters validate and return {@code this}; the loader copies the options, so
 * changing them later does not affect it.
 */
public final class DataLoaderOptions {
    private long batchSize = 1;
    private boolean shuffle;
    private boolean hasSeed;
    private long seed;
    private boolean dropLast;
    private int prefetch;

    /** Options with every default. */
    public DataLoaderOptions() {}

    private DataLoaderOptions(DataLoaderOptions o) {
        batchSize = o.batchSize;
        shuffle = o.shuffle;
        hasSeed = o.hasSeed;
        seed = o.seed;
        dropLast = o.dropLast;
        prefetch = o.prefetch;
    }

    /** Samples per batch. Default: 1. */
    public DataLoaderOptions batchSize(long batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("Invalid batch size: " + batchSize + " (expected >= 1)");
        this.batchSize = batchSize;
        return this;
    }

    /** Reorders the samples at random every epoch. Default: false. */
    public DataLoaderOptions shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    /**
     * Seeds the loader's own generator, as {@code generator=torch.Generator().manual_seed(seed)} in
     * PyTorch: epoch {@code e} of two loaders with the same seed (and dataset size) has the same order, and
     * each epoch differs from the previous one. Default: none, in which case, as PyTorch without a
     * generator, each epoch draws from the global generator ({@link dev.torch4j.Torch#manualSeed}).
     */
    public DataLoaderOptions seed(long seed) {
        this.hasSeed = true;
        this.seed = seed;
        return this;
    }

    /** Drops the last batch if it has fewer than {@link #batchSize()} samples. Default: false. */
    public DataLoaderOptions dropLast(boolean dropLast) {
        this.dropLast = dropLast;
        return this;
    }

    /**
     * Batches made ahead on a background thread while the consumer works; 0 makes every batch on the
     * consumer's thread inside {@code next()}. Default: 0.
     */
    public DataLoaderOptions prefetch(int prefetch) {
        if (prefetch < 0) throw new IllegalArgumentException("Invalid prefetch count: " + prefetch + " (expected >= 0)");
        this.prefetch = prefetch;
        return this;
    }

    /** Samples per batch. */
    public long batchSize() {
        return batchSize;
    }

    /** Whether each epoch is shuffled. */
    public boolean shuffle() {
        return shuffle;
    }

    /** The seed of the loader's own generator, if set. */
    public OptionalLong seed() {
        return hasSeed ? OptionalLong.of(seed) : OptionalLong.empty();
    }

    /** Whether a last partial batch is dropped. */
    public boolean dropLast() {
        return dropLast;
    }

    /** Batches made ahead on a background thread (0: none). */
    public int prefetch() {
        return prefetch;
    }

    DataLoaderOptions copy() {
        return new DataLoaderOptions(this);
    }

    @Override
    public String toString() {
        return "DataLoaderOptions(batchSize=" + batchSize + ", shuffle=" + shuffle + ", seed="
                + (hasSeed ? Long.toString(seed) : "none") + ", dropLast=" + dropLast + ", prefetch=" + prefetch + ")";
    }
}
