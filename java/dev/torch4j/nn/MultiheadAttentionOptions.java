package dev.torch4j.nn;

/** Options of {@link MultiheadAttention}: {@code new MultiheadAttentionOptions(embedDim, numHeads).batchFirst(true)}. */
public final class MultiheadAttentionOptions {
    final long embedDim;
    final long numHeads;
    double dropout;
    boolean bias = true;
    boolean batchFirst;

    /**
     * @param embedDim model width {@code E}
     * @param numHeads number of heads; must divide {@code embedDim}
     */
    public MultiheadAttentionOptions(long embedDim, long numHeads) {
        if (embedDim <= 0) throw new IllegalArgumentException("embed_dim must be > 0, got " + embedDim);
        if (numHeads <= 0) throw new IllegalArgumentException("num_heads must be > 0, got " + numHeads);
        if (embedDim % numHeads != 0)
            throw new IllegalArgumentException("embed_dim must be divisible by num_heads, got embed_dim=" + embedDim + ", num_heads=" + numHeads);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
    }

    /** Dropout probability on the attention weights, in training mode only. Default: 0. */
    public MultiheadAttentionOptions dropout(double dropout) {
        if (!(dropout >= 0 && dropout <= 1))
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + dropout);
        this.dropout = dropout;
        return this;
    }

    /** Whether the input and output projections have biases. Default: true. */
    public MultiheadAttentionOptions bias(boolean bias) {
        this.bias = bias;
        return this;
    }

    /** Whether inputs and outputs are {@code [batch, seq, E]} instead of {@code [seq, batch, E]}. Default: false. */
    public MultiheadAttentionOptions batchFirst(boolean batchFirst) {
        this.batchFirst = batchFirst;
        return this;
    }
}
