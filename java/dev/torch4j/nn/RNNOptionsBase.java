package dev.torch4j.nn;

/**
 * Options shared by {@link RNN}, {@link LSTM} and {@link GRU} (PyTorch's {@code RNNBase} arguments):
 * {@code new LSTMOptions(inputSize, hiddenSize).numLayers(2).batchFirst(true).bidirectional(true)}.
 *
 * @param <O> the concrete options type, returned by the fluent setters
 */
public abstract class RNNOptionsBase<O extends RNNOptionsBase<O>> {
    final long inputSize;
    final long hiddenSize;
    long numLayers = 1;
    boolean bias = true;
    boolean batchFirst;
    double dropout;
    boolean bidirectional;

    RNNOptionsBase(long inputSize, long hiddenSize) {
        if (inputSize <= 0) throw new IllegalArgumentException("input_size must be > 0, got " + inputSize);
        if (hiddenSize <= 0) throw new IllegalArgumentException("hidden_size must be > 0, got " + hiddenSize);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
    }

    @SuppressWarnings("unchecked")
    private O self() {
        return (O) this;
    }

    /** Number of stacked recurrent layers. Default: 1. */
    public O numLayers(long numLayers) {
        if (numLayers <= 0) throw new IllegalArgumentException("num_layers must be > 0, got " + numLayers);
        this.numLayers = numLayers;
        return self();
    }

    /** Whether each layer has the biases {@code bias_ih_l*} and {@code bias_hh_l*}. Default: true. */
    public O bias(boolean bias) {
        this.bias = bias;
        return self();
    }

    /** Whether inputs and outputs are {@code [batch, seq, feature]} instead of {@code [seq, batch, feature]}. Default: false. */
    public O batchFirst(boolean batchFirst) {
        this.batchFirst = batchFirst;
        return self();
    }

    /** Probability of dropout on the outputs of every layer but the last, in training mode only. Default: 0. */
    public O dropout(double dropout) {
        if (!(dropout >= 0 && dropout <= 1))
            throw new IllegalArgumentException("dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got "
                    + dropout);
        this.dropout = dropout;
        return self();
    }

    /** Whether each layer also runs backwards over the sequence (outputs of both directions are concatenated). Default: false. */
    public O bidirectional(boolean bidirectional) {
        this.bidirectional = bidirectional;
        return self();
    }
}
