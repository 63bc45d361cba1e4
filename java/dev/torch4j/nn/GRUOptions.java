package dev.torch4j.nn;

/** Options of {@link GRU}: {@code new GRUOptions(inputSize, hiddenSize).numLayers(2).batchFirst(true)}. */
public final class GRUOptions extends RNNOptionsBase<GRUOptions> {
    /**
     * @param inputSize features per time step of the input
     * @param hiddenSize features of the hidden state
     */
    public GRUOptions(long inputSize, long hiddenSize) {
        super(inputSize, hiddenSize);
    }
}
