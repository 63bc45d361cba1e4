package dev.torch4j.nn;

import java.util.Arrays;
import java.util.List;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.init.Init;

/**
 * Multi-head attention {@code softmax(Q K^T / sqrt(E/heads) + mask) V} with packed input projection, as
 * {@code torch.nn.MultiheadAttention} (same key, value and query width {@code E}; no {@code bias_kv} or
 * {@code add_zero_attn}). Parameters: {@code in_proj_weight [3E, E]} (rows: query, key, value; xavier-uniform),
 * {@code in_proj_bias [3E]} (zeros) and child {@code out_proj} ({@code out_proj.weight [E, E]},
 * {@code out_proj.bias [E]}, zeros).
 *
 * <p>Shapes ({@code L} target length, {@code S} source length, {@code N} batch): query {@code [L, N, E]}, key and
 * value {@code [S, N, E]} ({@code [N, L, E]} / {@code [N, S, E]} with {@code batchFirst}; {@code [L, E]} /
 * {@code [S, E]} unbatched); output as the query.
 */
public class MultiheadAttention extends Module {
    private final long embedDim, numHeads, headDim;
    private final double dropout;
    private final boolean batchFirst;
    private final Linear outProj;

    /** Output {@code [L, N, E]} (as the query) and the attention weights, or null when not requested. */
    public record Output(Tensor output, Tensor weights) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            if (weights != null) weights.close();
        }
    }

    /** No dropout, with biases, {@code [seq, batch, E]} layout. */
    public MultiheadAttention(long embedDim, long numHeads) {
        this(new MultiheadAttentionOptions(embedDim, numHeads));
    }

    /** Configured by {@code o}, initialised as PyTorch (the same numbers after {@link Torch#manualSeed}). */
    public MultiheadAttention(MultiheadAttentionOptions o) {
        this.embedDim = o.embedDim;
        this.numHeads = o.numHeads;
        this.headDim = o.embedDim / o.numHeads;
        this.dropout = o.dropout;
        this.batchFirst = o.batchFirst;
        Tensor w = registerParameter("in_proj_weight", Torch.empty(3 * embedDim, embedDim));
        Tensor b = registerParameter("in_proj_bias", o.bias ? Torch.empty(3 * embedDim) : null);
        // PyTorch builds out_proj (drawing its default init) before re-initialising the projections.
        this.outProj = registerModule("out_proj", new NonDynamicallyQuantizableLinear(new LinearOptions(embedDim, embedDim).bias(o.bias)));
        Init.xavierUniform_(w, 1.0);
        if (b != null) {
            Init.zeros_(b);
            Init.zeros_(outProj.bias());
        }
    }

    /** Model width {@code E}. */
    public long embedDim() {
        return embedDim;
    }

    /** Number of heads; each has width {@code E / numHeads}. */
    public long numHeads() {
        return numHeads;
    }

    /** Whether inputs and outputs are {@code [N, seq, E]}. */
    public boolean isBatchFirst() {
        return batchFirst;
    }

    /** The packed query/key/value projection {@code [3E, E]} (owned by the module). */
    public Tensor inProjWeight() {
        return parameter("in_proj_weight");
    }

    /** The packed input bias {@code [3E]}, or null without bias. */
    public Tensor inProjBias() {
        return parameter("in_proj_bias");
    }

    /** The output projection {@code E -> E}. */
    public Linear outProj() {
        return outProj;
    }

    /** As PyTorch's defaults: no masks, head-averaged weights returned. */
    public Output forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null, true, null, true);
    }

    /** Head-averaged weights {@code [N, L, S]} when {@code needWeights}; see {@link #forward(Tensor, Tensor, Tensor, Tensor, boolean, Tensor, boolean)}. */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask) {
        return forward(query, key, value, keyPaddingMask, needWeights, attnMask, true);
    }

    /**
     * Attends from {@code query} to {@code key}/{@code value}. Passing the same tensor as query, key and value
     * runs one packed projection (self-attention).
     *
     * @param keyPaddingMask {@code [N, S]} ({@code [S]} unbatched): bool, true = ignore that key; or float, added
     *     to the scores; null for none
     * @param needWeights whether to return the attention weights; without them the fused
     *     scaled-dot-product-attention kernel runs
     * @param attnMask {@code [L, S]} or {@code [N*numHeads, L, S]}: bool, true = not allowed; or float, added to
     *     the scores; null for none
     * @param averageAttnWeights weights averaged over heads {@code [N, L, S]}, else per head {@code [N, heads, L, S]}
     *     (without the batch dimension when unbatched)
     * @return the output (as the query) and the weights (null unless {@code needWeights}); the caller closes it
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
                          boolean averageAttnWeights) {
        checkOpen();
        int d = query.dim();
        if (d != 2 && d != 3)
            throw new IllegalArgumentException("query: expected 2-D (unbatched) or 3-D input, got shape " + Arrays.toString(query.shape()));
        if (key.dim() != d || value.dim() != d)
            throw new IllegalArgumentException("key/value: expected " + d + "-D as the query, got key " + Arrays.toString(key.shape())
                    + " and value " + Arrays.toString(value.shape()));
        boolean batched = d == 3;
        try (Scope s = Torch.scope()) {
            // Work in PyTorch's [seq, batch, E] layout; keep tensor identity so self-attention stays packed.
            Tensor q = toSeqFirst(query, batched), k = key == query ? q : toSeqFirst(key, batched);
            Tensor v = value == key ? k : value == query ? q : toSeqFirst(value, batched);
            Tensor kpm = keyPaddingMask != null && !batched ? keyPaddingMask.unsqueeze(0) : keyPaddingMask;
            long len = q.size(0), n = q.size(1), src = k.size(0);
            if (q.size(2) != embedDim)
                throw new IllegalArgumentException("query: expected embedding dimension " + embedDim + ", got shape " + Arrays.toString(query.shape()));
            if (!Arrays.equals(k.shape(), v.shape()))
                throw new IllegalArgumentException("key and value must have the same shape, got key " + Arrays.toString(key.shape())
                        + " and value " + Arrays.toString(value.shape()));
            if (k.size(1) != n || k.size(2) != embedDim)
                throw new IllegalArgumentException("key: expected batch " + n + " and embedding dimension " + embedDim + " (as the query), got shape "
                        + Arrays.toString(key.shape()));

            Tensor w = inProjWeight(), b = inProjBias();
            Tensor qp, kp, vp;
            if (key == query && value == query) {
                List<Tensor> qkv = F.linear(q, w, b).chunk(3, -1);
                qp = qkv.get(0);
                kp = qkv.get(1);
                vp = qkv.get(2);
            } else {
                List<Tensor> ws = w.chunk(3, 0), bs = b == null ? null : b.chunk(3, 0);
                qp = F.linear(q, ws.get(0), bs == null ? null : bs.get(0));
                kp = F.linear(k, ws.get(1), bs == null ? null : bs.get(1));
                vp = F.linear(v, ws.get(2), bs == null ? null : bs.get(2));
            }
            Tensor qh = heads(qp, len, n), kh = heads(kp, src, n), vh = heads(vp, src, n); // (N, heads, L|S, hd)
            Tensor mask = mask(attnMask, kpm, len, n, src, qh.dtype()); // broadcastable to (N, heads, L, S)
            double p = isTraining() ? dropout : 0.0;

            Tensor attn, weights = null;
            if (needWeights) {
                Tensor scores = qh.div(Math.sqrt(headDim)).matmul(kh.transpose(-2, -1)); // (N, heads, L, S)
                if (mask != null) scores = mask.add(scores);
                weights = scores.softmax(-1);
                Tensor used = p > 0 ? F.dropout(weights, p, true) : weights;
                attn = used.matmul(vh);
            } else {
                attn = F.scaledDotProductAttention(qh, kh, vh, mask, p, false);
            }
            // (N, heads, L, hd) -> (L, N, E)
            Tensor merged = attn.permute(2, 0, 1, 3).reshape(len * n, embedDim);
            Tensor out = outProj.forward(merged).view(len, n, embedDim);
            if (!batched) out = out.squeeze(1);
            else if (batchFirst) out = out.transpose(0, 1);
            if (weights != null) {
                if (averageAttnWeights) weights = weights.sum(1).div((double) numHeads);
                if (!batched) weights = weights.squeeze(0);
                weights = s.keep(weights);
            }
            return new Output(s.keep(out), weights);
        }
    }

    private Tensor toSeqFirst(Tensor x, boolean batched) {
        if (!batched) return x.unsqueeze(1);
        return batchFirst ? x.transpose(0, 1) : x;
    }

    /** {@code [T, N, E]} projections to {@code [N, heads, T, headDim]}. */
    private Tensor heads(Tensor x, long t, long n) {
        return x.reshape(t, n, numHeads, headDim).permute(1, 2, 0, 3);
    }

    /** The attention and key-padding masks as one additive float mask broadcastable to {@code [N, heads, L, S]}, or null. */
    private Tensor mask(Tensor attnMask, Tensor keyPaddingMask, long len, long n, long src, DType dtype) {
        Tensor a = null, k = null;
        if (attnMask != null) {
            long[] s = attnMask.shape();
            if (Arrays.equals(s, new long[] {len, src})) a = attnMask.view(1, 1, len, src);
            else if (Arrays.equals(s, new long[] {n * numHeads, len, src})) a = attnMask.view(n, numHeads, len, src);
            else
                throw new IllegalArgumentException("attnMask: expected shape " + Arrays.toString(new long[] {len, src}) + " or "
                        + Arrays.toString(new long[] {n * numHeads, len, src}) + ", got " + Arrays.toString(s));
            a = additive(a, dtype, "attnMask");
        }
        if (keyPaddingMask != null) {
            if (!Arrays.equals(keyPaddingMask.shape(), new long[] {n, src}))
                throw new IllegalArgumentException("keyPaddingMask: expected shape " + Arrays.toString(new long[] {n, src}) + " (batch, source length), got "
                        + Arrays.toString(keyPaddingMask.shape()));
            k = additive(keyPaddingMask.view(n, 1, 1, src), dtype, "keyPaddingMask");
        }
        if (a == null) return k;
        return k == null ? a : a.add(k);
    }

    /** A bool mask (true = masked) as 0 / -inf; a float mask as is. */
    private static Tensor additive(Tensor m, DType dtype, String what) {
        if (m.dtype() == DType.BOOL) return m.to(dtype).maskedFill(m, Double.NEGATIVE_INFINITY);
        if (!m.isFloatingPoint())
            throw new IllegalArgumentException(what + ": expected a bool or floating mask, got " + m.dtype().pytorchName());
        return m;
    }
}
