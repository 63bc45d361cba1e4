package dev.torch4j.tokenizers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * GPT-2's byte-level BPE tokenizer (OpenAI's {@code encoder.py}, Hugging Face's {@code GPT2Tokenizer},
 * tiktoken's {@code r50k_base}), in pure Java.
 *
 * <p>Encoding: the text is split on the special token {@code <|endoftext|>} (which becomes its id), each
 * remaining piece is cut by GPT-2's pre-tokenizer regex ({@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
 * ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, with Unicode white space), each match's UTF-8 bytes are mapped to
 * printable characters ({@code bytes_to_unicode}: a space becomes {@code Ġ}) and merged by BPE rank; results
 * are cached per pre-token. No BOS/EOS is added. Decoding maps the token strings back to bytes and decodes
 * UTF-8 (invalid sequences become U+FFFD); special tokens are skipped, as {@link Tokenizer#decode} specifies.
 *
 * <pre>{@code
 * Gpt2Tokenizer tok = Gpt2Tokenizer.gpt2();
 * long[] ids = tok.encode("Hello world");   // [15496, 995]
 * String s = tok.decode(ids);               // "Hello world"
 * }</pre>
 *
 * <p>Thread-safe; {@link #close()} does nothing (no native resources).
 */
public final class Gpt2Tokenizer implements Tokenizer {
    /** GPT-2's pre-tokenizer; Unicode white space as Python's {@code regex} module. */
    static final Pattern PRETOKENIZE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** The end-of-text token. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final int CACHE_LIMIT = 100_000;
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        // bytes_to_unicode: printable Latin-1 bytes map to themselves, the rest to 256, 257, ... in order.
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private static volatile Gpt2Tokenizer gpt2;

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> mergeRanks;
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();
    private final int endOfText;

    private Gpt2Tokenizer(Map<String, Integer> encoder, Map<String, Integer> mergeRanks, String source) {
        this.encoder = encoder;
        this.mergeRanks = mergeRanks;
        int max = -1;
        for (int id : encoder.values()) max = Math.max(max, id);
        this.decoder = new String[max + 1];
        for (Map.Entry<String, Integer> e : encoder.entrySet()) {
            if (decoder[e.getValue()] != null)
                throw new IllegalArgumentException(source + ": id " + e.getValue() + " is given to both '" + decoder[e.getValue()]
                        + "' and '" + e.getKey() + "'");
            decoder[e.getValue()] = e.getKey();
        }
        for (char c : BYTE_TO_CHAR)
            if (!encoder.containsKey(String.valueOf(c)))
                throw new IllegalArgumentException(source + ": the vocabulary lacks the byte token '" + c + "' (byte "
                        + CHAR_TO_BYTE[c] + "); not a byte-level BPE vocabulary");
        this.endOfText = encoder.getOrDefault(END_OF_TEXT, -1);
    }

    /**
     * Loads a GPT-2 style {@code vocab.json} (token string to id) and {@code merges.txt} (one merge
     * {@code "a b"} per line, highest priority first; a {@code #version} first line is skipped).
     *
     * @throws IllegalArgumentException if a file is missing or malformed, naming it and the line
     */
    public static Gpt2Tokenizer fromFiles(Path vocabJson, Path mergesTxt) {
        Objects.requireNonNull(vocabJson, "vocabJson");
        Objects.requireNonNull(mergesTxt, "mergesTxt");
        try {
            return create(Files.readAllBytes(vocabJson), vocabJson.toString(), Files.readAllBytes(mergesTxt), mergesTxt.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read GPT-2 tokenizer files " + vocabJson + ", " + mergesTxt + ": " + e, e);
        }
    }

    /** The original GPT-2 vocabulary (50257 tokens), embedded in the library; loaded once and shared. */
    public static Gpt2Tokenizer gpt2() {
        Gpt2Tokenizer t = gpt2;
        if (t == null) {
            synchronized (Gpt2Tokenizer.class) {
                t = gpt2;
                if (t == null) gpt2 = t = create(resource("vocab.json"), "gpt2/vocab.json", resource("merges.txt"), "gpt2/merges.txt");
            }
        }
        return t;
    }

    private static byte[] resource(String name) {
        try (InputStream in = Gpt2Tokenizer.class.getResourceAsStream("gpt2/" + name)) {
            if (in == null) throw new IllegalStateException("resource dev/torch4j/tokenizers/gpt2/" + name + " missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Gpt2Tokenizer create(byte[] vocab, String vocabName, byte[] merges, String mergesName) {
        Map<String, Integer> encoder = new HashMap<>();
        try {
            JsonNode root = new ObjectMapper().readTree(vocab);
            if (root == null || !root.isObject()) throw new IllegalArgumentException(vocabName + ": expected a JSON object");
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0)
                    throw new IllegalArgumentException(vocabName + ": id of '" + e.getKey() + "' must be a non-negative integer, got "
                            + e.getValue());
                encoder.put(e.getKey(), e.getValue().asInt());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(vocabName + ": not valid JSON: " + e.getMessage(), e);
        }
        Map<String, Integer> ranks = new HashMap<>();
        String[] lines = new String(merges, StandardCharsets.UTF_8).split("\n");
        int rank = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
            String[] pair = line.split(" ");
            if (pair.length != 2)
                throw new IllegalArgumentException(mergesName + ":" + (i + 1) + ": expected two symbols separated by one space, got '"
                        + line + "'");
            ranks.putIfAbsent(pair[0] + " " + pair[1], rank++);
        }
        return new Gpt2Tokenizer(encoder, ranks, vocabName);
    }

    // ------------------------------------------------------------------ encoding

    @Override
    public long[] encode(String text) {
        List<Piece> pieces = tokenize(text);
        long[] ids = new long[pieces.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = pieces.get(i).id;
        return ids;
    }

    @Override
    public Encoding encodeFull(String text) {
        List<Piece> pieces = tokenize(text);
        int n = pieces.size();
        long[] ids = new long[n], mask = new long[n], types = new long[n];
        int[][] offsets = new int[n][];
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) {
            Piece p = pieces.get(i);
            ids[i] = p.id;
            mask[i] = 1;
            offsets[i] = new int[] {p.start, p.end};
            tokens[i] = p.token;
        }
        return new Encoding(ids, mask, types, offsets, tokens);
    }

    /**
     * Encodes each text (truncated to {@code maxLength} tokens when {@code maxLength > 0}) and pads on the right
     * with {@code <|endoftext|>}, GPT-2's customary pad. For generation, which needs left padding, see
     * {@link dev.torch4j.generation.PaddedBatch#leftPad}.
     */
    @Override
    public BatchEncoding encodeBatch(List<String> texts, int maxLength) {
        Objects.requireNonNull(texts, "texts");
        if (maxLength < 0) throw new IllegalArgumentException("maxLength must be >= 0, got " + maxLength);
        List<Encoding> rows = new ArrayList<>(texts.size());
        for (String t : texts) {
            Encoding e = encodeFull(t);
            if (maxLength > 0 && e.length() > maxLength) {
                e = new Encoding(java.util.Arrays.copyOf(e.ids(), maxLength), java.util.Arrays.copyOf(e.attentionMask(), maxLength),
                        java.util.Arrays.copyOf(e.typeIds(), maxLength), java.util.Arrays.copyOf(e.offsets(), maxLength),
                        java.util.Arrays.copyOf(e.tokens(), maxLength));
            }
            rows.add(e);
        }
        return BatchEncoding.pad(rows, Math.max(endOfText, 0), END_OF_TEXT);
    }

    private record Piece(int id, String token, int start, int end) {}

    private List<Piece> tokenize(String text) {
        Objects.requireNonNull(text, "text");
        List<Piece> out = new ArrayList<>();
        int from = 0;
        while (from <= text.length()) {
            int special = endOfText < 0 ? -1 : text.indexOf(END_OF_TEXT, from);
            int end = special < 0 ? text.length() : special;
            encodeOrdinary(text, from, end, out);
            if (special < 0) break;
            out.add(new Piece(endOfText, END_OF_TEXT, special, special + END_OF_TEXT.length()));
            from = special + END_OF_TEXT.length();
        }
        return out;
    }

    private void encodeOrdinary(String text, int from, int to, List<Piece> out) {
        if (from >= to) return;
        Matcher m = PRETOKENIZE.matcher(text).region(from, to);
        while (m.find()) {
            String word = text.substring(m.start(), m.end());
            byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
            // charAt[b]: the UTF-16 index (within word) of the code point that byte b belongs to.
            int[] charAt = new int[utf8.length + 1];
            for (int ci = 0, bi = 0; ci < word.length(); ) {
                int cp = word.codePointAt(ci);
                int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                for (int k = 0; k < len; k++) charAt[bi++] = ci;
                ci += Character.charCount(cp);
            }
            charAt[utf8.length] = word.length();
            StringBuilder mapped = new StringBuilder(utf8.length);
            for (byte b : utf8) mapped.append(BYTE_TO_CHAR[b & 0xFF]);
            int bytePos = 0;
            for (String tok : bpe(mapped.toString())) {
                Integer id = encoder.get(tok);
                if (id == null) throw new IllegalStateException("BPE produced '" + tok + "', which is not in the vocabulary");
                int bs = bytePos, be = bytePos + tok.length(); // one mapped char per byte
                bytePos = be;
                // A token that ends inside a multi-byte character covers the whole character.
                int end = be == utf8.length ? word.length()
                        : charAt[be] == charAt[be - 1] ? charAt[be - 1] + Character.charCount(word.codePointAt(charAt[be - 1]))
                        : charAt[be];
                out.add(new Piece(id, tok, m.start() + charAt[bs], m.start() + end));
            }
        }
    }

    /** The BPE tokens of one pre-token (already mapped to byte characters), lowest-rank merge first. */
    String[] bpe(String word) {
        String[] cached = cache.get(word);
        if (cached != null) return cached;
        List<String> parts = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) parts.add(String.valueOf(word.charAt(i)));
        while (parts.size() > 1) {
            int best = Integer.MAX_VALUE, at = -1;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer r = mergeRanks.get(parts.get(i) + " " + parts.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    at = i;
                }
            }
            if (at < 0) break;
            String a = parts.get(at), b = parts.get(at + 1);
            List<String> merged = new ArrayList<>(parts.size());
            for (int i = 0; i < parts.size(); i++) {
                if (i + 1 < parts.size() && parts.get(i).equals(a) && parts.get(i + 1).equals(b)) {
                    merged.add(a + b);
                    i++;
                } else {
                    merged.add(parts.get(i));
                }
            }
            parts = merged;
        }
        String[] result = parts.toArray(new String[0]);
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(word, result);
        return result;
    }

    // ------------------------------------------------------------------ decoding

    @Override
    public String decode(long[] ids) {
        Objects.requireNonNull(ids, "ids");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (long id : ids) {
            if (id < 0 || id >= decoder.length || decoder[(int) id] == null)
                throw new IllegalArgumentException("ids: " + id + " is not in the vocabulary (size " + decoder.length + ")");
            if (id == endOfText) continue;
            String tok = decoder[(int) id];
            for (int i = 0; i < tok.length(); i++) {
                char c = tok.charAt(i);
                int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
                if (b < 0) throw new IllegalStateException("token " + id + " ('" + tok + "') has a non-byte character");
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The token string of {@code id} (byte characters, e.g. {@code "Ġworld"}). */
    public String idToToken(long id) {
        if (id < 0 || id >= decoder.length || decoder[(int) id] == null)
            throw new IllegalArgumentException("id " + id + " is not in the vocabulary");
        return decoder[(int) id];
    }

    /** The id of token string {@code token}, or -1. */
    public long tokenToId(String token) {
        return encoder.getOrDefault(token, -1);
    }

    /** The id of {@code <|endoftext|>}, or -1 when the vocabulary lacks it. */
    public long endOfTextId() {
        return endOfText;
    }

    @Override
    public long vocabSize() {
        return encoder.size();
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return "Gpt2Tokenizer(vocabSize=" + vocabSize() + ", merges=" + mergeRanks.size() + ")";
    }
}
