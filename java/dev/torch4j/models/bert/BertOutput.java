package dev.torch4j.models.bert;

/**
 * What {@link BertModel#forward} returns; the caller owns both tensors and frees them with {@link #close()}.
 */
public final class BertOutput implements AutoCloseable {
    private final dev.torch4j.Tensor lastHiddenState;
    private final dev.torch4j.Tensor pooledOutput;

    BertOutput(dev.torch4j.Tensor lastHiddenState, dev.torch4j.Tensor pooledOutput) {
        this.lastHiddenState = lastHiddenState;
        this.pooledOutput = pooledOutput;
    }

    /** Hidden states of the last layer, {@code [B, T, H]}. */
    public dev.torch4j.Tensor lastHiddenState() {
        return lastHiddenState;
    }

    /**
     * {@code tanh(dense(h[:, 0]))}, {@code [B, H]}.
     *
     * @throws IllegalStateException if the model has no pooler (its checkpoint had no {@code pooler.dense} weights)
     */
    public dev.torch4j.Tensor pooledOutput() {
        if (pooledOutput == null)
            throw new IllegalStateException("this BertModel has no pooler: its checkpoint had no pooler.dense weights "
                    + "(use lastHiddenState(), e.g. with Pooling.mean or Pooling.cls)");
        return pooledOutput;
    }

    /** Whether {@link #pooledOutput()} is available. */
    public boolean hasPooledOutput() {
        return pooledOutput != null;
    }

    @Override
    public void close() {
        lastHiddenState.close();
        if (pooledOutput != null) pooledOutput.close();
    }
}
