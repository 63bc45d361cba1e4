package dev.torch4j.nn;

import java.util.Map;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * A stack of {@code numLayers} identical {@link TransformerEncoderLayer}s and an optional final norm, as
 * {@code torch.nn.TransformerEncoder}. Children: {@code layers} ({@code layers.0}, {@code layers.1}, ...) and
 * {@code norm} when given.
 *
 * <p>PyTorch deep-copies the given layer, so all layers start with identical weights; here the given layer
 * becomes {@code layers.0} (this module takes ownership of it) and the others are built from its options and
 * loaded with its state dict and mode. Building the copies draws from the random generator, so random numbers
 * drawn afterwards differ from PyTorch's.
 */
public class TransformerEncoder extends Module {
    private final ModuleList<TransformerEncoderLayer> layers;
    private final Module norm;

    /** Without a final norm. */
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers) {
        this(encoderLayer, numLayers, null);
    }

    /**
     * @param encoderLayer the first layer and template of the others (owned by this module from now on)
     * @param numLayers number of layers, at least 1
     * @param norm applied to the output of the last layer (e.g. a {@link LayerNorm}; owned by this module), or null
     */
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, Module norm) {
        if (numLayers <= 0) throw new IllegalArgumentException("num_layers must be > 0, got " + numLayers);
        layers = registerModule("layers", new ModuleList<>());
        layers.add(encoderLayer);
        try (Scope s = Torch.scope()) {
            Map<String, Tensor> state = encoderLayer.stateDict();
            for (int i = 1; i < numLayers; i++) {
                TransformerEncoderLayer copy = new TransformerEncoderLayer(encoderLayer.options());
                copy.loadStateDict(state);
                copy.train(encoderLayer.isTraining());
                layers.add(copy);
            }
        }
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    /** Number of encoder layers. */
    public int numLayers() {
        return layers.size();
    }

    /** Layer {@code i} ({@code layers.i}). */
    public TransformerEncoderLayer layer(int i) {
        return layers.get(i);
    }

    /** Without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * Runs every layer with the same masks, then the norm.
     *
     * @param src {@code [S, N, E]} ({@code [N, S, E]} with batchFirst layers)
     * @param mask {@code [S, S]} or {@code [N*nhead, S, S]} attention mask, or null
     * @param srcKeyPaddingMask {@code [N, S]} padding mask (true = padding), or null
     * @return {@code [S, N, E]}, as {@code src}
     */
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        checkOpen();
        try (Scope s = Torch.scope()) {
            Tensor x = src;
            for (TransformerEncoderLayer layer : layers) x = layer.forward(x, mask, srcKeyPaddingMask);
            if (norm != null) x = norm.forward(x);
            return s.keep(x);
        }
    }
}
