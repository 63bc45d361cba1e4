package dev.torch4j.models.gpt2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.generation.CausalLM;
import dev.torch4j.generation.GenerationConfig;
import dev.torch4j.generation.Generator;
import dev.torch4j.generation.KVCache;
import dev.torch4j.generation.TokenListener;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.kernels.FusedKernels;
import dev.torch4j.kernels.Int8AccuracyReport;
import dev.torch4j.kernels.Int8Weights;
import dev.torch4j.kernels.Kernels;
import dev.torch4j.nn.Module;

/**
 * GPT-2 with its language-model head (Hugging Face's {@code GPT2LMHeadModel}): {@code logits = ln_f(h) wte^T}.
 *
 * <pre>{@code
 * try (GPT2LMHeadModel model = GPT2LMHeadModel.fromPretrained(Path.of("gpt2"));
 *      Tensor ids = Torch.tensor(new long[] {15496, 11, 314, 1101}, 1, 4);
 *      Tensor out = model.generate(ids, new GenerationConfig().maxNewTokens(20))) {
 *     System.out.println(Arrays.toString(out.toLongArray()));
 * }
 * }</pre>
 *
 * <p>The head is tied: it <em>is</em> {@code transformer.wte.weight}, not a parameter of its own, so
 * {@link #stateDict()} has the {@code transformer.*} keys only, exactly what Hugging Face writes to
 * {@code model.safetensors} for tied GPT-2 (it drops the shared {@code lm_head.weight}).
 */
public class GPT2LMHeadModel extends Module implements CausalLM {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "transformer.";

    private final GPT2Config config;
    private final GPT2Model transformer;
    private Int8Weights lmHeadInt8;  // int8 copy of wte for the head projection after quantizeInt8(); wte stays float32

    /** A randomly initialised model. */
    public GPT2LMHeadModel(GPT2Config config) {
        this.config = config;
        this.transformer = registerModule("transformer", new GPT2Model(config));
    }

    public GPT2Config config() {
        return config;
    }

    public GPT2Model transformer() {
        return transformer;
    }

    // ------------------------------------------------------------------ loading and saving

