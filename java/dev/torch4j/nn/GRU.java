package dev.torch4j.nn;

import dev.torch4j.NN;
import dev.torch4j.Tensor;

/**
 * Multi-layer gated recurrent unit, as {@code torch.nn.GRU} (gates {@code r, z, n} stacked in that order in
 * {@code weight_ih_l*} {@code [3H, in]}); see {@link RNNBase} for parameters and shapes.
 */
public class GRU extends RNNBase {
    /** One unidirectional layer with biases; see {@link GRUOptions} for the rest. */
    public GRU(long inputSize, long hiddenSize) {
        this(new GRUOptions(inputSize, hiddenSize));
    }

    /** A stack as configured by {@code options}, initialised as PyTorch. */
    public GRU(GRUOptions options) {
        super("GRU", options);
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
