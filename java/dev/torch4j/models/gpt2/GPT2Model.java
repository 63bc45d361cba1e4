package dev.torch4j.models.gpt2;

import java.util.Arrays;

import dev.torch4j.DType;
import dev.torch4j.Device;
import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.generation.KVCache;
import dev.torch4j.kernels.FusedKernels;
import dev.torch4j.kernels.Int8Weights;
import dev.torch4j.kernels.Kernels;
import dev.torch4j.nn.Dropout;
import dev.torch4j.nn.Embedding;
import dev.torch4j.nn.LayerNorm;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.ModuleList;
import dev.torch4j.nn.functional.F;

/**
 * The GPT-2 transformer (Hugging Face's {@code GPT2Model}): token and position embeddings, {@code n_layer}
 * pre-norm blocks of causal self-attention and MLP, and a final layer norm. Read top to bottom as
 * {@code modeling_gpt2.py}: {@link Conv1D}, {@link Attention}, {@link MLP}, {@link Block}, then the model.
 *
 * <p>State-dict names are Hugging Face's: {@code wte.weight}, {@code wpe.weight},
 * {@code h.0.ln_1.weight}, {@code h.0.attn.c_attn.weight}, {@code h.0.attn.c_proj.weight},
 * {@code h.0.ln_2.weight}, {@code h.0.mlp.c_fc.weight}, {@code h.0.mlp.c_proj.weight}, {@code ln_f.weight}
 * (and the biases). The causal-mask buffers {@code attn.bias} / {@code attn.masked_bias} of old checkpoints
 * are not kept: attention masks causally by itself.
 */
public class GPT2Model extends Module {

    /**
     * GPT-2's "Conv1D": a linear layer whose {@code weight} is stored transposed, {@code [in, out]}, as in the
     * checkpoints. We keep that layout (no transpose on load or save, so {@link #stateDict()} round-trips
     * checkpoints bit for bit) and compute {@code y = x W + b}.
     */
    public static final class Conv1D extends Module {
        private final long in, out;
        private Int8Weights int8;

        /** {@code weight [in, out]} ~ N(0, std), {@code bias [out]} = 0. */
        public Conv1D(long in, long out, double std) {
            this.in = in;
            this.out = out;
            registerParameter("weight", Torch.randn(in, out).mul_(std));
            registerParameter("bias", Torch.zeros(out));
        }

        public Tensor weight() {
            return parameter("weight");
        }

        public Tensor bias() {
            return parameter("bias");
        }

        /** {@code [*, in]} to {@code [*, out]}. */
        @Override
        public Tensor forward(Tensor x) {
            return project(x, true);
        }

        /**
         * {@code x W}, plus {@code b} when {@code withBias}: after {@link #quantizeInt8()}, decode-sized inputs run
         * the int8 kernel ({@link Int8Weights#serves}); otherwise torch4j's float32 linear kernel where the fused kernels
         * apply ({@link FusedKernels#appliesToLinear}), else LibTorch's matmul on {@code weight}.
         */
        Tensor project(Tensor x, boolean withBias) {
            if (x.dim() == 0 || x.size(-1) != in)
                throw new IllegalArgumentException("Conv1D input: expected last dimension " + in + ", got shape "
                        + Arrays.toString(x.shape()));
            if (servesInt8(x)) return Kernels.int8Linear(x, int8, withBias ? bias() : null);
            if (FusedKernels.appliesToLinear(x, weight(), bias()))
                return Kernels.linear(x, weight(), withBias ? bias() : null, Kernels.WeightLayout.IN_OUT, Kernels.Activation.NONE);
            try (Scope s = Torch.scope()) {
                Tensor y = x.matmul(weight());
                return s.keep(withBias ? y.add_(bias()) : y);
            }
        }

