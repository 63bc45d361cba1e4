package dev.torch4j.nn;

/** Options of {@link TransformerEncoderLayer}: {@code new TransformerEncoderLayerOptions(512, 8).dropout(0.0).normFirst(true)}. */
public final class TransformerEncoderLayerOptions {
    final long dModel;
    final long nhead;
    long dimFeedforward = 2048;
    double dropout = 0.1;
    String activation = "relu";
    double layerNormEps = 1e-5;
    boolean batchFirst;
    boolean normFirst;

    /**
     * @param dModel model width {@code E}
     * @param nhead number of attention heads; must divide {@code dModel}
     */
    public TransformerEncoderLayerOptions(long dModel, long nhead) {
        new MultiheadAttentionOptions(dModel, nhead); // validates both
        this.dModel = dModel;
        this.nhead = nhead;
    }

    /** Width of the feed-forward block. Default: 2048. */
    public TransformerEncoderLayerOptions dimFeedforward(long dimFeedforward) {
        if (dimFeedforward <= 0) throw new IllegalArgumentException("dim_feedforward must be > 0, got " + dimFeedforward);
        this.dimFeedforward = dimFeedforward;
        return this;
    }

    /** Dropout probability (attention weights, feed-forward and both residual branches), training mode only. Default: 0.1. */
    public TransformerEncoderLayerOptions dropout(double dropout) {
        if (!(dropout >= 0 && dropout <= 1))
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + dropout);
        this.dropout = dropout;
        return this;
    }

    /** Feed-forward activation, {@code "relu"} or {@code "gelu"} (exact). Default: {@code "relu"}. */
    public TransformerEncoderLayerOptions activation(String activation) {
        if (!"relu".equals(activation) && !"gelu".equals(activation))
            throw new IllegalArgumentException("activation should be relu/gelu, not " + activation);
        this.activation = activation;
        return this;
    }

    /** Epsilon of both layer norms. Default: 1e-5. */
    public TransformerEncoderLayerOptions layerNormEps(double layerNormEps) {
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
        this.layerNormEps = layerNormEps;
        return this;
    }

    /** Whether inputs and outputs are {@code [batch, seq, E]} instead of {@code [seq, batch, E]}. Default: false. */
    public TransformerEncoderLayerOptions batchFirst(boolean batchFirst) {
        this.batchFirst = batchFirst;
        return this;
    }

    /** Pre-norm ({@code x + sa(norm1(x))}) instead of post-norm ({@code norm1(x + sa(x))}). Default: false. */
    public TransformerEncoderLayerOptions normFirst(boolean normFirst) {
        this.normFirst = normFirst;
        return this;
    }

    TransformerEncoderLayerOptions copy() {
        return new TransformerEncoderLayerOptions(dModel, nhead).dimFeedforward(dimFeedforward).dropout(dropout).activation(activation)
                .layerNormEps(layerNormEps).batchFirst(batchFirst).normFirst(normFirst);
    }
}
