package dev.torch4j.models.gpt2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * GPT-2 hyper-parameters, named as Hugging Face's {@code config.json} spells them ({@code n_embd},
 * {@code n_layer}, ...). The defaults are GPT-2 small's (124M). Setters are fluent and validate their value.
 *
 * <pre>{@code
 * GPT2Config c = new GPT2Config().nEmbd(64).nLayer(2).nHead(4).vocabSize(1000);
 * GPT2Config hf = GPT2Config.fromJson(Path.of("gpt2/config.json"));
 * }</pre>
 */
public final class GPT2Config {
    private static final ObjectMapper JSON = new ObjectMapper();

    private long vocabSize = 50257;
    private long nPositions = 1024;
    private long nEmbd = 768;
    private int nLayer = 12;
    private long nHead = 12;
    private Long nInner;
    private String activationFunction = "gelu_new";
    private double residPdrop = 0.1;
    private double embdPdrop = 0.1;
    private double attnPdrop = 0.1;
    private double layerNormEpsilon = 1e-5;
    private double initializerRange = 0.02;
    private long bosTokenId = 50256;
    private long eosTokenId = 50256;

    /** GPT-2 small. */
    public GPT2Config() {}

    /**
     * Reads a Hugging Face {@code config.json}. Absent fields keep their defaults; {@code n_ctx}, when present,
     * must equal {@code n_positions}. Options this implementation does not support
     * ({@code scale_attn_by_inverse_layer_idx}, {@code reorder_and_upcast_attn}, {@code scale_attn_weights=false},
     * {@code add_cross_attention}, untied embeddings) are refused rather than silently ignored.
     *
     * @throws IOException if the file is missing (a {@link NoSuchFileException} naming it) or unreadable
     * @throws IllegalArgumentException if a value is invalid or unsupported, naming the field
     */
    public static GPT2Config fromJson(Path configJson) throws IOException {
        Objects.requireNonNull(configJson, "configJson");
        if (!Files.isRegularFile(configJson)) throw new NoSuchFileException(configJson.toString(), null, "GPT-2 config.json not found");
        JsonNode n;
        try {
            n = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new IOException("cannot parse " + configJson + ": " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException(configJson + ": expected a JSON object");
        return fromJson(n, configJson.toString());
    }

    static GPT2Config fromJson(JsonNode n, String source) {
        try {
            return parse(n, source);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source)) throw e;
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static GPT2Config parse(JsonNode n, String source) {
        GPT2Config c = new GPT2Config();
        String type = text(n, "model_type", "gpt2");
        if (!type.equals("gpt2")) throw new IllegalArgumentException(source + ": model_type: expected \"gpt2\", got \"" + type + "\"");
        c.vocabSize(lng(n, "vocab_size", c.vocabSize));
        c.nPositions(lng(n, "n_positions", c.nPositions));
        if (n.hasNonNull("n_ctx") && n.get("n_ctx").asLong() != c.nPositions)
            throw new IllegalArgumentException(source + ": n_ctx (" + n.get("n_ctx").asLong() + ") must equal n_positions ("
                    + c.nPositions + ")");
        c.nEmbd(lng(n, "n_embd", c.nEmbd));
        long nLayer = lng(n, "n_layer", c.nLayer);
        if (nLayer > Integer.MAX_VALUE) throw new IllegalArgumentException("n_layer must be < 2^31, got " + nLayer);
        c.nLayer((int) nLayer);
        c.nHead(lng(n, "n_head", c.nHead));
        if (n.hasNonNull("n_inner")) c.nInner(lng(n, "n_inner", 0));
        c.activationFunction(text(n, "activation_function", c.activationFunction));
        c.residPdrop(dbl(n, "resid_pdrop", c.residPdrop));
        c.embdPdrop(dbl(n, "embd_pdrop", c.embdPdrop));
        c.attnPdrop(dbl(n, "attn_pdrop", c.attnPdrop));
        c.layerNormEpsilon(dbl(n, "layer_norm_epsilon", c.layerNormEpsilon));
        c.initializerRange(dbl(n, "initializer_range", c.initializerRange));
        c.bosTokenId = lng(n, "bos_token_id", c.bosTokenId);
        c.eosTokenId = lng(n, "eos_token_id", c.eosTokenId);
        refuse(n, source, "scale_attn_by_inverse_layer_idx", false);
        refuse(n, source, "reorder_and_upcast_attn", false);
        refuse(n, source, "add_cross_attention", false);
        refuse(n, source, "scale_attn_weights", true);
        refuse(n, source, "tie_word_embeddings", true);
        c.headDim();
        if (c.minParameters() > MAX_PARAMETERS)
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "these sizes describe at least %.3g "
                    + "parameters, over the limit of %.3g (%s); refusing to allocate", c.minParameters(), (double) MAX_PARAMETERS, c));
        return c;
    }