        /**
         * Quantizes {@code weight} to int8 per output channel and keeps the dequantized values in {@code weight}
         * (see {@link Int8Weights#quantizeInPlace}); a second call does nothing.
         */
        void quantizeInt8() {
            if (int8 == null) int8 = Int8Weights.quantizeInPlace(weight(), true);
        }

        boolean isQuantized() {
            return int8 != null;
        }

        boolean servesInt8(Tensor x) {
            return int8 != null && int8.serves(x, weight());
        }

        @Override
        public void close() {
            if (int8 != null) int8.close();
            int8 = null;
            super.close();
        }

        @Override
        protected String extraRepr() {
            return "nf=" + out + ", nx=" + in;
        }
    }

    /** Multi-head causal self-attention, with an optional key/value cache. */
    public static final class Attention extends Module {
        private final int layerIdx;
        private final long nEmbd, nHead, headDim;
        private final double attnPdrop;
        private final Conv1D cAttn, cProj;
        private final Dropout residDropout;

        Attention(GPT2Config c, int layerIdx) {
            this.layerIdx = layerIdx;
            this.nEmbd = c.nEmbd();
            this.nHead = c.nHead();
            this.headDim = c.headDim();
            this.attnPdrop = c.attnPdrop();
            double std = c.initializerRange();
            cAttn = registerModule("c_attn", new Conv1D(nEmbd, 3 * nEmbd, std));
            // GPT-2 scales residual projections by 1/sqrt(2 * n_layer) at initialisation.
            cProj = registerModule("c_proj", new Conv1D(nEmbd, nEmbd, std / Math.sqrt(2.0 * c.nLayer())));
            residDropout = registerModule("resid_dropout", new Dropout(c.residPdrop()));
        }

        /**
         * @param x {@code (B, T, C)}
         * @param mask bool {@code (B, 1, T, S)} (true = may attend) or null for plain causal attention
         * @param cache null, or the cache whose {@code length()} past positions precede {@code x}
         * @return {@code (B, T, C)}
         */
        Tensor forward(Tensor x, Tensor mask, KVCache cache) {
            long b = x.size(0), t = x.size(1);
            try (Scope s = Torch.scope()) {
                java.util.List<Tensor> qkv = cAttn.forward(x).split(nEmbd, 2);                 // 3 x (B, T, C)
                Tensor q = qkv.get(0).view(b, t, nHead, headDim).transpose(1, 2);               // (B, nh, T, hs)
                Tensor k = qkv.get(1).view(b, t, nHead, headDim).transpose(1, 2);               // (B, nh, T, hs)
                Tensor v = qkv.get(2).view(b, t, nHead, headDim).transpose(1, 2);               // (B, nh, T, hs)
                boolean causal = mask == null;
                if (cache != null) {
                    causal &= cache.length() == 0;
                    Tensor[] kv = cache.update(layerIdx, k, v);                                  // (B, nh, S, hs)
                    k = kv[0];
                    v = kv[1];
                    if (t == 1 && mask == null) {
                        // A decode step: the fused kernel reads the cache buffers in place, the first S slots per row.
                        Tensor kBuf = cache.keyBuffer(layerIdx), vBuf = cache.valueBuffer(layerIdx);  // (B, nh, cap, hs)
                        if (FusedKernels.applies(x, kBuf, vBuf, cAttn.weight())) {
                            long[] lens = new long[(int) b];
                            Arrays.fill(lens, k.size(2));
                            Tensor y = Kernels.decodeAttention(q.reshape(b, nHead, headDim), kBuf, vBuf,
                                    Torch.tensor(lens, b), 1.0 / Math.sqrt(headDim));              // (B, nh, hs)
                            return s.keep(residDropout.forward(cProj.forward(y.view(b, 1, nEmbd))));
                        }
                    }
                }
                if (mask == null && !isTraining() && FusedKernels.appliesToAttention(q, k, v)) {
                    // Prompt (or full sequence): the fused kernel reads the head views in place, query i seeing keys
                    // j <= i + S - T, the causal rule with S - T cached positions before it.
                    Tensor y = Kernels.attention(q, k, v, null, 1.0 / Math.sqrt(headDim), true);  // (B, T, nh, hs)
                    return s.keep(residDropout.forward(cProj.forward(y.view(b, t, nEmbd))));
                }
                double p = isTraining() ? attnPdrop : 0.0;
                // With past positions and one new query, attending to every cached key is the causal rule.
                Tensor y = F.scaledDotProductAttention(q, k, v, mask, p, causal && t > 1);      // (B, nh, T, hs)
                y = y.transpose(1, 2).reshape(b, t, nEmbd);                                      // (B, T, C)
                return s.keep(residDropout.forward(cProj.forward(y)));
            }
        }
    }

