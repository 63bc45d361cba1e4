package dev.torch4j.models.bert;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.onnx.OnnxWeights;
import dev.torch4j.kernels.FusedKernels;
import dev.torch4j.kernels.Int8AccuracyReport;
import dev.torch4j.kernels.Int8Weights;
import dev.torch4j.kernels.Kernels;
import dev.torch4j.kernels.PackedLinearWeight;
import dev.torch4j.nn.Dropout;
import dev.torch4j.nn.Embedding;
import dev.torch4j.nn.LayerNorm;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.ModuleList;
import dev.torch4j.nn.functional.F;

/**
 * BERT encoder, as Hugging Face's {@code BertModel} ({@code modeling_bert.py}), read top to bottom:
 * embeddings, self-attention, attention output, intermediate, output, layer, encoder, pooler, model.
 * State-dict keys are Hugging Face's ({@code embeddings.word_embeddings.weight},
 * {@code encoder.layer.0.attention.self.query.weight}, {@code embeddings.LayerNorm.weight},
 * {@code pooler.dense.weight}, ...), so checkpoints load without renaming.
 *
 * <p>Shapes: {@code B} batch, {@code T} tokens, {@code H} hidden size, {@code nh} heads, {@code hs = H / nh}.
 * Dropout is active only in {@link #train()} mode; gradients flow through every parameter.
 *
 * <pre>{@code
 * try (BertModel bert = BertModel.fromPretrained(dir); BertOutput out = bert.forward(ids, mask, null)) {
 *     Tensor h = out.lastHiddenState();   // [B, T, H]
 * }
 * }</pre>
 */
public class BertModel extends Module {

    // ------------------------------------------------------------------ embeddings

    /** word + position + token type embeddings, then LayerNorm and dropout. */
    static final class BertEmbeddings extends Module {
        final Embedding wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings;
        final LayerNorm layerNorm;
        final Dropout dropout;

        BertEmbeddings(BertConfig c) {
            wordEmbeddings = registerModule("word_embeddings", new Embedding(c.vocabSize(), c.hiddenSize(), c.padTokenId()));
            positionEmbeddings = registerModule("position_embeddings", new Embedding(c.maxPositionEmbeddings(), c.hiddenSize()));
            tokenTypeEmbeddings = registerModule("token_type_embeddings", new Embedding(c.typeVocabSize(), c.hiddenSize()));
            layerNorm = registerModule("LayerNorm", new LayerNorm(new long[] {c.hiddenSize()}, c.layerNormEps(), true));
            dropout = registerModule("dropout", new Dropout(c.hiddenDropoutProb()));
        }

        Tensor forward(Tensor inputIds, Tensor tokenTypeIds) {
            long t = inputIds.size(1);
            Tensor positions = Torch.arange(t).to(inputIds.device());                  // (T)
            Tensor types = tokenTypeIds != null ? tokenTypeIds : Torch.zerosLike(inputIds);
            Tensor x = wordEmbeddings.forward(inputIds)                                // (B, T, H)
                    .add(tokenTypeEmbeddings.forward(types))
                    .add(positionEmbeddings.forward(positions));                       // (T, H) broadcast
            return dropout.forward(layerNorm.forward(x));
        }
    }

    // ------------------------------------------------------------------ attention

    /** Multi-head self-attention: query/key/value projections and scaled dot-product attention. */
    static final class BertSelfAttention extends Module {
        final int numHeads, headSize;
        final double dropoutP;
        final Linear query, key, value;
        Int8Weights queryInt8, keyInt8, valueInt8;

        BertSelfAttention(BertConfig c) {
            numHeads = c.numAttentionHeads();
            headSize = c.hiddenSize() / c.numAttentionHeads();
            dropoutP = c.attentionProbsDropoutProb();
            query = registerModule("query", new Linear(c.hiddenSize(), c.hiddenSize()));
            key = registerModule("key", new Linear(c.hiddenSize(), c.hiddenSize()));
            value = registerModule("value", new Linear(c.hiddenSize(), c.hiddenSize()));
        }

        private Tensor heads(Tensor x, long b, long t) {
            return x.view(b, t, numHeads, headSize).transpose(1, 2);                  // (B, nh, T, hs)
        }

