package dev.torch4j.models.bert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Hyper-parameters of a BERT model, named as in Hugging Face's {@code config.json} ({@code BertConfig}):
 * {@link #fromJson(Path)} reads {@code vocab_size}, {@code hidden_size}, {@code num_hidden_layers},
 * {@code num_attention_heads}, {@code intermediate_size}, {@code hidden_act}, {@code hidden_dropout_prob},
 * {@code attention_probs_dropout_prob}, {@code max_position_embeddings}, {@code type_vocab_size},
 * {@code layer_norm_eps}, {@code pad_token_id} and {@code num_labels} (or the size of {@code id2label}); absent
 * fields keep the defaults below, which are bert-base-uncased's. Setters are fluent and return this.
 */
public final class BertConfig {
    private int vocabSize = 30522;
    private int hiddenSize = 768;
    private int numHiddenLayers = 12;
    private int numAttentionHeads = 12;
    private int intermediateSize = 3072;
    private String hiddenAct = "gelu";
    private double hiddenDropoutProb = 0.1;
    private double attentionProbsDropoutProb = 0.1;
    private int maxPositionEmbeddings = 512;
    private int typeVocabSize = 2;
    private double layerNormEps = 1e-12;
    private int padTokenId = 0;
    private int numLabels = 2;

    /** bert-base-uncased's configuration. */
    public BertConfig() {}

    /**
     * all-MiniLM-L6-v2 (sentence-transformers): 6 layers, hidden 384, 12 heads, intermediate 1536, exact GELU,
     * layer-norm eps 1e-12, the BERT uncased vocabulary of 30522.
     */
    public static BertConfig allMiniLmL6V2() {
        return new BertConfig().hiddenSize(384).numHiddenLayers(6).numAttentionHeads(12).intermediateSize(1536);
    }

    /**
     * Reads a Hugging Face {@code config.json}.
     *
     * @throws IllegalArgumentException if the file is missing or malformed, naming the file and field
     */
    public static BertConfig fromJson(Path configJson) {
        Objects.requireNonNull(configJson, "configJson");
        String text;
        try {
            text = Files.readString(configJson);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config.json not found: " + configJson, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + configJson + ": " + e, e);
        }
        return fromJsonString(text, configJson.toString());
    }

    /** Parses the text of a {@code config.json}; {@code source} names it in errors. */
    public static BertConfig fromJsonString(String json, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": expected a JSON object");
        BertConfig c = new BertConfig();
        c.vocabSize = intField(root, "vocab_size", c.vocabSize, source);
        c.hiddenSize = intField(root, "hidden_size", c.hiddenSize, source);
        c.numHiddenLayers = intField(root, "num_hidden_layers", c.numHiddenLayers, source);
        c.numAttentionHeads = intField(root, "num_attention_heads", c.numAttentionHeads, source);
        c.intermediateSize = intField(root, "intermediate_size", c.intermediateSize, source);
        JsonNode act = root.get("hidden_act");
        if (act != null && !act.isNull()) {
            if (!act.isTextual()) throw new IllegalArgumentException(source + ": hidden_act must be a string, got " + act);
            c.hiddenAct = act.asText();
        }
        c.hiddenDropoutProb = doubleField(root, "hidden_dropout_prob", c.hiddenDropoutProb, source);
        c.attentionProbsDropoutProb = doubleField(root, "attention_probs_dropout_prob", c.attentionProbsDropoutProb, source);
        c.maxPositionEmbeddings = intField(root, "max_position_embeddings", c.maxPositionEmbeddings, source);
        c.typeVocabSize = intField(root, "type_vocab_size", c.typeVocabSize, source);
        c.layerNormEps = doubleField(root, "layer_norm_eps", c.layerNormEps, source);
        c.padTokenId = intField(root, "pad_token_id", c.padTokenId, source);
        JsonNode id2label = root.get("id2label");
        if (id2label != null && id2label.isObject() && id2label.size() > 0) c.numLabels = id2label.size();
        c.numLabels = intField(root, "num_labels", c.numLabels, source);
        String pet = root.path("position_embedding_type").asText("absolute");
        if (!pet.equals("absolute"))
            throw new IllegalArgumentException(source + ": position_embedding_type '" + pet + "' is not supported (only 'absolute')");
        try {
            c.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        return c;
    }

    private static int intField(JsonNode root, String name, int dflt, String source) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isIntegralNumber() || !n.canConvertToInt())
            throw new IllegalArgumentException(source + ": " + name + " must be an integer, got " + n);
        return n.intValue();
    }

    private static double doubleField(JsonNode root, String name, double dflt, String source) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isNumber()) throw new IllegalArgumentException(source + ": " + name + " must be a number, got " + n);
        return n.doubleValue();
    }

    /**
     * Checks every value (sizes positive, {@code hidden_size} divisible by {@code num_attention_heads},
     * probabilities in [0, 1], a known activation, at most {@code 2^33} parameters).
     *
     * @throws IllegalArgumentException naming the field and its value
     */
    public BertConfig validate() {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("type_vocab_size", typeVocabSize);
        positive("num_labels", numLabels);
        if (hiddenSize % numAttentionHeads != 0)
            throw new IllegalArgumentException("hidden_size (" + hiddenSize + ") must be a multiple of num_attention_heads ("
                    + numAttentionHeads + ")");
        probability("hidden_dropout_prob", hiddenDropoutProb);
        probability("attention_probs_dropout_prob", attentionProbsDropoutProb);
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
        if (padTokenId < 0 || padTokenId >= vocabSize)
            throw new IllegalArgumentException("pad_token_id must be in [0, vocab_size=" + vocabSize + "), got " + padTokenId);
        Activation.of(hiddenAct);
        if (minParameters() > MAX_PARAMETERS)
            throw new IllegalArgumentException(String.format(Locale.ROOT, "these sizes describe at least %.3g parameters, over "
                    + "the limit of %.3g (vocab_size=%d, hidden_size=%d, num_hidden_layers=%d, intermediate_size=%d, "
                    + "max_position_embeddings=%d); refusing to allocate", minParameters(), (double) MAX_PARAMETERS, vocabSize,
                    hiddenSize, numHiddenLayers, intermediateSize, maxPositionEmbeddings));
        return this;
    }

    /** 2^33 parameters (32 GiB of float32): over five times the largest BERT, far under what a typo can ask for. */
    static final long MAX_PARAMETERS = 1L << 33;

    /**
     * A lower bound of the parameter count these sizes imply (embedding tables and the encoder's weight matrices,
     * no biases, norms or pooler), in double so that absurd sizes cannot overflow.
     */
    double minParameters() {
        return (double) hiddenSize * ((double) vocabSize + maxPositionEmbeddings + typeVocabSize)
                + (double) numHiddenLayers * (4.0 * hiddenSize * hiddenSize + 2.0 * hiddenSize * intermediateSize);
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + v);
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + " must be in [0, 1], got " + p);
    }

    /** The activation functions {@code hidden_act} may name. */
    enum Activation {
        GELU, GELU_TANH, RELU, SILU, TANH;

        static Activation of(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "gelu" -> GELU;
                case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
                case "relu" -> RELU;
                case "silu", "swish" -> SILU;
                case "tanh" -> TANH;
                default -> throw new IllegalArgumentException("hidden_act '" + name
                        + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish, tanh)");
            };
        }
    }

    public int vocabSize() { return vocabSize; }
    public int hiddenSize() { return hiddenSize; }
    public int numHiddenLayers() { return numHiddenLayers; }
    public int numAttentionHeads() { return numAttentionHeads; }
    public int intermediateSize() { return intermediateSize; }
    public String hiddenAct() { return hiddenAct; }
    public double hiddenDropoutProb() { return hiddenDropoutProb; }
    public double attentionProbsDropoutProb() { return attentionProbsDropoutProb; }
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    public int typeVocabSize() { return typeVocabSize; }
    public double layerNormEps() { return layerNormEps; }
    public int padTokenId() { return padTokenId; }
    public int numLabels() { return numLabels; }

    /** Default: 30522. */
    public BertConfig vocabSize(int v) { vocabSize = v; return this; }
    /** Default: 768. */
    public BertConfig hiddenSize(int v) { hiddenSize = v; return this; }
    /** Default: 12. */
    public BertConfig numHiddenLayers(int v) { numHiddenLayers = v; return this; }
    /** Default: 12. */
    public BertConfig numAttentionHeads(int v) { numAttentionHeads = v; return this; }
    /** Default: 3072. */
    public BertConfig intermediateSize(int v) { intermediateSize = v; return this; }
    /** Default: {@code "gelu"} (exact); {@code "gelu_new"} is the tanh approximation. */
    public BertConfig hiddenAct(String v) { hiddenAct = Objects.requireNonNull(v, "hiddenAct"); return this; }
    /** Default: 0.1. */
    public BertConfig hiddenDropoutProb(double v) { hiddenDropoutProb = v; return this; }
    /** Default: 0.1. */
    public BertConfig attentionProbsDropoutProb(double v) { attentionProbsDropoutProb = v; return this; }
    /** Default: 512. */
    public BertConfig maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
    /** Default: 2. */
    public BertConfig typeVocabSize(int v) { typeVocabSize = v; return this; }
    /** Default: 1e-12. */
    public BertConfig layerNormEps(double v) { layerNormEps = v; return this; }
    /** Default: 0. */
    public BertConfig padTokenId(int v) { padTokenId = v; return this; }
    /** Classes of {@link BertForSequenceClassification}. Default: 2. */
    public BertConfig numLabels(int v) { numLabels = v; return this; }

    @Override
    public String toString() {
        return "BertConfig(vocab_size=" + vocabSize + ", hidden_size=" + hiddenSize + ", num_hidden_layers=" + numHiddenLayers
                + ", num_attention_heads=" + numAttentionHeads + ", intermediate_size=" + intermediateSize + ", hidden_act="
                + hiddenAct + ", max_position_embeddings=" + maxPositionEmbeddings + ", type_vocab_size=" + typeVocabSize
                + ", layer_norm_eps=" + layerNormEps + ")";
    }
}
