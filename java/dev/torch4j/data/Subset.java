package dev.torch4j.data;

import java.util.Objects;

/**
 * The samples of another dataset at chosen indices, as PyTorch's {@code Subset(dataset, indices)}:
 * sample {@code i} is {@code dataset.get(indices[i])}. Borrows the underlying dataset.
 *
 * @param <T> the sample type
 */
public final class Subset<T> implements Dataset<T> {
    private final Dataset<T> dataset;
    private final long[] indices;

    /**
     * @param indices indices into {@code dataset}, each in {@code [0, dataset.size())}; repeats are allowed
     */
    public Subset(Dataset<T> dataset, long[] indices) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.indices = Objects.requireNonNull(indices, "indices").clone();
        long n = dataset.size();
        for (int i = 0; i < this.indices.length; i++)
            if (this.indices[i] < 0 || this.indices[i] >= n)
                throw new IndexOutOfBoundsException("Subset: indices[" + i + "] = " + this.indices[i]
                        + " is out of range for a dataset of " + n + " samples");
    }

    @Override
    public long size() {
        return indices.length;
    }

    @Override
    public T get(long index) {
        TensorDataset.checkIndex(index, indices.length);
        return dataset.get(indices[(int) index]);
    }

    /** The underlying dataset. */
    public Dataset<T> dataset() {
        return dataset;
    }

    /** The indices into {@link #dataset()} (a copy). */
    public long[] indices() {
        return indices.clone();
    }

    /** Maps indices of this subset to indices of the underlying dataset. */
    long[] map(long[] subsetIndices) {
        long[] out = new long[subsetIndices.length];
        for (int i = 0; i < out.length; i++) {
            TensorDataset.checkIndex(subsetIndices[i], indices.length);
            out[i] = indices[(int) subsetIndices[i]];
        }
        return out;
    }
}
