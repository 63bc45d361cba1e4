package dev.torch4j.data;

import java.util.List;

import dev.torch4j.Tensor;

/**
 * Turns the samples of one batch into the batch's tensors, as PyTorch's {@code collate_fn}.
 *
 * <p>It runs inside a scope the loader opens for each batch: every tensor created while fetching the samples
 * and collating them is closed afterwards, except the returned tensors, which the {@link Batch} owns. The
 * returned tensors must therefore be new tensors created by this call (not the samples themselves, nor a
 * dataset's own tensors); a loader refuses others with an {@link IllegalStateException}.
 *
 * @param <T> the sample type
 */
@FunctionalInterface
public interface Collate<T> {

    /** The batch's tensors from its samples (in batch order; never empty). */
    List<Tensor> collate(List<T> samples);

    /**
     * The default: stacks field {@code j} of every sample along a new dimension 0 ({@code torch.stack}), as
     * PyTorch's default collation of tuples of tensors. Over a {@link TensorDataset} or a {@link Subset} of
     * one, a {@link DataLoader} with this collation gathers rows with {@code index_select} instead, without
     * fetching samples one by one; the result is the same.
     */
    static Collate<List<Tensor>> stack() {
        return StackCollate.INSTANCE;
    }
}
