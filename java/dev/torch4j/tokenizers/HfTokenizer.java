package dev.torch4j.tokenizers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust {@code tokenizers} library through DJL's JNI binding
 * ({@code ai.djl.huggingface:tokenizers}).
 *
 * <h2>Offline use</h2>
 * The DJL jar carries the native library for linux-x86_64, linux-aarch64, macOS arm64 and Windows x86-64. On
 * first use it is copied from the jar to {@code ~/.djl.ai/tokenizers/<version>-<platform>/} (the folder can be
 * moved with the {@code DJL_CACHE_DIR} or {@code ENGINE_CACHE_DIR} environment variable or system property) and
 * loaded with {@code System.load}; nothing is downloaded. The tokenizer is built from the JSON text, never from
 * a hub name. DJL's telemetry ping (which probes the EC2 metadata address) is switched off by setting the
 * {@code OPT_OUT_TRACKING} system property to {@code true} before DJL is first touched, unless the application
 * already set it.
 *
 * <h2>Padding and truncation</h2>
 * The settings stored in the file (all-MiniLM-L6-v2's pads every text to 128) are replaced: {@link #encode}
 * neither pads nor truncates; {@link #encodeBatch} truncates with Hugging Face's rules (special tokens kept)
 * through a second native tokenizer per {@code maxLength}, and pads in Java to the longest row with the file's
 * pad token ({@code padding.pad_id}, else {@code [PAD]} / {@code <pad>}, else id 0).
 *
 * <p>Thread-safe; {@link #close()} must not race with other calls.
 */
final class HfTokenizer implements Tokenizer {
    private static final int MAX_CACHED_LENGTHS = 8;

    static {
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null)
            System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private final String source;
    private final String json;
    private final HuggingFaceTokenizer base;
    private final Map<Integer, HuggingFaceTokenizer> truncating = new ConcurrentHashMap<>();
    private final long vocabSize;
    private final long padId;
    private final String padToken;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HfTokenizer(String source, String json, JsonNode root) {
        this.source = source;
        this.json = json;
        this.vocabSize = countVocab(root, source);
        long pid = -1;
        String ptok = null;
        JsonNode padding = root.get("padding");
        if (padding != null && padding.isObject() && padding.path("pad_id").canConvertToLong()) {
            pid = padding.get("pad_id").asLong();
            ptok = padding.path("pad_token").asText(null);
        }
        if (pid < 0) {
            for (JsonNode t : root.path("added_tokens")) {
                String c = t.path("content").asText("");
                if (c.equals("[PAD]") || c.equals("<pad>")) {
                    pid = t.path("id").asLong();
                    ptok = c;
                    break;
                }
            }
        }
        this.padId = Math.max(pid, 0);
        this.padToken = ptok == null ? "" : ptok;
        this.base = create(0);
    }

    static HfTokenizer load(Path file) {
        Objects.requireNonNull(file, "tokenizerJson");
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("tokenizer.json not found: " + file, e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read tokenizer file " + file + ": " + e, e);
        }
        return fromJson(json, file.toString());
    }

    /** Builds a tokenizer from the text of a tokenizer.json; {@code source} names it in errors. */
    static HfTokenizer fromJson(String json, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tokenizer file " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("model").isObject())
            throw new IllegalArgumentException("tokenizer file " + source
                    + " is not a Hugging Face tokenizer.json: expected a JSON object with a \"model\" object");
        return new HfTokenizer(source, json, root);
    }

    private static long countVocab(JsonNode root, String source) {
        Set<Long> ids = new HashSet<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) ids.add(it.next().asLong());
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], ids are positions
            for (long i = 0; i < vocab.size(); i++) ids.add(i);
        } else {
            throw new IllegalArgumentException("tokenizer file " + source + ": model.vocab is missing");
        }
        // The tokenizers library accepts such a file and fails on the first unknown word instead.
        JsonNode unk = root.path("model").path("unk_token");
        if (vocab.isObject() && unk.isTextual() && !vocab.has(unk.asText()))
            throw new IllegalArgumentException("tokenizer file " + source + ": model.unk_token '" + unk.asText() + "' is not in model.vocab");
        for (JsonNode t : root.path("added_tokens")) if (t.path("id").canConvertToLong()) ids.add(t.get("id").asLong());
        return ids.size();
    }

    /** A native tokenizer without padding, truncating to {@code maxLength} when it is positive. */
    private HuggingFaceTokenizer create(int maxLength) {
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("padding", "false");
        options.put("truncation", maxLength > 0 ? "true" : "false");
        if (maxLength > 0) {
            options.put("maxLength", Integer.toString(maxLength));
            options.put("modelMaxLength", Integer.toString(maxLength));
        }
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), options);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("tokenizer file " + source + " was rejected by the tokenizers library: "
                    + e.getMessage(), e);
        }
    }

    private void checkOpen() {
        if (closed.get()) throw new IllegalStateException("tokenizer is closed");
    }

    @Override
    public long[] encode(String text) {
        return encodeFull(text).ids();
    }

    @Override
    public Encoding encodeFull(String text) {
        Objects.requireNonNull(text, "text");
        checkOpen();
        return convert(base.encode(text), text);
    }

    @Override
    public BatchEncoding encodeBatch(List<String> texts, int maxLength) {
        Objects.requireNonNull(texts, "texts");
        if (maxLength < 0) throw new IllegalArgumentException("maxLength: expected >= 0 (0 = no truncation), got " + maxLength);
        for (int i = 0; i < texts.size(); i++) Objects.requireNonNull(texts.get(i), "texts[" + i + "]");
        checkOpen();
        HuggingFaceTokenizer tok = base;
        boolean temporary = false;
        if (maxLength > 0) {
            tok = truncating.get(maxLength);
            if (tok == null) {
                if (truncating.size() < MAX_CACHED_LENGTHS) {
                    tok = truncating.computeIfAbsent(maxLength, this::create);
                } else {
                    tok = create(maxLength);
                    temporary = true;
                }
            }
        }
        try {
            ai.djl.huggingface.tokenizers.Encoding[] raw = tok.batchEncode(texts);
            List<Encoding> rows = new ArrayList<>(raw.length);
            for (int i = 0; i < raw.length; i++) rows.add(convert(raw[i], texts.get(i)));
            return BatchEncoding.pad(rows, padId, padToken);
        } finally {
            if (temporary) tok.close();
        }
    }

    @Override
    public String decode(long[] ids) {
        Objects.requireNonNull(ids, "ids");
        checkOpen();
        for (int i = 0; i < ids.length; i++)
            if (ids[i] < 0 || ids[i] >= vocabSize)
                throw new IllegalArgumentException("ids[" + i + "]: expected a token id in [0, " + vocabSize + "), got " + ids[i]);
        return base.decode(ids, true);
    }

    @Override
    public long vocabSize() {
        return vocabSize;
    }

    /** Id used to pad batches. */
    long padId() {
        return padId;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        base.close();
        truncating.values().forEach(HuggingFaceTokenizer::close);
        truncating.clear();
    }

    private static Encoding convert(ai.djl.huggingface.tokenizers.Encoding e, String text) {
        long[] ids = e.getIds();
        CharSpan[] spans = e.getCharTokenSpans();
        int[][] offsets = new int[ids.length][];
        boolean ascii = isBmpOnly(text);
        for (int i = 0; i < ids.length; i++) {
            CharSpan s = spans == null || i >= spans.length ? null : spans[i];
            if (s == null) {
                offsets[i] = new int[2];
            } else if (ascii) {
                offsets[i] = new int[] {s.getStart(), s.getEnd()};
            } else { // the library counts Unicode code points; Java strings index UTF-16 chars
                offsets[i] = new int[] {charIndex(text, s.getStart()), charIndex(text, s.getEnd())};
            }
        }
        return new Encoding(ids, e.getAttentionMask(), e.getTypeIds(), offsets, e.getTokens());
    }

    private static boolean isBmpOnly(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isSurrogate(s.charAt(i))) return false;
        return true;
    }

    private static int charIndex(String s, int codePoints) {
        int cps = s.codePointCount(0, s.length());
        return s.offsetByCodePoints(0, Math.max(0, Math.min(codePoints, cps)));
    }

    @Override
    public String toString() {
        return "Tokenizer(" + source + ", vocabSize=" + vocabSize + ")";
    }
}