        /** {@code mask}: bool {@code (B, 1, 1, T)}, true where a key may be attended to; null for none. */
        Tensor forward(Tensor hidden, Tensor mask) {
            long b = hidden.size(0), t = hidden.size(1);
            Tensor q = heads(project(query, queryInt8, hidden, true), b, t);           // (B, nh, T, hs)
            Tensor k = heads(project(key, keyInt8, hidden, true), b, t);
            Tensor v = heads(project(value, valueInt8, hidden, true), b, t);
            if (!isTraining() && FusedKernels.appliesToAttention(q, k, v) && everyRowSeesAKey(mask))
                // Fused scores/softmax/values, reading the head views in place; the kernel writes (B, T, nh, hs).
                return Kernels.attention(q, k, v, mask == null ? null : mask.view(b, t), 1.0 / Math.sqrt(headSize), false)
                        .view(b, t, (long) numHeads * headSize);                       // (B, T, H)
            Tensor ctx = F.scaledDotProductAttention(q, k, v, mask, isTraining() ? dropoutP : 0.0, false); // (B, nh, T, hs)
            return ctx.transpose(1, 2).reshape(b, t, (long) numHeads * headSize);     // (B, T, H)
        }

        /**
         * Self-attention of the real tokens' rows {@code (N, H)}, where sequence i holds rows
         * {@code [starts[i], starts[i] + lengths[i])}: the fused kernel runs once per sequence on its rows in place, so
         * padding costs nothing and no mask is needed.
         */
        Tensor forwardRealTokens(Tensor rows, long[] starts, long[] lengths) {
            Tensor q = project(query, queryInt8, rows, true), k = project(key, keyInt8, rows, true),
                    v = project(value, valueInt8, rows, true);                               // (N, H) each
            long hidden = (long) numHeads * headSize;
            java.util.List<Tensor> parts = new java.util.ArrayList<>(starts.length);
            for (int i = 0; i < starts.length; i++) {
                long s0 = starts[i], n = lengths[i];
                Tensor ctx = Kernels.attention(heads(q.narrow(0, s0, n), 1, n), heads(k.narrow(0, s0, n), 1, n),
                        heads(v.narrow(0, s0, n), 1, n), null, 1.0 / Math.sqrt(headSize), false); // (1, n, nh, hs)
                parts.add(ctx.view(n, hidden));
            }
            return parts.size() == 1 ? parts.get(0) : Torch.cat(parts, 0);               // (N, H)
        }

        // A fully padded row attends to nothing: LibTorch's result (NaN) is kept there rather than the kernel's zeros.
        private static boolean everyRowSeesAKey(Tensor mask) {
            if (mask == null) return true;
            try (Tensor keys = mask.view(mask.size(0), -1).sum(-1, false); Tensor fewest = keys.min()) {
                return fewest.item() > 0;
            }
        }

        void quantizeInt8() {
            queryInt8 = quantized(query, queryInt8);
            keyInt8 = quantized(key, keyInt8);
            valueInt8 = quantized(value, valueInt8);
        }

        @Override
        public void close() {
            closeAll(queryInt8, keyInt8, valueInt8);
            queryInt8 = keyInt8 = valueInt8 = null;
            super.close();
        }
    }

    /**
     * {@code LayerNorm(dropout(dense(h)) + input)}: the residual block after attention ({@link BertSelfOutput},
     * H -> H) and after the feed-forward layer ({@link BertLayerOutput}, intermediate -> H).
     */
    abstract static class ResidualOutput extends Module {
        final Linear dense;
        final LayerNorm layerNorm;
        final Dropout dropout;

        Int8Weights denseInt8;

        ResidualOutput(long inFeatures, BertConfig c) {
            dense = registerModule("dense", new Linear(inFeatures, c.hiddenSize()));
            layerNorm = registerModule("LayerNorm", new LayerNorm(new long[] {c.hiddenSize()}, c.layerNormEps(), true));
            dropout = registerModule("dropout", new Dropout(c.hiddenDropoutProb()));
        }

        Tensor forward(Tensor hidden, Tensor input) {
            return residualLayerNorm(this, layerNorm, dropout, project(dense, denseInt8, hidden, true), input); // (B, T, H)
        }

        @Override
        public void close() {
            closeAll(denseInt8);
            denseInt8 = null;
            super.close();
        }
    }

    /** {@code LayerNorm(dropout(dense(h)) + input)} after attention (Hugging Face's {@code BertSelfOutput}). */
    static final class BertSelfOutput extends ResidualOutput {
        BertSelfOutput(BertConfig c) {
            super(c.hiddenSize(), c);
        }
    }

