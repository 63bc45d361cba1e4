package dev.torch4j.nn;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;

/**
 * One transformer encoder block, as {@code torch.nn.TransformerEncoderLayer}: self-attention and a feed-forward
 * block ({@code linear2(dropout(act(linear1(x))))}), each with a residual connection and layer norm, post-norm by
 * default or pre-norm with {@code normFirst}. Children (so state-dict keys match PyTorch): {@code self_attn},
 * {@code linear1}, {@code dropout}, {@code linear2}, {@code norm1}, {@code norm2}, {@code dropout1}, {@code dropout2}.
 *
 * <p>Shapes: {@code src [S, N, E]} ({@code [N, S, E]} with batchFirst, {@code [S, E]} unbatched); output the same.
 */
public class TransformerEncoderLayer extends Module {
    private final TransformerEncoderLayerOptions options;
    private final MultiheadAttention selfAttn;
    private final Linear linear1, linear2;
    private final Dropout dropout, dropout1, dropout2;
    private final LayerNorm norm1, norm2;

    /** Defaults of {@link TransformerEncoderLayerOptions}: feed-forward 2048, dropout 0.1, relu, post-norm. */
    public TransformerEncoderLayer(long dModel, long nhead) {
        this(new TransformerEncoderLayerOptions(dModel, nhead));
    }

    /** Configured by {@code o} (copied), initialised as PyTorch. */
    public TransformerEncoderLayer(TransformerEncoderLayerOptions o) {
        this.options = o.copy();
        long e = o.dModel;
        selfAttn = registerModule("self_attn",
                new MultiheadAttention(new MultiheadAttentionOptions(e, o.nhead).dropout(o.dropout).batchFirst(o.batchFirst)));
        linear1 = registerModule("linear1", new Linear(e, o.dimFeedforward));
        dropout = registerModule("dropout", new Dropout(o.dropout));
        linear2 = registerModule("linear2", new Linear(o.dimFeedforward, e));
        norm1 = registerModule("norm1", new LayerNorm(new long[] {e}, o.layerNormEps, true));
        norm2 = registerModule("norm2", new LayerNorm(new long[] {e}, o.layerNormEps, true));
        dropout1 = registerModule("dropout1", new Dropout(o.dropout));
        dropout2 = registerModule("dropout2", new Dropout(o.dropout));
    }

    /** A copy of the options this layer was built with. */
    public TransformerEncoderLayerOptions options() {
        return options.copy();
    }

    /** The {@code self_attn} child. */
    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    /** Without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * @param src {@code [S, N, E]} ({@code [N, S, E]} with batchFirst)
     * @param srcMask {@code [S, S]} or {@code [N*nhead, S, S]} attention mask (bool: true = not allowed, or additive
     *     float), or null
     * @param srcKeyPaddingMask {@code [N, S]} (bool: true = padding, or additive float), or null
     * @return {@code [S, N, E]}, as {@code src}
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        checkOpen();
        try (Scope s = Torch.scope()) {
            Tensor x = src;
            if (options.normFirst) {
                x = x.add(selfAttentionBlock(norm1.forward(x), srcMask, srcKeyPaddingMask));
                x = x.add(feedForwardBlock(norm2.forward(x)));
            } else {
                x = norm1.forward(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask)));
                x = norm2.forward(x.add(feedForwardBlock(x)));
            }
            return s.keep(x);
        }
    }

    private Tensor selfAttentionBlock(Tensor x, Tensor mask, Tensor keyPaddingMask) {
        try (MultiheadAttention.Output o = selfAttn.forward(x, x, x, keyPaddingMask, false, mask)) {
            return dropout1.forward(o.output());
        }
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor h = linear1.forward(x);
        h = "gelu".equals(options.activation) ? F.gelu(h) : F.relu(h);
        return dropout2.forward(linear2.forward(dropout.forward(h)));
    }
}
