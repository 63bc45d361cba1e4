package dev.torch4j.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.torch4j.Tensor;
import dev.torch4j.io.SafeTensors;

/** The tiny BERT and GPT-2 fixtures as writable directories, sharded variants, a small tokenizer.json, and the error check. */
final class ReliabilityFixtures {
    private ReliabilityFixtures() {}

    static final String INDEX = "model.safetensors.index.json";

    /** tests/fixtures/{name} on the test classpath. */
    static Path fixture(String name) {
        URL url = ReliabilityFixtures.class.getResource("/fixtures/" + name + "/config.json");
        if (url == null) throw new IllegalStateException("fixtures/" + name + " not on the test classpath");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code config.json} and {@code model.safetensors} of fixture {@code name}, copied into {@code dir}. */
    static Path copySingle(String name, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path src = fixture(name);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return dir;
    }

    /**
     * Fixture {@code name} in {@code dir} as two shards ({@code shard-a}, {@code shard-b}, alternate keys) and an index;
     * returns the keys with their shard.
     */
    static Map<String, String> copySharded(String name, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path src = fixture(name);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Map<String, Tensor> all = SafeTensors.load(src.resolve("model.safetensors"));
        try {
            Map<String, Tensor> a = new LinkedHashMap<>();
            Map<String, Tensor> b = new LinkedHashMap<>();
            Map<String, String> where = new LinkedHashMap<>();
            int i = 0;
            for (Map.Entry<String, Tensor> e : all.entrySet()) {
                boolean first = i++ % 2 == 0;
                (first ? a : b).put(e.getKey(), e.getValue());
                where.put(e.getKey(), first ? "shard-a.safetensors" : "shard-b.safetensors");
            }
            SafeTensors.save(dir.resolve("shard-a.safetensors"), a);
            SafeTensors.save(dir.resolve("shard-b.safetensors"), b);
            Files.writeString(dir.resolve(INDEX), indexJson(where));
            return where;
        } finally {
            all.values().forEach(Tensor::close);
        }
    }

    static String indexJson(Map<String, String> where) {
        StringBuilder sb = new StringBuilder("{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
        String sep = "";
        for (Map.Entry<String, String> e : where.entrySet()) {
            sb.append(sep).append('"').append(e.getKey()).append("\": \"").append(e.getValue().replace("\\", "\\\\")).append('"');
            sep = ", ";
        }
        return sb.append("}}").toString();
    }

    /** A small BERT-style WordPiece tokenizer.json (12 tokens). */
    static final String SMALL_TOKENIZER = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [
              {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null,
                            "lowercase": true},
             "pre_tokenizer": {"type": "BertPreTokenizer"},
             "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
             "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
             "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                       "max_input_chars_per_word": 100,
                       "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "hell": 6, "##o": 7,
                                 "w": 8, "##orld": 9, ".": 10, "the": 11}}}
            """;

    /** What a loader may throw on a bad file: the documented types, nothing else. */
    static boolean documented(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof IOException || t instanceof UncheckedIOException;
    }

    @FunctionalInterface
    interface Load {
        Object run() throws Exception;
    }

    /**
     * {@code load} must throw a documented type whose message contains every fragment (case-insensitive); anything it
     * loads is closed.
     */
    static Throwable assertClearError(String what, Load load, String... fragments) {
        Object loaded;
        try {
            loaded = load.run();
        } catch (Throwable t) {
            if (!documented(t)) {
                AssertionError e = new AssertionError(what + ": expected IllegalArgumentException or an IOException, got " + t, t);
                throw e;
            }
            String msg = String.valueOf(t.getMessage());
            List<String> absent = new ArrayList<>();
            for (String f : fragments) if (!msg.toLowerCase(Locale.ROOT).contains(f.toLowerCase(Locale.ROOT))) absent.add(f);
            assertTrue(absent.isEmpty(), what + ": the message should name " + absent + ": " + msg);
            return t;
        }
        if (loaded instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing what should not have loaded
            }
        }
        return fail(what + ": expected a clear exception, but it loaded");
    }
}