    static final class BertAttention extends Module {
        final BertSelfAttention self;
        final BertSelfOutput output;

        BertAttention(BertConfig c) {
            self = registerModule("self", new BertSelfAttention(c));
            output = registerModule("output", new BertSelfOutput(c));
        }

        Tensor forward(Tensor hidden, Tensor mask) {
            return output.forward(self.forward(hidden, mask), hidden);
        }
    }

    // ------------------------------------------------------------------ feed-forward

    /** {@code act(dense(h))}, H → intermediate size. */
    static final class BertIntermediate extends Module {
        final Linear dense;
        final BertConfig.Activation act;
        Int8Weights denseInt8;

        BertIntermediate(BertConfig c) {
            dense = registerModule("dense", new Linear(c.hiddenSize(), c.intermediateSize()));
            act = BertConfig.Activation.of(c.hiddenAct());
        }

        @Override
        public Tensor forward(Tensor hidden) {
            String approximate = act == BertConfig.Activation.GELU ? "none" : act == BertConfig.Activation.GELU_TANH ? "tanh" : null;
            if (approximate != null && (denseInt8 == null || !denseInt8.serves(hidden, dense.weight()))
                    && FusedKernels.appliesToLinear(hidden, dense.weight(), dense.bias()))
                // Bias and GELU run in the linear kernel's epilogue.
                return fusedLinear(dense, hidden, true, Kernels.Activation.gelu(approximate));   // (B, T, I)
            if (approximate != null && FusedKernels.applies(hidden, dense.weight(), dense.bias()))
                // The bias add is fused into the GELU kernel.
                return Kernels.biasGelu(project(dense, denseInt8, hidden, false), dense.bias(), approximate); // (B, T, I)
            Tensor x = project(dense, denseInt8, hidden, true);                        // (B, T, I)
            return switch (act) {
                case GELU -> F.gelu(x);
                case GELU_TANH -> F.gelu(x, "tanh");
                case RELU -> F.relu(x);
                case SILU -> F.silu(x);
                case TANH -> F.tanh(x);
            };
        }

        @Override
        public void close() {
            closeAll(denseInt8);
            denseInt8 = null;
            super.close();
        }
    }

    /** {@code LayerNorm(dropout(dense(h)) + input)}, intermediate size -> H (Hugging Face's {@code BertOutput} module). */
    static final class BertLayerOutput extends ResidualOutput {
        BertLayerOutput(BertConfig c) {
            super(c.intermediateSize(), c);
        }
    }

    // ------------------------------------------------------------------ inference kernels

    /**
     * {@code x W^T}, plus the bias when {@code withBias}: the int8 kernel when {@code int8} serves x (no graph recorded,
     * and the VNNI path or a decode-sized input; see {@link Int8Weights#serves}), else torch4j's float32 linear kernel
     * where the fused kernels apply ({@link FusedKernels#appliesToLinear}), else LibTorch on the float weight.
     */
    static Tensor project(Linear l, Int8Weights int8, Tensor x, boolean withBias) {
        if (int8 != null && int8.serves(x, l.weight())) return Kernels.int8Linear(x, int8, withBias ? l.bias() : null);
        if (FusedKernels.appliesToLinear(x, l.weight(), l.bias())) return fusedLinear(l, x, withBias, Kernels.Activation.NONE);
        return withBias ? l.forward(x) : x.matmul(l.weight().t());
    }

    /** torch4j's linear kernel on l's weight, packed once ({@link Linear#packedWeight}) and reused by every batch. */
    static Tensor fusedLinear(Linear l, Tensor x, boolean withBias, Kernels.Activation act) {
        PackedLinearWeight packed = l.packedWeight();
        Tensor bias = withBias ? l.bias() : null;
        return packed != null ? Kernels.linear(x, packed, bias, act) : Kernels.linear(x, l.weight(), bias, Kernels.WeightLayout.OUT_IN, act);
    }

    /** {@code LayerNorm(dropout(h) + input)}; fused into one kernel when dropout is inactive and the kernels apply. */
    static Tensor residualLayerNorm(Module owner, LayerNorm ln, Dropout dropout, Tensor h, Tensor input) {
        if (!owner.isTraining() && FusedKernels.applies(h, input, ln.weight(), ln.bias()))
            return Kernels.addLayerNorm(h, input, ln.weight(), ln.bias(), ln.eps());
        return ln.forward(dropout.forward(h).add(input));
    }

