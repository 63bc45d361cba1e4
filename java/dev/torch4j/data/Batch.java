package dev.torch4j.data;

import java.util.Iterator;
import java.util.List;

import dev.torch4j.Tensor;

/**
 * One batch from a {@link DataLoader}: the collated tensors (for a {@link TensorDataset}, one per field,
 * each of shape {@code (B, ...)}) and the dataset indices of its {@code B} samples.
 *
 * <p>The batch owns its tensors and belongs to the consumer. {@link #close()} frees them (closing twice is
 * harmless); a batch that is never closed is closed by the scope that was open on the consumer's thread when
 * {@code next()} returned it. To use a tensor after its batch is closed, {@link Tensor#clone() clone} it.
 */
public final class Batch implements AutoCloseable, Iterable<Tensor> {
    private final List<Tensor> tensors;
    private final long[] indices;
    private final long epoch;
    private final long number;
    private boolean closed;

    Batch(List<Tensor> tensors, long[] indices, long epoch, long number) {
        this.tensors = List.copyOf(tensors);
        this.indices = indices;
        this.epoch = epoch;
        this.number = number;
    }

    /** The tensor of field {@code i} (for a {@link TensorDataset}: the batch of its {@code i}-th tensor). */
    public Tensor get(int i) {
        checkOpen();
        if (i < 0 || i >= tensors.size())
            throw new IndexOutOfBoundsException("batch field " + i + " does not exist: the batch has " + tensors.size() + " tensors");
        return tensors.get(i);
    }

    /** Number of tensors (fields) in the batch. */
    public int size() {
        return tensors.size();
    }

    /** Number of samples in the batch: the loader's batch size, or fewer for a last partial batch. */
    public int batchSize() {
        return indices.length;
    }

    /** The dataset indices of the samples, in batch order (a copy). */
    public long[] indices() {
        return indices.clone();
    }

    /** The epoch this batch belongs to, counting from 0 ({@link DataLoader#iterator()} starts a new one). */
    public long epoch() {
        return epoch;
    }

    /** Position of this batch in its epoch, counting from 0. */
    public long number() {
        return number;
    }

    /** The tensors, in field order (unmodifiable). */
    public List<Tensor> tensors() {
        checkOpen();
        return tensors;
    }

    @Override
    public Iterator<Tensor> iterator() {
        return tensors().iterator();
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes every tensor of the batch. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Tensor t : tensors) t.close();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("batch " + number + " of epoch " + epoch + " is closed");
    }

    @Override
    public String toString() {
        return "Batch(epoch=" + epoch + ", number=" + number + ", samples=" + indices.length + ", tensors="
                + tensors.size() + (closed ? ", closed)" : ")");
    }
}
