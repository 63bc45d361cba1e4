package dev.torch4j;

/** The (values, indices) pair of {@code max(dim)}, {@code min(dim)}, {@code topk} and {@code sort}. */
public record ValuesIndices(Tensor values, Tensor indices) implements AutoCloseable {
    /** Closes both tensors. */
    @Override
    public void close() {
        values.close();
        indices.close();
    }
}