    /** {@code existing}, or the int8 weights of {@code l} (whose float weight then holds the dequantized values). */
    static Int8Weights quantized(Linear l, Int8Weights existing) {
        return existing != null ? existing : Int8Weights.quantizeInPlace(l.weight(), false);
    }

    static void closeAll(Int8Weights... weights) {
        for (Int8Weights w : weights) if (w != null) w.close();
    }

    // ------------------------------------------------------------------ layer and encoder

    static final class BertLayer extends Module {
        final BertAttention attention;
        final BertIntermediate intermediate;
        final BertLayerOutput output;

        BertLayer(BertConfig c) {
            attention = registerModule("attention", new BertAttention(c));
            intermediate = registerModule("intermediate", new BertIntermediate(c));
            output = registerModule("output", new BertLayerOutput(c));
        }

        Tensor forward(Tensor hidden, Tensor mask) {
            // One layer's intermediates are closed when it returns (autograd keeps what it saved), so the next layer
            // reuses their memory instead of touching fresh pages.
            try (Scope s = Torch.scope()) {
                Tensor a = attention.forward(hidden, mask);                             // (B, T, H)
                return s.keep(output.forward(intermediate.forward(a), a));
            }
        }

        /** rows {@code (N, H)}: the real tokens, sequence i at rows {@code [starts[i], starts[i] + lengths[i])}. */
        Tensor forwardRealTokens(Tensor rows, long[] starts, long[] lengths) {
            try (Scope s = Torch.scope()) {
                Tensor a = attention.output.forward(attention.self.forwardRealTokens(rows, starts, lengths), rows); // (N, H)
                return s.keep(output.forward(intermediate.forward(a), a));
            }
        }
    }

    static final class BertEncoder extends Module {
        final ModuleList<BertLayer> layer;

        BertEncoder(BertConfig c) {
            layer = registerModule("layer", new ModuleList<BertLayer>());
            for (int i = 0; i < c.numHiddenLayers(); i++) layer.add(new BertLayer(c));
        }

        Tensor forward(Tensor hidden, Tensor mask) {
            for (BertLayer l : layer) hidden = l.forward(hidden, mask);
            return hidden;
        }

        /** The layers on the real tokens' rows only (see {@link BertModel#forwardRealTokens}). */
        Tensor forwardRealTokens(Tensor rows, long[] starts, long[] lengths) {
            for (BertLayer l : layer) rows = l.forwardRealTokens(rows, starts, lengths);
            return rows;
        }

        void quantizeInt8() {
            for (BertLayer l : layer) {
                l.attention.self.quantizeInt8();
                l.attention.output.denseInt8 = quantized(l.attention.output.dense, l.attention.output.denseInt8);
                l.intermediate.denseInt8 = quantized(l.intermediate.dense, l.intermediate.denseInt8);
                l.output.denseInt8 = quantized(l.output.dense, l.output.denseInt8);
            }
        }

        boolean isQuantized() {
            return layer.size() > 0 && layer.get(0).attention.self.queryInt8 != null;
        }
    }

    /** {@code tanh(dense(h[:, 0]))}: the [CLS] token's hidden state through one layer. */
    static final class BertPooler extends Module {
        final Linear dense;

        BertPooler(BertConfig c) {
            dense = registerModule("dense", new Linear(c.hiddenSize(), c.hiddenSize()));
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return F.tanh(dense.forward(hidden.select(1, 0)));                         // (B, H)
        }
    }

    // ------------------------------------------------------------------ model

    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final BertPooler pooler;

    /** A randomly initialised model with a pooler. */
    public BertModel(BertConfig config) {
        this(config, true);
    }

    /** A randomly initialised model; {@code addPoolingLayer = false} leaves out {@code pooler.dense}. */
    public BertModel(BertConfig config, boolean addPoolingLayer) {
        this.config = Objects.requireNonNull(config, "config").validate();
        try (Scope s = Torch.scope()) {
            embeddings = registerModule("embeddings", new BertEmbeddings(config));
            encoder = registerModule("encoder", new BertEncoder(config));
            pooler = addPoolingLayer ? registerModule("pooler", new BertPooler(config)) : null;
        }
    }

    public BertConfig config() {
        return config;
    }