    /** The position-wise feed-forward network: {@code c_proj(act(c_fc(x)))}. */
    public static final class MLP extends Module {
        private final Conv1D cFc, cProj;
        private final Dropout dropout;
        private final String activation;

        MLP(GPT2Config c) {
            double std = c.initializerRange();
            cFc = registerModule("c_fc", new Conv1D(c.nEmbd(), c.innerSize(), std));
            cProj = registerModule("c_proj", new Conv1D(c.innerSize(), c.nEmbd(), std / Math.sqrt(2.0 * c.nLayer())));
            dropout = registerModule("dropout", new Dropout(c.residPdrop()));
            activation = c.activationFunction();
        }

        /** {@code (B, T, C)} to {@code (B, T, C)}. */
        @Override
        public Tensor forward(Tensor x) {
            try (Scope s = Torch.scope()) {
                String approximate = switch (activation) {
                    case "gelu_new", "gelu_pytorch_tanh" -> "tanh";
                    case "gelu" -> "none";
                    default -> null;
                };
                if (approximate != null && !cFc.servesInt8(x) && FusedKernels.appliesToLinear(x, cFc.weight(), cFc.bias())) {
                    // Bias and GELU run in the linear kernel's epilogue.
                    Tensor h = Kernels.linear(x, cFc.weight(), cFc.bias(), Kernels.WeightLayout.IN_OUT,
                            Kernels.Activation.gelu(approximate));                                // (B, T, 4C)
                    return s.keep(dropout.forward(cProj.forward(h)));
                }
                if (approximate != null && FusedKernels.applies(x, cFc.weight(), cFc.bias())) {
                    // Conv1D is x W + b: the bias add is fused into the GELU kernel.
                    Tensor h = Kernels.biasGelu(cFc.project(x, false), cFc.bias(), approximate);  // (B, T, 4C)
                    return s.keep(dropout.forward(cProj.forward(h)));
                }
                Tensor h = cFc.forward(x);                                                      // (B, T, 4C)
                h = switch (activation) {
                    case "gelu_new", "gelu_pytorch_tanh" -> F.gelu(h, "tanh");
                    case "gelu" -> F.gelu(h);
                    case "relu" -> F.relu(h);
                    default -> F.silu(h);
                };
                return s.keep(dropout.forward(cProj.forward(h)));
            }
        }
    }

    /** One transformer block: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}. */
    public static final class Block extends Module {
        private final LayerNorm ln1, ln2;
        private final Attention attn;
        private final MLP mlp;

        Block(GPT2Config c, int layerIdx) {
            long[] shape = {c.nEmbd()};
            ln1 = registerModule("ln_1", new LayerNorm(shape, c.layerNormEpsilon(), true));
            attn = registerModule("attn", new Attention(c, layerIdx));
            ln2 = registerModule("ln_2", new LayerNorm(shape, c.layerNormEpsilon(), true));
            mlp = registerModule("mlp", new MLP(c));
        }

        Tensor forward(Tensor x, Tensor mask, KVCache cache) {
            try (Scope s = Torch.scope()) {
                Tensor h = x.add(attn.forward(ln1.forward(x), mask, cache));                    // (B, T, C)
                return s.keep(h.add(mlp.forward(ln2.forward(h))));                              // (B, T, C)
            }
        }
    }