    /** 2^33 parameters (32 GiB of float32): over five times GPT-2 XL, far under what a typo can ask for. */
    static final long MAX_PARAMETERS = 1L << 33;

    /**
     * A lower bound of the parameter count these sizes imply (embedding tables and the blocks' weight matrices,
     * no biases or norms), in double so that absurd sizes cannot overflow.
     */
    double minParameters() {
        return (double) nEmbd * ((double) vocabSize + nPositions)
                + (double) nLayer * (4.0 * nEmbd * nEmbd + 2.0 * nEmbd * innerSize());
    }

    private static void refuse(JsonNode n, String source, String field, boolean supported) {
        if (n.hasNonNull(field) && n.get(field).asBoolean() != supported)
            throw new IllegalArgumentException(source + ": " + field + "=" + !supported + " is not supported (only " + supported + ")");
    }

    private static String text(JsonNode n, String f, String d) {
        return n.hasNonNull(f) ? n.get(f).asText() : d;
    }

    private static long lng(JsonNode n, String f, long d) {
        if (!n.hasNonNull(f)) return d;
        JsonNode v = n.get(f);
        if (!v.isIntegralNumber() || !v.canConvertToLong())
            throw new IllegalArgumentException("config " + f + ": expected an integer, got " + v);
        return v.asLong();
    }

    private static double dbl(JsonNode n, String f, double d) {
        if (!n.hasNonNull(f)) return d;
        JsonNode v = n.get(f);
        if (!v.isNumber()) throw new IllegalArgumentException("config " + f + ": expected a number, got " + v);
        return v.asDouble();
    }

    /** This configuration as a Hugging Face {@code config.json} object. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "gpt2");
        m.put("architectures", new String[] {"GPT2LMHeadModel"});
        m.put("vocab_size", vocabSize);
        m.put("n_positions", nPositions);
        m.put("n_ctx", nPositions);
        m.put("n_embd", nEmbd);
        m.put("n_layer", nLayer);
        m.put("n_head", nHead);
        m.put("n_inner", nInner);
        m.put("activation_function", activationFunction);
        m.put("resid_pdrop", residPdrop);
        m.put("embd_pdrop", embdPdrop);
        m.put("attn_pdrop", attnPdrop);
        m.put("layer_norm_epsilon", layerNormEpsilon);
        m.put("initializer_range", initializerRange);
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenId);
        m.put("tie_word_embeddings", true);
        ObjectNode node = JSON.valueToTree(m);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ fluent setters

    private static long positive(String name, long v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + v);
        return v;
    }

    private static double probability(String name, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
        return v;
    }

    /** Default: 50257. */
    public GPT2Config vocabSize(long v) { vocabSize = positive("vocab_size", v); return this; }

    /** Longest sequence (learned position embeddings). Default: 1024. */
    public GPT2Config nPositions(long v) { nPositions = positive("n_positions", v); return this; }

