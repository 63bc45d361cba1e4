package dev.torch4j.nn;

import dev.torch4j.GradMode;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.init.Init;

/** Lookup table {@code weight [num, dim]} (initialised N(0, 1) as PyTorch): ids {@code [*]} give {@code [*, dim]}. */
public class Embedding extends Module {
    private final long numEmbeddings, embeddingDim, paddingIdx;

    public Embedding(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, -1);
    }

    /** With {@code paddingIdx >= 0} that row starts at zero and receives no gradient. */
    public Embedding(long numEmbeddings, long embeddingDim, long paddingIdx) {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new IllegalArgumentException("Embedding: sizes must be > 0, got " + numEmbeddings + " x " + embeddingDim);
        if (paddingIdx < -1 || paddingIdx >= numEmbeddings)
            throw new IllegalArgumentException("padding_idx must be within num_embeddings, got " + paddingIdx);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx;
        Tensor w = registerParameter("weight", Torch.empty(numEmbeddings, embeddingDim));
        Init.normal_(w, 0, 1);
        if (paddingIdx >= 0) {
            try (GradMode g = Torch.noGrad(); Tensor row = w.select(0, paddingIdx)) {
                row.zero_();
            }
        }
    }

    public Tensor weight() {
        return parameter("weight");
    }

    @Override
    public Tensor forward(Tensor ids) {
        return F.embedding(ids, weight(), paddingIdx);
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "");
    }
}