    /**
     * Loads a Hugging Face directory: {@code config.json} and {@code model.safetensors}, or the shards listed by
     * {@code model.safetensors.index.json}. Returns the model in eval mode.
     *
     * <p>Checkpoint keys may carry the {@code transformer.} prefix or not ({@code h.0.attn.c_attn.weight}, as
     * the original {@code gpt2} checkpoint). Conv1D weights are taken as stored, {@code [in, out]}. The buffers
     * {@code attn.bias} and {@code attn.masked_bias} are ignored. {@code lm_head.weight}, when present, must equal
     * {@code wte.weight} (the head is tied); a different head is refused. Any other missing, unexpected or
     * misshapen key fails, naming every such key.
     *
     * @throws NoSuchFileException if {@code config.json} or the weights are missing
     * @throws IllegalArgumentException if the checkpoint does not match the configuration
     */
    public static GPT2LMHeadModel fromPretrained(Path dir) throws IOException {
        GPT2Config config = GPT2Config.fromJson(dir.resolve("config.json"));
        Map<String, Tensor> raw = loadWeights(dir);
        try (Scope s = Torch.scope()) {
            long held = 0;
            for (Tensor t : raw.values()) held += t.numel();
            if (config.minParameters() > held)
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s: config.json describes at least %.0f "
                        + "parameters (%s), but the checkpoint holds %d; refusing to allocate the model", dir,
                        config.minParameters(), config, held));
            GPT2LMHeadModel model = new GPT2LMHeadModel(config);
            try {
                model.loadCheckpoint(raw, dir);
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

    private static Map<String, Tensor> loadWeights(Path dir) throws IOException {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(single)) return SafeTensors.load(single);
        if (!Files.isRegularFile(index))
            throw new NoSuchFileException(dir.toString(), null, "neither model.safetensors nor model.safetensors.index.json found");
        JsonNode map;
        try {
            map = JSON.reader().with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).readTree(Files.readAllBytes(index))
                    .get("weight_map");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(index + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (map == null || !map.isObject() || map.isEmpty())
            throw new IllegalArgumentException(index + ": expected a non-empty object \"weight_map\"");
        Set<String> shards = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual() || e.getValue().asText().isEmpty())
                throw new IllegalArgumentException(index + ": weight_map['" + e.getKey() + "'] must be a file name, got " + e.getValue());
            shards.add(e.getValue().asText());
        }
        Map<String, Tensor> all = new LinkedHashMap<>();
        try {
            for (String shard : shards) {
                Path file = dir.resolve(shard).normalize();
                if (!file.startsWith(dir.normalize()) || file.equals(dir.normalize()))
                    throw new IllegalArgumentException(index + ": shard outside the directory: " + shard);
                if (!Files.isRegularFile(file))
                    throw new NoSuchFileException(file.toString(), null, index + " names shard " + shard + ", which is not a file");
                if (!file.toRealPath().startsWith(dir.toRealPath()) && !inHubBlobs(dir, file))
                    throw new IllegalArgumentException(index + ": shard " + shard + " links outside the directory, to " + file.toRealPath());
                for (Map.Entry<String, Tensor> e : SafeTensors.load(file).entrySet()) {
                    Tensor old = all.put(e.getKey(), e.getValue());
                    if (old != null) {
                        old.close();
                        throw new IllegalArgumentException(index + ": tensor " + e.getKey() + " appears in more than one shard");
                    }
                }
            }
            List<String> absent = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : map.properties())
                if (!all.containsKey(e.getKey())) absent.add(e.getKey() + " (in " + e.getValue().asText() + ")");
            if (!absent.isEmpty()) throw new IllegalArgumentException(index + " lists tensors its shards lack: " + absent);
        } catch (IOException | RuntimeException e) {
            all.values().forEach(Tensor::close);
            throw e;
        }
        return all;
    }

    /** Whether {@code file} links into the {@code blobs} folder of the Hugging Face cache snapshot {@code dir} is in. */
    private static boolean inHubBlobs(Path dir, Path file) throws IOException {
        Path snapshots = dir.toRealPath().getParent();
        return snapshots != null && snapshots.getFileName() != null && snapshots.getFileName().toString().equals("snapshots")
                && snapshots.getParent() != null && file.toRealPath().startsWith(snapshots.getParent().resolve("blobs"));
    }

    private void loadCheckpoint(Map<String, Tensor> raw, Path dir) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        Tensor lmHead = null;
        List<String> duplicate = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : raw.entrySet()) {
            String key = e.getKey();
            if (key.equals("lm_head.weight")) {
                lmHead = e.getValue();
                continue;
            }
            String k = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
            if (k.matches("h\\.\\d+\\.attn\\.(bias|masked_bias)")) continue;
            if (state.put(PREFIX + k, e.getValue()) != null) duplicate.add(k);
        }
        if (!duplicate.isEmpty())
            throw new IllegalArgumentException(dir + ": keys present both with and without the \"transformer.\" prefix: " + duplicate);
        try {
            loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage(), e);
        }
        if (lmHead != null) {
            Tensor wte = transformer.wte().weight();
            if (!Arrays.equals(lmHead.shape(), wte.shape()) || !lmHead.to(wte.dtype()).equal(wte))
                throw new IllegalArgumentException(dir + ": lm_head.weight " + Arrays.toString(lmHead.shape())
                        + " differs from transformer.wte.weight " + Arrays.toString(wte.shape())
                        + "; GPT2LMHeadModel ties the head to the token embedding and cannot load a separate head");
        }
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} (keys {@code transformer.*}, Conv1D weights
     * {@code [in, out]}, no {@code lm_head.weight}) to {@code dir}, creating it; {@link #fromPretrained} and
     * Hugging Face read the result.
     */
    public void saveResolved(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config.toJson());
        Map<String, Tensor> state = stateDict();
        try {
            SafeTensors.save(dir.resolve("model.safetensors"), state, Map.of("format", "pt"));
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    // ------------------------------------------------------------------ forward

    /** Logits {@code (B, T, V)} of {@code inputIds (B, T)} (no padding, no cache). */
    @Override
    public Tensor forward(Tensor inputIds) {
        return forward(inputIds, null, null, null);
    }

    /** Logits {@code (B, T, V)} with an attention mask {@code (B, T)} (0 at padding); see {@link GPT2Model#forward(Tensor, Tensor, Tensor, KVCache)}. */
    public Tensor forward(Tensor inputIds, Tensor attentionMask) {
        return forward(inputIds, attentionMask, null, null);
    }

    /** Logits {@code (B, T, V)}; the arguments are those of {@link GPT2Model#forward(Tensor, Tensor, Tensor, KVCache)}. */
    @Override
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        try (Scope s = Torch.scope()) {
            Tensor hidden = transformer.forward(inputIds, attentionMask, positionIds, cache);   // (B, T, C)
            return s.keep(head(hidden));                                                          // (B, T, V)
        }
    }

    /** Logits {@code (B, V)} of the last position only: the head runs on one row per sequence. */
    @Override
    public Tensor forwardLast(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        try (Scope s = Torch.scope()) {
            Tensor hidden = transformer.forward(inputIds, attentionMask, positionIds, cache);   // (B, T, C)
            return s.keep(head(hidden.select(1, hidden.size(1) - 1).contiguous()));           // (B, V)
        }
    }

    // x (..., C) -> logits (..., V) through the tied wte.
    private Tensor head(Tensor hidden) {
        Tensor wte = transformer.wte().weight();                                                  // (V, C)
        if (lmHeadInt8 != null && lmHeadInt8.canServe(hidden, wte)) return Kernels.int8Linear(hidden, lmHeadInt8, null);
        if (FusedKernels.appliesToLinear(hidden, wte))
            return Kernels.linear(hidden, wte, null, Kernels.WeightLayout.OUT_IN, Kernels.Activation.NONE);
        return hidden.matmul(wte.t());
    }

    @Override
    public KVCache newCache(long batchSize, long capacity) {
        return transformer.newCache(batchSize, capacity);
    }

    @Override
    public long maxPositions() {
        return config.nPositions();
    }

    @Override
    public long[] defaultEosTokenIds() {
        return new long[] {config.eosTokenId()};
    }

    // ------------------------------------------------------------------ int8

    /** Positions of the default probe of {@link #quantizeInt8()}. */
    public static final int DEFAULT_PROBE_LENGTH = 8;

    /**
     * {@link #quantizeInt8(Tensor)} on a fixed probe: one row of {@link #DEFAULT_PROBE_LENGTH} (or {@code n_positions},
     * if fewer) token ids spread over the vocabulary.
     */
    public Int8AccuracyReport quantizeInt8() {
        long n = Math.min(DEFAULT_PROBE_LENGTH, config.nPositions());
        long[] ids = new long[(int) n];
        for (int i = 0; i < n; i++) ids[i] = (i * 7919L + 13) % config.vocabSize();
        try (Tensor probe = Torch.tensor(ids, 1, n)) {
            return quantizeInt8(probe);
        }
    }

    /**
     * Swaps the linear weights of every block ({@code attn.c_attn}, {@code attn.c_proj}, {@code mlp.c_fc},
     * {@code mlp.c_proj}) for int8 per-output-channel weights ({@link Int8Weights}), and gives the tied head its own int8
     * copy of {@code wte} for the logits projection (50257 x 768: read once per token, more bytes than all blocks). The
     * token and position embeddings themselves (lookup, and the head under autograd) and the layer norms stay float32.
     * The blocks' float {@code weight} parameters are overwritten with the dequantized values, so that the float path
     * and {@link #stateDict()} compute the same weights. When no graph is recorded, {@link Kernels#int8Linear} serves
     * the head at every row count ({@link Int8Weights#canServe}) and the block layers ({@link Int8Weights#serves}) at
     * every row count on a CPU with AVX-512 VNNI (activations quantized per row), else up to
     * {@link Int8Weights#KERNEL_MAX_ROWS} rows (decode steps), longer inputs then running LibTorch's float GEMM on the
     * dequantized weights. The int8 copies are made once: loading or training the float weights afterwards does
     * not update them.
     *
     * <p>Returns the logits error on {@code probeIds (B, T)} (no padding): float32 logits of a full forward before
     * quantizing against the quantized model decoding the probe one position at a time with a cache (the path a
     * generation step takes). On the tiny test checkpoint (logits up to 9.4) the max abs error stays below 0.3 and
     * greedy continuations are unchanged (GPT2Int8Test states the measured values).
     *
     * @throws IllegalStateException if the model is already quantized
     */
    public Int8AccuracyReport quantizeInt8(Tensor probeIds) {
        checkOpen();
        if (transformer.isQuantized()) throw new IllegalStateException("quantizeInt8: the model is already quantized");
        if (probeIds.dim() != 2 || probeIds.size(1) == 0)
            throw new IllegalArgumentException("probeIds: expected non-empty int64 (B, T), got " + Arrays.toString(probeIds.shape()));
        boolean wasTraining = isTraining();
        eval();
        try (GradMode g = Torch.noGrad(); Scope s = Torch.scope()) {
            long b = probeIds.size(0), t = probeIds.size(1);
            Tensor reference = forward(probeIds);                                                    // (B, T, V)
            transformer.quantizeLinearsInt8();
            lmHeadInt8 = Int8Weights.quantizeOwned(transformer.wte().weight());
            Tensor[] steps = new Tensor[(int) t];
            try (KVCache cache = newCache(b, t)) {
                for (int i = 0; i < t; i++) steps[i] = forward(probeIds.narrow(1, i, 1), null, null, cache);  // (B, 1, V)
            }
            Tensor err = Torch.cat(List.of(steps), 1).sub(reference).abs();
            Tensor mag = reference.abs();
            return new Int8AccuracyReport(err.max().item(), err.mean().item(), mag.max().item(), mag.mean().item());
        } finally {
            train(wasTraining);
        }
    }

    @Override
    public void close() {
        if (lmHeadInt8 != null) lmHeadInt8.close();
        lmHeadInt8 = null;
        super.close();
    }

    // ------------------------------------------------------------------ generation

    /** New ids {@code (B, n)} continuing {@code inputIds (B, P)} (rows of equal length); see {@link Generator}. */
    public Tensor generate(Tensor inputIds, GenerationConfig config) {
        return generate(inputIds, null, config, null);
    }

    /** As {@link #generate(Tensor, GenerationConfig)} for left-padded rows ({@code attentionMask (B, P)}, 0 at padding). */
    public Tensor generate(Tensor inputIds, Tensor attentionMask, GenerationConfig config) {
        return generate(inputIds, attentionMask, config, null);
    }

    /**
     * Generates under no-grad in eval mode (the previous mode is restored), streaming each token to
     * {@code listener} (may be null). Returns the new ids only, int64 {@code (B, n)}, {@code n <= maxNewTokens}.
     */
    public Tensor generate(Tensor inputIds, Tensor attentionMask, GenerationConfig config, TokenListener listener) {
        checkOpen();
        boolean wasTraining = isTraining();
        eval();
        try (GradMode g = Torch.noGrad()) {
            return Generator.generate(this, inputIds, attentionMask, config, listener);
        } finally {
            train(wasTraining);
        }
    }
}
