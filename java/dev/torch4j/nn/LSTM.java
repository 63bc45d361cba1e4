package dev.torch4j.nn;

import dev.torch4j.NN;
import dev.torch4j.Tensor;

/**
 * Multi-layer long short-term memory, as {@code torch.nn.LSTM} (gates {@code i, f, g, o} stacked in that order
 * in {@code weight_ih_l*} {@code [4H, in]}); see {@link RNNBase} for parameters and shapes.
 * {@link #forward(Tensor)} returns the output sequence; {@link #forward(Tensor, Tensor, Tensor)} also returns
 * the final states {@code h_n} and {@code c_n}.
 */
public class LSTM extends RNNBase {
    /** One unidirectional layer with biases; see {@link LSTMOptions} for the rest. */
    public LSTM(long inputSize, long hiddenSize) {
        this(new LSTMOptions(inputSize, hiddenSize));
    }

    /** A stack as configured by {@code options}, initialised as PyTorch. */
    public LSTM(LSTMOptions options) {
        super("LSTM", options);
    }

    /**
     * Output {@code [L, N, D*H]} and final states {@code h_n}, {@code c_n} {@code [D*numLayers, N, H]}
     * (the caller closes the result).
     *
     * @param input {@code [L, N, inputSize]}, {@code [N, L, inputSize]} with batchFirst, or {@code [L, inputSize]}
     * @param h0 initial hidden state {@code [D*numLayers, N, H]} ({@code [D*numLayers, H]} unbatched), or null for zeros
     * @param c0 initial cell state, shaped as {@code h0}, or null for zeros
     */
    public NN.RnnResult forward(Tensor input, Tensor h0, Tensor c0) {
        return run(input, h0, c0);
    }
}
