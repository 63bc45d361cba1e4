package dev.torch4j.nn;

/** Options of {@link RNN}: {@code new RNNOptions(inputSize, hiddenSize).nonlinearity("relu")}. */
public final class RNNOptions extends RNNOptionsBase<RNNOptions> {
    String nonlinearity = "tanh";

    /**
     * @param inputSize features per time step of the input
     * @param hiddenSize features of the hidden state
     */
    public RNNOptions(long inputSize, long hiddenSize) {
        super(inputSize, hiddenSize);
    }

    /** {@code "tanh"} or {@code "relu"}. Default: {@code "tanh"}. */
    public RNNOptions nonlinearity(String nonlinearity) {
        if (!"tanh".equals(nonlinearity) && !"relu".equals(nonlinearity))
            throw new IllegalArgumentException("nonlinearity: expected \"tanh\" or \"relu\", got \"" + nonlinearity + "\"");
        this.nonlinearity = nonlinearity;
        return this;
    }
}
