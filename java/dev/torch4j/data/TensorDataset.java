package dev.torch4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.torch4j.Device;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Samples that are the rows of one or more tensors sharing their first dimension, as PyTorch's
 * {@code TensorDataset(features, labels)}: sample {@code i} is {@code [t0[i], t1[i], ...]}.
 *
 * <p><b>Borrows</b> its tensors: the caller keeps ownership, must keep them open while the dataset is used,
 * and closes them afterwards; the dataset never closes them.
 *
 * <p>A {@link DataLoader} over a {@code TensorDataset} (or a {@link Subset} of one) with the default
 * collation gathers each batch with one {@code index_select} per tensor ({@link #rows}) instead of stacking
 * samples one by one.
 */
public final class TensorDataset implements Dataset<List<Tensor>> {
    private final List<Tensor> tensors;
    private final long size;

    /**
     * @param tensors at least one tensor, each with at least one dimension, all of the same size in dim 0
     */
    public TensorDataset(Tensor... tensors) {
        this(Arrays.asList(Objects.requireNonNull(tensors, "tensors")));
    }

    /** As {@link #TensorDataset(Tensor...)}. */
    public TensorDataset(List<Tensor> tensors) {
        Objects.requireNonNull(tensors, "tensors");
        if (tensors.isEmpty()) throw new IllegalArgumentException("TensorDataset: expected at least one tensor");
        long n = -1;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t == null) throw new NullPointerException("tensors[" + i + "] must not be null");
            if (t.isClosed()) throw new IllegalStateException("tensors[" + i + "] is a closed tensor");
            if (t.dim() == 0) throw new IllegalArgumentException("TensorDataset: tensors[" + i + "] is 0-dimensional, expected at least 1 dimension");
            if (n < 0) n = t.size(0);
            else if (t.size(0) != n)
                throw new IllegalArgumentException("TensorDataset: size mismatch between tensors: tensors[0] has "
                        + n + " rows, tensors[" + i + "] has " + t.size(0) + " (shape " + Arrays.toString(t.shape()) + ")");
        }
        this.tensors = List.copyOf(tensors);
        this.size = n;
    }

    /** Number of rows, the size of every tensor in dim 0. */
    @Override
    public long size() {
        return size;
    }

    /** Number of tensors (fields) in each sample. */
    public int numFields() {
        return tensors.size();
    }

    /** The borrowed tensors, in order (unmodifiable). */
    public List<Tensor> tensors() {
        return tensors;
    }

    /**
     * Row {@code index} of each tensor: new tensors (views sharing the rows' memory) that the caller owns.
     */
    @Override
    public List<Tensor> get(long index) {
        checkIndex(index, size);
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) out.add(t.select(0, index));
        return out;
    }

    /**
     * Rows {@code indices} of each tensor, gathered in that order: one new tensor per field, of shape
     * {@code (indices.length, ...)}, a copy the caller owns ({@code t.index_select(0, indices)}).
     */
    public List<Tensor> rows(long[] indices) {
        Objects.requireNonNull(indices, "indices");
        for (long i : indices) checkIndex(i, size);
        List<Tensor> out = new ArrayList<>(tensors.size());
        try (Tensor idx = Torch.tensor(indices)) {
            Tensor moved = null;
            try {
                for (Tensor t : tensors) {
                    Tensor on = idx;
                    if (!t.device().equals(Device.CPU)) {
                        if (moved == null || !moved.device().equals(t.device())) {
                            if (moved != null) moved.close();
                            moved = idx.to(t.device());
                        }
                        on = moved;
                    }
                    out.add(t.indexSelect(0, on));
                }
            } catch (RuntimeException e) {
                out.forEach(Tensor::close);
                throw e;
            } finally {
                if (moved != null) moved.close();
            }
        }
        return out;
    }

    static void checkIndex(long index, long size) {
        if (index < 0 || index >= size)
            throw new IndexOutOfBoundsException("index " + index + " is out of range for a dataset of " + size + " samples");
    }
}