    /** Whether this model has {@code pooler.dense} (checkpoints without it load without). */
    public boolean hasPooler() {
        return pooler != null;
    }

    /**
     * Runs the encoder.
     *
     * @param inputIds token ids {@code [B, T]}, int64 or int32, {@code T <= max_position_embeddings}
     * @param attentionMask {@code [B, T]}, nonzero (or true) for real tokens and 0 for padding; null: all real
     * @param tokenTypeIds segment ids {@code [B, T]}; null: all 0
     * @return the last hidden state {@code [B, T, H]} and, with a pooler, the pooled output {@code [B, H]}; the
     *     caller owns both (close the output)
     */
    public BertOutput forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        checkInputs(inputIds, attentionMask, tokenTypeIds);
        return encode(inputIds, attentionMask, tokenTypeIds);
    }

    // forward on checked inputs.
    private BertOutput encode(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        long b = inputIds.size(0), t = inputIds.size(1);
        try (Scope s = Torch.scope()) {
            Tensor mask = attentionMask == null ? null
                    : attentionMask.to(inputIds.device()).ne(0).view(b, 1, 1, t);      // (B, 1, 1, T) bool
            Tensor hidden = embeddings.forward(inputIds, tokenTypeIds);                // (B, T, H)
            hidden = encoder.forward(hidden, mask);                                    // (B, T, H)
            Tensor pooled = pooler == null ? null : pooler.forward(hidden);            // (B, H)
            return new BertOutput(s.keep(hidden), pooled == null ? null : s.keep(pooled));
        }
    }

    /**
     * {@link #forward} for callers that read only the real tokens ({@code attentionMask != 0}), such as mean pooling.
     * When the batch has padding and the fused kernels apply (eval, no graph, CPU float32 on an AVX-512 CPU), every
     * layer runs on the real tokens' rows alone, the attention once per sequence over its own real tokens, so a batch
     * costs about what its real tokens cost instead of {@code B x T}. The last hidden state is zero at padded
     * positions and equals {@link #forward}'s at real ones (the same per-token arithmetic: bit-identical with right
     * padding, within float32 rounding otherwise); the pooled output (position 0) equals {@link #forward}'s wherever
     * position 0 is a real token, as {@code [CLS]} is with right padding. Otherwise (no padding, kernels off, training,
     * a sequence without any real token) it is {@link #forward}'s result with the padded positions zeroed.
     */
    public BertOutput forwardRealTokens(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        checkInputs(inputIds, attentionMask, tokenTypeIds);
        if (attentionMask == null) return encode(inputIds, null, tokenTypeIds);
        long b = inputIds.size(0), t = inputIds.size(1), h = config.hiddenSize();
        try (Scope s = Torch.scope()) {
            Tensor real = attentionMask.to(inputIds.device()).ne(0);                   // (B, T) bool
            long[] lengths = real.sum(-1, false).toLongArray();                       // real tokens per sequence
            long count = Arrays.stream(lengths).sum(), shortest = Arrays.stream(lengths).min().orElse(0);
            // The parameters decide as the layers would (dtype, device, a graph being recorded).
            Tensor w = embeddings.wordEmbeddings.weight();
            boolean kernels = !isTraining() && FusedKernels.appliesToLinear(w) && FusedKernels.appliesToAttention(w);
            if (count == b * t || !kernels || shortest == 0) {
                BertOutput full = encode(inputIds, attentionMask, tokenTypeIds);    // its tensors join this scope
                // Out of place: under grad mode the pooler's backward still needs the unmasked hidden state.
                Tensor zeroed = full.lastHiddenState().mul(real.unsqueeze(-1));
                return new BertOutput(s.keep(zeroed), full.hasPooledOutput() ? s.keep(full.pooledOutput()) : null);
            }
            Tensor hidden = embeddings.forward(inputIds, tokenTypeIds);                // (B, T, H)
            Tensor idx = real.view(b * t).nonzero().view(count);                       // (N) flat positions of real tokens
            Tensor rows = hidden.view(b * t, h).indexSelect(0, idx);                   // (N, H), sequence by sequence
            long[] starts = new long[(int) b];
            for (int i = 1; i < b; i++) starts[i] = starts[i - 1] + lengths[i - 1];
            rows = encoder.forwardRealTokens(rows, starts, lengths);                   // (N, H)
            Tensor last = Torch.zeros(b * t, h).indexCopy_(0, idx, rows).view(b, t, h); // (B, T, H), zero at padding
            Tensor pooled = pooler == null ? null : pooler.forward(last);              // (B, H)
            return new BertOutput(s.keep(last), pooled == null ? null : s.keep(pooled));
        }
    }

    private void checkInputs(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        checkOpen();
        Objects.requireNonNull(inputIds, "inputIds");
        if (inputIds.dim() != 2)
            throw new IllegalArgumentException("inputIds: expected 2 dimensions [B, T], got shape " + Arrays.toString(inputIds.shape()));
        if (inputIds.dtype() != DType.INT64 && inputIds.dtype() != DType.INT32)
            throw new IllegalArgumentException("inputIds: expected int64 or int32, got " + inputIds.dtype().pytorchName());
        long b = inputIds.size(0), t = inputIds.size(1);
        if (t > config.maxPositionEmbeddings())
            throw new IllegalArgumentException("inputIds: sequence length " + t + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        if (attentionMask != null && !Arrays.equals(attentionMask.shape(), inputIds.shape()))
            throw new IllegalArgumentException("attentionMask: expected shape " + Arrays.toString(inputIds.shape()) + " (as inputIds), got "
                    + Arrays.toString(attentionMask.shape()));
        if (tokenTypeIds != null && !Arrays.equals(tokenTypeIds.shape(), inputIds.shape()))
            throw new IllegalArgumentException("tokenTypeIds: expected shape " + Arrays.toString(inputIds.shape()) + " (as inputIds), got "
                    + Arrays.toString(tokenTypeIds.shape()));
    }

    // ------------------------------------------------------------------ int8

    /** Tokens of the default probe of {@link #quantizeInt8()}. */
    public static final int DEFAULT_PROBE_LENGTH = 8;

    /**
     * {@link #quantizeInt8(Tensor)} on a fixed probe: one row of {@link #DEFAULT_PROBE_LENGTH} (or
     * {@code max_position_embeddings}, if fewer) token ids spread over the vocabulary.
     */
    public Int8AccuracyReport quantizeInt8() {
        long n = Math.min(DEFAULT_PROBE_LENGTH, config.maxPositionEmbeddings());
        long[] ids = new long[(int) n];
        for (int i = 0; i < n; i++) ids[i] = (i * 7919L + 13) % config.vocabSize();
        try (Tensor probe = Torch.tensor(ids, 1, n)) {
            return quantizeInt8(probe);
        }
    }

    /**
     * Swaps the encoder's linear weights (every layer's {@code query}, {@code key}, {@code value},
     * {@code attention.output.dense}, {@code intermediate.dense}, {@code output.dense}) for int8 per-output-channel
     * weights ({@link Int8Weights}); embeddings, layer norms and the pooler stay float32. The float {@code weight}
     * parameters are overwritten with the dequantized values, which {@link #stateDict()} returns. When no graph is
     * recorded {@link Kernels#int8Linear} serves every batch on a CPU with AVX-512 VNNI (activations quantized per token
     * row) and inputs of up to {@link Int8Weights#KERNEL_MAX_ROWS} token rows otherwise, larger batches then running
     * LibTorch's float GEMM on the same dequantized weights (see {@link Int8Weights#serves}).
     *
     * <p>Returns the last-hidden-state error on {@code probeIds [B, T]} (no padding) against the float32 model. On
     * all-MiniLM-L6-v2 sentence embeddings keep a cosine similarity above 0.99 with float32 (BertInt8Test).
     *
     * @throws IllegalStateException if the model is already quantized
     */
    public Int8AccuracyReport quantizeInt8(Tensor probeIds) {
        checkOpen();
        if (encoder.isQuantized()) throw new IllegalStateException("quantizeInt8: the model is already quantized");
        boolean wasTraining = isTraining();
        eval();
        try (var g = Torch.noGrad(); Scope s = Torch.scope()) {
            Tensor reference;
            try (BertOutput before = forward(probeIds, null, null)) {
                reference = before.lastHiddenState().clone();                         // (B, T, H)
            }
            encoder.quantizeInt8();
            try (BertOutput after = forward(probeIds, null, null)) {
                Tensor err = after.lastHiddenState().sub(reference).abs();
                Tensor mag = reference.abs();
                return new Int8AccuracyReport(err.max().item(), err.mean().item(), mag.max().item(), mag.mean().item());
            }
        } finally {
            train(wasTraining);
        }
    }

    // ------------------------------------------------------------------ loading

    /**
     * Loads a Hugging Face checkpoint directory: {@code config.json} plus {@code model.safetensors} or a sharded
     * {@code model.safetensors.index.json}. Keys may carry the {@code bert.} prefix (as {@code BertForPreTraining}
     * and task checkpoints do); old {@code LayerNorm.gamma/beta} names are read as {@code weight/bias}. Ignored:
     * the {@code embeddings.position_ids} buffer, pre-training heads ({@code cls.*}) and task heads beside
     * {@code bert.*} ({@code classifier.*}, {@code qa_outputs.*}). A checkpoint without {@code pooler.dense}
     * gives a model without pooler. Anything else missing, unexpected or misshapen fails.
     *
     * @throws IllegalArgumentException naming the missing file, or every missing, unexpected and misshapen key
     * @throws IOException if a file cannot be read (a malformed safetensors file raises
     *     {@link dev.torch4j.io.SafeTensorsFormatException})
     */
    public static BertModel fromPretrained(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        BertConfig config = BertConfig.fromJson(dir.resolve("config.json"));
        Map<String, Tensor> raw = BertCheckpoint.readWeights(dir);
        return fromStateDict(config, raw, dir.toString());
    }

    /**
     * Loads the weights of a BERT exported to ONNX by {@code torch.onnx.export} (e.g. Hugging Face Optimum or
     * sentence-transformers exports, such as the all-MiniLM-L6-v2 model in langchain4j's jar). ONNX stores no
     * configuration, so {@code config} must match the export (e.g. {@link BertConfig#allMiniLmL6V2()});
     * {@code MatMul} weights are mapped back to their {@code Linear} layers and transposed (see
     * {@link OnnxWeights#toStateDict()}). The same key rules as {@link #fromPretrained} apply.
     *
     * @throws IllegalArgumentException listing missing, unexpected and misshapen keys
     * @throws dev.torch4j.io.onnx.OnnxFormatException if the file is not a well-formed ONNX model
     */
    public static BertModel fromOnnx(Path onnxFile, BertConfig config) throws IOException {
        Objects.requireNonNull(onnxFile, "onnxFile");
        Objects.requireNonNull(config, "config");
        return fromStateDict(config, OnnxWeights.loadStateDict(onnxFile), onnxFile.toString());
    }

    /** {@link #fromOnnx(Path, BertConfig)} from a stream (read fully, not closed); {@code source} names it in errors. */
    public static BertModel fromOnnx(InputStream onnx, String source, BertConfig config) throws IOException {
        Objects.requireNonNull(onnx, "onnx");
        Objects.requireNonNull(config, "config");
        Map<String, Tensor> sd;
        try (OnnxWeights w = OnnxWeights.read(onnx, source)) {
            sd = w.toStateDict();
        }
        return fromStateDict(config, sd, source);
    }

    /** Builds the model and loads {@code raw} (closing every tensor in it, whatever happens). */
    static BertModel fromStateDict(BertConfig config, Map<String, Tensor> raw, String source) {
        try {
            Map<String, Tensor> sd = BertCheckpoint.split(raw, source).bert();
            BertCheckpoint.checkHolds(config, sd, source);
            BertModel model = new BertModel(config, sd.containsKey("pooler.dense.weight") || sd.containsKey("pooler.dense.bias"));
            try {
                model.loadStateDict(sd);
            } catch (IllegalArgumentException e) {
                model.close();
                throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            model.eval();
            return model;
        } finally {
            raw.values().forEach(Tensor::close);
        }
    }

    // ------------------------------------------------------------------ saving

    /**
     * Writes {@code config.json} and {@code model.safetensors} to {@code dir} (creating it) with the keys of Hugging
     * Face's {@code BertModel.state_dict()} ({@code embeddings.*}, {@code encoder.*}, {@code pooler.*} when present, no
     * prefix), so that {@code BertModel.from_pretrained} and {@link #fromPretrained} read it back. A model loaded from
     * ONNX or a sharded checkpoint is written as one resolved file.
     */
    public void saveResolved(Path dir) throws IOException {
        checkOpen();
        BertHeads.save(Objects.requireNonNull(dir, "dir"), config, "BertModel", this, Map.of());
    }
}
