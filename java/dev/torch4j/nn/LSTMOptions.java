package dev.torch4j.nn;

/** Options of {@link LSTM}: {@code new LSTMOptions(inputSize, hiddenSize).numLayers(2).bidirectional(true)}. */
public final class LSTMOptions extends RNNOptionsBase<LSTMOptions> {
    /**
     * @param inputSize features per time step of the input
     * @param hiddenSize features of the hidden state
     */
    public LSTMOptions(long inputSize, long hiddenSize) {
        super(inputSize, hiddenSize);
    }
}
