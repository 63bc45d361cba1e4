package dev.torch4j.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Several datasets one after the other, as PyTorch's {@code ConcatDataset([a, b])}: indices
 * {@code 0 .. a.size()-1} address {@code a}, the next {@code b.size()} address {@code b}, and so on.
 * Borrows the datasets.
 *
 * @param <T> the sample type
 */
public final class ConcatDataset<T> implements Dataset<T> {
    private final List<Dataset<? extends T>> datasets;
    /** cumulative[i] = total size of datasets 0..i. */
    private final long[] cumulative;

    /** @param datasets at least one dataset */
    public ConcatDataset(List<? extends Dataset<? extends T>> datasets) {
        Objects.requireNonNull(datasets, "datasets");
        if (datasets.isEmpty()) throw new IllegalArgumentException("ConcatDataset: expected at least one dataset");
        for (int i = 0; i < datasets.size(); i++)
            if (datasets.get(i) == null) throw new NullPointerException("datasets[" + i + "] must not be null");
        this.datasets = List.copyOf(datasets);
        this.cumulative = new long[datasets.size()];
        long total = 0;
        for (int i = 0; i < cumulative.length; i++) {
            total += this.datasets.get(i).size();
            cumulative[i] = total;
        }
    }

    /** As {@link #ConcatDataset(List)}. */
    @SafeVarargs
    public ConcatDataset(Dataset<? extends T>... datasets) {
        this(Arrays.asList(Objects.requireNonNull(datasets, "datasets")));
    }

    @Override
    public long size() {
        return cumulative[cumulative.length - 1];
    }

    @Override
    public T get(long index) {
        TensorDataset.checkIndex(index, size());
        int part = Arrays.binarySearch(cumulative, index);
        // An exact hit is the first index of the next non-empty part; a miss gives the insertion point.
        part = part >= 0 ? part + 1 : -part - 1;
        while (datasets.get(part).size() == 0) part++;
        long start = part == 0 ? 0 : cumulative[part - 1];
        return datasets.get(part).get(index - start);
    }

    /** The concatenated datasets, in order (unmodifiable). */
    public List<Dataset<? extends T>> datasets() {
        return datasets;
    }
}
