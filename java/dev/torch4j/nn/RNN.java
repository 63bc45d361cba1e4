package dev.torch4j.nn;

import dev.torch4j.NN;
import dev.torch4j.Tensor;

/**
 * Multi-layer Elman RNN {@code h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)} with {@code act} tanh or
 * relu, as {@code torch.nn.RNN}; see {@link RNNBase} for parameters and shapes. As in PyTorch, the printed form
 * does not show the nonlinearity.
 */
public class RNN extends RNNBase {
    private final String nonlinearity;

    /** One unidirectional tanh layer with biases; see {@link RNNOptions} for the rest. */
    public RNN(long inputSize, long hiddenSize) {
        this(new RNNOptions(inputSize, hiddenSize));
    }

    /** A stack as configured by {@code options}, initialised as PyTorch. */
    public RNN(RNNOptions options) {
        super("relu".equals(options.nonlinearity) ? "RNN_RELU" : "RNN_TANH", options);
        this.nonlinearity = options.nonlinearity;
    }

    /** {@code "tanh"} or {@code "relu"}. */
    public String nonlinearity() {
        return nonlinearity;
    }

    /**
     * Output {@code [L, N, D*H]} and final hidden state {@code h_n} {@code [D*numLayers, N, H]}; {@code c} is null
     * (the caller closes the result).
     *
     * @param input {@code [L, N, inputSize]}, {@code [N, L, inputSize]} with batchFirst, or {@code [L, inputSize]}
     * @param h0 initial hidden state {@code [D*numLayers, N, H]} ({@code [D*numLayers, H]} unbatched), or null for zeros
     */
    public NN.RnnResult forward(Tensor input, Tensor h0) {
        return run(input, h0, null);
    }
}
