package dev.torch4j.distributed;

import java.util.Arrays;
import java.util.Objects;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.global.torch;

import dev.torch4j.Tensor;
import dev.torch4j.data.Dataset;
import dev.torch4j.data.Subset;

/**
 * Splits a dataset's indices between the ranks of a group, as PyTorch's
 * {@code torch.utils.data.distributed.DistributedSampler}, with the same indices for the same arguments:
 *
 * <pre>
 * numSamples = dropLast &amp;&amp; size % numReplicas != 0 ? ceil((size - numReplicas) / numReplicas)
 *                                                  : ceil(size / numReplicas)
 * totalSize  = numSamples * numReplicas
 * indices    = shuffle ? randperm(size, generator seeded with seed + epoch) : 0..size-1
 * indices    = dropLast ? indices[:totalSize] : indices padded to totalSize by repeating it from the start
 * this rank  : indices[rank : totalSize : numReplicas]
 * </pre>
 *
 * <p>Use it with a {@link dev.torch4j.data.DataLoader} through {@link #subset(Dataset)} (build the loader
 * without shuffling: the sampler already shuffles), and call {@link #setEpoch} before each epoch so that
 * each epoch is shuffled differently:
 *
 * <pre>{@code
 * DistributedSampler sampler = new DistributedSampler(data.size(), pg.worldSize(), pg.rank()).seed(42);
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     sampler.setEpoch(epoch);
 *     for (Batch b : new DataLoader(sampler.subset(data), new DataLoaderOptions().batchSize(32))) { ... }
 * }
 * }</pre>
 *
 * <p>Holds no native memory.
 */
public final class DistributedSampler {
    private final long size;
    private final int numReplicas;
    private final int rank;
    private boolean shuffle = true;
    private long seed;
    private boolean dropLast;
    private long epoch;

    /**
     * A sampler over {@code size} samples for {@code rank} of {@code numReplicas}, shuffling with seed 0 and
     * padding (PyTorch's defaults).
     */
    public DistributedSampler(long size, int numReplicas, int rank) {
        if (size < 0) throw new IllegalArgumentException("size must be >= 0, got " + size);
        if (numReplicas < 1) throw new IllegalArgumentException("numReplicas must be >= 1, got " + numReplicas);
        if (rank < 0 || rank >= numReplicas)
            throw new IllegalArgumentException("rank must be in 0.." + (numReplicas - 1) + ", got " + rank);
        this.size = size;
        this.numReplicas = numReplicas;
        this.rank = rank;
    }

    /** A sampler for this rank of {@code group}. */
    public DistributedSampler(long size, ProcessGroup group) {
        this(size, group.worldSize(), group.rank());
    }

    /** Whether each epoch permutes the indices. Default: true. */
    public DistributedSampler shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    /** Seed of the shuffle; must be the same on every rank. Default: 0. */
    public DistributedSampler seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Drop the tail so that every rank gets the same number of samples, instead of padding with repeated
     * samples. Default: false.
     */
    public DistributedSampler dropLast(boolean dropLast) {
        this.dropLast = dropLast;
        return this;
    }

    /** Sets the epoch, which is added to the seed of the shuffle ({@code sampler.set_epoch(epoch)}). */
    public void setEpoch(long epoch) {
        this.epoch = epoch;
    }

    public long epoch() {
        return epoch;
    }

    public int rank() {
        return rank;
    }

    public int numReplicas() {
        return numReplicas;
    }

    /** Samples per rank per epoch ({@code len(sampler)}). */
    public long numSamples() {
        if (dropLast && size % numReplicas != 0) return ceilDiv(size - numReplicas, numReplicas);
        return ceilDiv(size, numReplicas);
    }

    /** Samples over all ranks per epoch, padding included. */
    public long totalSize() {
        return numSamples() * numReplicas;
    }

    /** This rank's dataset indices for the current epoch, in order. */
    public long[] indices() {
        long total = totalSize();
        if (total > Integer.MAX_VALUE - 8) throw new IllegalStateException("dataset too large for an index array: " + total);
        long[] all = shuffle ? permutation(size, seed + epoch) : range(size);
        long[] padded;
        if (dropLast) {
            padded = Arrays.copyOf(all, (int) total);
        } else {
            padded = new long[(int) total];
            for (int i = 0; i < total; i++) padded[i] = all[(int) (i % size)];
        }
        long[] mine = new long[(int) numSamples()];
        for (int i = 0; i < mine.length; i++) mine[i] = padded[rank + i * numReplicas];
        return mine;
    }

    /** A view of {@code dataset} holding this rank's samples of the current epoch (in sampler order). */
    public <T> Subset<T> subset(Dataset<T> dataset) {
        Objects.requireNonNull(dataset, "dataset");
        if (dataset.size() != size)
            throw new IllegalArgumentException("dataset: expected " + size + " samples (the sampler's size), got " + dataset.size());
        return new Subset<>(dataset, indices());
    }

    private static long ceilDiv(long a, long b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    private static long[] range(long n) {
        long[] r = new long[(int) n];
        for (int i = 0; i < r.length; i++) r[i] = i;
        return r;
    }

    /** {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()}. */
    private static long[] permutation(long n, long seed) {
        C10d.init();
        try (Generator g = torch.createCPUGenerator(seed);
                GeneratorOptional opt = new GeneratorOptional(g);
                Tensor p = Tensor.adopt(torch.randperm(n, opt))) {
            return p.toLongArray();
        }
    }

    @Override
    public String toString() {
        return "DistributedSampler(rank " + rank + " of " + numReplicas + ", numSamples=" + numSamples() + ", shuffle=" + shuffle
                + ", seed=" + seed + ", epoch=" + epoch + ", dropLast=" + dropLast + ")";
    }
}