    /** Hidden size; must be divisible by {@code n_head}. Default: 768. */
    public GPT2Config nEmbd(long v) { nEmbd = positive("n_embd", v); return this; }

    /** Default: 12. */
    public GPT2Config nLayer(int v) { nLayer = (int) positive("n_layer", v); return this; }

    /** Default: 12. */
    public GPT2Config nHead(long v) { nHead = positive("n_head", v); return this; }

    /** MLP width; null means {@code 4 * n_embd}. Default: null. */
    public GPT2Config nInner(Long v) { nInner = v == null ? null : positive("n_inner", v); return this; }

    /**
     * {@code gelu_new} / {@code gelu_pytorch_tanh} (tanh approximation), {@code gelu} (exact), {@code relu},
     * {@code silu} / {@code swish}. Default: {@code gelu_new}.
     */
    public GPT2Config activationFunction(String v) {
        Objects.requireNonNull(v, "activation_function");
        switch (v) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu", "relu", "silu", "swish" -> activationFunction = v;
            default -> throw new IllegalArgumentException("activation_function: expected one of gelu_new, gelu_pytorch_tanh, "
                    + "gelu, relu, silu, swish, got \"" + v + "\"");
        }
        return this;
    }

    /** Dropout after attention and MLP outputs. Default: 0.1. */
    public GPT2Config residPdrop(double v) { residPdrop = probability("resid_pdrop", v); return this; }

    /** Dropout on the embeddings. Default: 0.1. */
    public GPT2Config embdPdrop(double v) { embdPdrop = probability("embd_pdrop", v); return this; }

    /** Dropout on attention weights. Default: 0.1. */
    public GPT2Config attnPdrop(double v) { attnPdrop = probability("attn_pdrop", v); return this; }

    /** Default: 1e-5. */
    public GPT2Config layerNormEpsilon(double v) {
        if (!(v > 0)) throw new IllegalArgumentException("layer_norm_epsilon must be > 0, got " + v);
        layerNormEpsilon = v;
        return this;
    }

    /** Standard deviation of the normal initialisation. Default: 0.02. */
    public GPT2Config initializerRange(double v) {
        if (!(v >= 0)) throw new IllegalArgumentException("initializer_range must be >= 0, got " + v);
        initializerRange = v;
        return this;
    }

    /** Default: 50256. */
    public GPT2Config bosTokenId(long v) { bosTokenId = v; return this; }

    /** Default: 50256. */
    public GPT2Config eosTokenId(long v) { eosTokenId = v; return this; }

    // ------------------------------------------------------------------ getters

    public long vocabSize() { return vocabSize; }
    public long nPositions() { return nPositions; }
    public long nEmbd() { return nEmbd; }
    public int nLayer() { return nLayer; }
    public long nHead() { return nHead; }
    /** The MLP width ({@code n_inner}, or {@code 4 * n_embd} when unset). */
    public long innerSize() { return nInner != null ? nInner : 4 * nEmbd; }
    public String activationFunction() { return activationFunction; }
    public double residPdrop() { return residPdrop; }
    public double embdPdrop() { return embdPdrop; }
    public double attnPdrop() { return attnPdrop; }
    public double layerNormEpsilon() { return layerNormEpsilon; }
    public double initializerRange() { return initializerRange; }
    public long bosTokenId() { return bosTokenId; }
    public long eosTokenId() { return eosTokenId; }

    /** Size of one attention head, {@code n_embd / n_head}. */
    public long headDim() {
        if (nEmbd % nHead != 0)
            throw new IllegalArgumentException("n_embd (" + nEmbd + ") must be divisible by n_head (" + nHead + ")");
        return nEmbd / nHead;
    }

    @Override
    public String toString() {
        return "GPT2Config(vocab_size=" + vocabSize + ", n_positions=" + nPositions + ", n_embd=" + nEmbd + ", n_layer="
                + nLayer + ", n_head=" + nHead + ", activation_function=" + activationFunction + ")";
    }
}