    // ------------------------------------------------------------------ the model

    private final GPT2Config config;
    private final Embedding wte, wpe;
    private final Dropout drop;
    private final ModuleList<Block> h;
    private final LayerNorm lnF;

    /** A randomly initialised model as Hugging Face's {@code _init_weights} (normal with {@code initializer_range}). */
    public GPT2Model(GPT2Config config) {
        this.config = config;
        config.headDim();
        try (GradMode g = Torch.noGrad()) {
            wte = registerModule("wte", new Embedding(config.vocabSize(), config.nEmbd()));
            wte.weight().normal_(0, config.initializerRange());
            wpe = registerModule("wpe", new Embedding(config.nPositions(), config.nEmbd()));
            wpe.weight().normal_(0, config.initializerRange());
        }
        drop = registerModule("drop", new Dropout(config.embdPdrop()));
        h = registerModule("h", new ModuleList<>());
        for (int i = 0; i < config.nLayer(); i++) h.add(new Block(config, i));
        lnF = registerModule("ln_f", new LayerNorm(new long[] {config.nEmbd()}, config.layerNormEpsilon(), true));
    }

    public GPT2Config config() {
        return config;
    }

    /** The token embedding {@code [vocab, C]} (also the tied language-model head). */
    public Embedding wte() {
        return wte;
    }

    /** The final hidden states {@code (B, T, C)} of {@code inputIds (B, T)}; see {@link #forward(Tensor, Tensor, Tensor, KVCache)}. */
    @Override
    public Tensor forward(Tensor inputIds) {
        return forward(inputIds, null, null, null);
    }

    /**
     * Hidden states {@code (B, T, C)} after {@code ln_f}.
     *
     * @param inputIds int64 {@code (B, T)}: the new tokens (after the cached ones, if any)
     * @param attentionMask null (every position valid) or {@code (B, S)} with {@code S = past + T}, non-zero for
     *     real tokens and 0 for padding, covering the cached positions too (Hugging Face's convention)
     * @param positionIds null or int64 {@code (B, T)}. When null: with a mask, each row counts only its real
     *     tokens ({@code cumsum(mask) - 1}, so left padding keeps positions starting at 0, as Hugging Face's
     *     {@code generate} does); without one, {@code past .. past + T - 1}
     * @param cache null, or a cache that receives this call's keys and values and provides the past ones
     */
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        checkOpen();
        if (inputIds.dim() != 2 || inputIds.dtype() != DType.INT64)
            throw new IllegalArgumentException("inputIds: expected int64 (B, T), got " + inputIds.dtype().pytorchName() + " "
                    + Arrays.toString(inputIds.shape()));
        long b = inputIds.size(0), t = inputIds.size(1);
        long past = cache == null ? 0 : cache.length();
        long total = past + t;
        if (t == 0) throw new IllegalArgumentException("inputIds: expected at least one position, got shape " + Arrays.toString(inputIds.shape()));
        if (cache != null && cache.batchSize() != b)
            throw new IllegalArgumentException("cache: holds batch " + cache.batchSize() + ", inputIds has batch " + b);
        if (attentionMask != null && (attentionMask.dim() != 2 || attentionMask.size(0) != b || attentionMask.size(1) != total))
            throw new IllegalArgumentException("attentionMask: expected (B, past + T) = (" + b + ", " + total + "), got "
                    + Arrays.toString(attentionMask.shape()));
        if (positionIds != null && !Arrays.equals(positionIds.shape(), inputIds.shape()))
            throw new IllegalArgumentException("positionIds: expected shape " + Arrays.toString(inputIds.shape()) + ", got "
                    + Arrays.toString(positionIds.shape()));
        try (Scope s = Torch.scope()) {
            Device device = inputIds.device();
            Tensor pos = positionIds != null ? positionIds : defaultPositions(attentionMask, b, past, t, device);    // (B, T)
            long maxPos = positionIds == null && attentionMask == null ? total - 1 : pos.max().itemLong();
            if (maxPos >= config.nPositions())
                throw new IllegalArgumentException("sequence too long: position " + maxPos + " is past n_positions ("
                        + config.nPositions() + ")");
            Tensor mask = attentionMask == null && past > 0 && t > 1 ? causalMask(null, past, t, device)
                    : attentionMask == null ? null : causalMask(attentionMask, past, t, device);                     // (B|1, 1, T, S)
            Tensor x = drop.forward(wte.forward(inputIds).add(wpe.forward(pos)));                          // (B, T, C)
            for (Block block : h) x = block.forward(x, mask, cache);
            if (cache != null) cache.advance(t);
            return s.keep(lnF.forward(x));                                                                  // (B, T, C)
        }
    }

    private static Tensor defaultPositions(Tensor attentionMask, long b, long past, long t, Device device) {
        if (attentionMask == null) return on(Torch.arange(past, past + t), device).unsqueeze(0).expand(b, t);
        Tensor valid = attentionMask.ne(0);                                                                // (B, S)
        // Padding gets position 1 as in Hugging Face; its outputs are never used.
        Tensor pos = valid.to(DType.INT64).cumsum(1).sub(1L).maskedFill(valid.logicalNot(), 1);           // (B, S)
        return pos.narrow(1, past, t);
    }

    /**
     * Bool {@code (B, 1, T, S)}: query {@code i} (absolute position {@code past + i}) may see key {@code j} when
     * {@code j <= past + i} and key {@code j} is a real token. A query always sees its own key, so that padding
     * queries (whose outputs are ignored) never attend to nothing: attention kernels differ on such rows (some give
     * NaN, which would reach later layers through the values), and this keeps every backend finite.
     */
    private static Tensor causalMask(Tensor attentionMask, long past, long t, Device device) {
        long total = past + t;
        Tensor keyPos = on(Torch.arange(total), device).view(1, total);                                    // (1, S)
        Tensor queryPos = on(Torch.arange(past, total), device).view(t, 1);                                // (T, 1)
        Tensor causal = keyPos.le(queryPos);                                                                // (T, S)
        if (attentionMask == null) return causal.view(1, 1, t, total);
        Tensor keyValid = attentionMask.ne(0).view(attentionMask.size(0), 1, 1, total);                   // (B, 1, 1, S)
        Tensor self = keyPos.eq(queryPos);                                                                  // (T, S)
        return causal.logicalAnd(keyValid).logicalOr(self);                                                 // (B, 1, T, S)
    }

    private static Tensor on(Tensor t, Device device) {
        return device.equals(t.device()) ? t : t.to(device);
    }

    /**
     * Quantizes every block's {@code c_attn}, {@code c_proj}, {@code mlp.c_fc} and {@code mlp.c_proj} to int8 per output
     * channel (see {@link Conv1D#quantizeInt8()}); embeddings and layer norms stay float32.
     */
    void quantizeLinearsInt8() {
        try (GradMode g = Torch.noGrad()) {
            for (Block block : h) {
                block.attn.cAttn.quantizeInt8();
                block.attn.cProj.quantizeInt8();
                block.mlp.cFc.quantizeInt8();
                block.mlp.cProj.quantizeInt8();
            }
        }
    }

    /** Whether {@link GPT2LMHeadModel#quantizeInt8()} has run on this model. */
    boolean isQuantized() {
        return h.size() > 0 && h.get(0).attn.cAttn.isQuantized();
    }

    /** A key/value cache for this model's layers, preallocated for {@code capacity} positions. */
    public KVCache newCache(long batchSize, long capacity) {
        Tensor w = wte.weight();
        return new KVCache(config.nLayer(), batchSize, config.nHead(), config.headDim(), capacity, w.dtype(), w.device());
    }
}
