package dev.torch4j.reliability;

import static dev.torch4j.reliability.ReliabilityFixtures.INDEX;
import static dev.torch4j.reliability.ReliabilityFixtures.assertClearError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.torch4j.Tensor;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.models.bert.BertModel;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;
import dev.torch4j.tokenizers.Tokenizer;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed {@code config.json}, {@code tokenizer.json} and {@code model.safetensors.index.json} files: each is refused
 * with an {@link IllegalArgumentException} or an {@link IOException} naming the file and the problem, never another
 * exception; absurd sizes are refused before anything is allocated; index files cannot reach outside the model folder.
 */
class HostileModelFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    /** A case: what to write, and what the message must name besides the file. */
    private record Case(String name, byte[] content, String... fragments) {
        static Case text(String name, String content, String... fragments) {
            return new Case(name, content.getBytes(StandardCharsets.UTF_8), fragments);
        }
    }

    /** The fixture's config.json with {@code edits} (a JSON object's fields) applied. */
    private static Case edit(String fixture, String name, String edits, String... fragments) {
        try {
            ObjectNode base = (ObjectNode) JSON.readTree(ReliabilityFixtures.fixture(fixture).resolve("config.json").toFile());
            base.setAll((ObjectNode) JSON.readTree(edits));
            return new Case(name, JSON.writeValueAsBytes(base), fragments);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String deep(int depth) {
        return "{\"a\": " + "[".repeat(depth) + "]".repeat(depth) + "}";
    }

    private static List<Case> commonJsonCases() {
        return List.of(
                Case.text("truncated JSON", "{\"vocab_size\": 64,", "end-of-input"),
                Case.text("empty file", "", "JSON"),
                Case.text("top-level array", "[1, 2]", "expected a JSON object"),
                Case.text("top-level null", "null", "expected a JSON object"),
                new Case("invalid UTF-8", new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'}),
                Case.text("nesting 5,000 deep", deep(5000), "depth"),
                Case.text("a 5,000-digit number", "{\"vocab_size\": " + "9".repeat(5000) + "}", "length"));
    }

    private static List<Case> bertConfigCases() {
        List<Case> c = new ArrayList<>(commonJsonCases());
        c.addAll(List.of(
                edit("bert_tiny", "hidden_size as string", "{\"hidden_size\": \"16\"}", "hidden_size must be an integer"),
                edit("bert_tiny", "hidden_size fractional", "{\"hidden_size\": 16.5}", "hidden_size must be an integer"),
                edit("bert_tiny", "hidden_size boolean", "{\"hidden_size\": true}", "hidden_size must be an integer"),
                edit("bert_tiny", "type_vocab_size array", "{\"type_vocab_size\": []}", "type_vocab_size must be an integer"),
                edit("bert_tiny", "layer_norm_eps as string", "{\"layer_norm_eps\": \"1e-12\"}", "layer_norm_eps must be a number"),
                edit("bert_tiny", "negative layers", "{\"num_hidden_layers\": -1}", "num_hidden_layers must be > 0"),
                edit("bert_tiny", "zero heads", "{\"num_attention_heads\": 0}", "num_attention_heads must be > 0"),
                edit("bert_tiny", "zero vocab", "{\"vocab_size\": 0}", "vocab_size must be > 0"),
                edit("bert_tiny", "negative intermediate", "{\"intermediate_size\": -32}", "intermediate_size must be > 0"),
                edit("bert_tiny", "hidden not divisible by heads", "{\"hidden_size\": 15}", "hidden_size (15)", "num_attention_heads (2)"),
                edit("bert_tiny", "hidden_size over int", "{\"hidden_size\": 3000000000}", "hidden_size must be an integer"),
                edit("bert_tiny", "terabytes of embeddings", "{\"vocab_size\": 2147483647, \"hidden_size\": 65536}", "refusing to allocate"),
                edit("bert_tiny", "terabytes of layers",
                        "{\"num_hidden_layers\": 100000, \"hidden_size\": 4096, \"intermediate_size\": 16384}", "refusing to allocate"),
                edit("bert_tiny", "128 GB of positions", "{\"max_position_embeddings\": 2000000000}", "refusing to allocate"),
                edit("bert_tiny", "16 GB the checkpoint cannot hold", "{\"vocab_size\": 1000000, \"hidden_size\": 4096}",
                        "checkpoint holds", "refusing to allocate"),
                edit("bert_tiny", "unknown activation", "{\"hidden_act\": \"mish\"}", "hidden_act 'mish'"),
                edit("bert_tiny", "activation not a string", "{\"hidden_act\": 5}", "hidden_act must be a string"),
                edit("bert_tiny", "dropout over 1", "{\"hidden_dropout_prob\": 1.5}", "hidden_dropout_prob must be in [0, 1]"),
                edit("bert_tiny", "negative eps", "{\"layer_norm_eps\": -1}", "layer_norm_eps must be > 0"),
                edit("bert_tiny", "pad id outside vocab", "{\"pad_token_id\": 64}", "pad_token_id"),
                edit("bert_tiny", "relative positions", "{\"position_embedding_type\": \"relative_key\"}", "position_embedding_type")));
        return c;
    }

    private static List<Case> gpt2ConfigCases() {
        List<Case> c = new ArrayList<>(commonJsonCases());
        c.addAll(List.of(
                edit("gpt2_tiny", "n_embd as string", "{\"n_embd\": \"32\"}", "n_embd", "expected an integer"),
                edit("gpt2_tiny", "n_embd infinite", "{\"n_embd\": 1e400}", "n_embd", "expected an integer"),
                edit("gpt2_tiny", "vocab_size over long", "{\"vocab_size\": 99999999999999999999999}", "vocab_size", "expected an integer"),
                edit("gpt2_tiny", "n_inner as string", "{\"n_inner\": \"big\"}", "n_inner", "expected an integer"),
                edit("gpt2_tiny", "n_layer wrapping to 2 as int", "{\"n_layer\": 4294967298}", "n_layer must be < 2^31"),
                edit("gpt2_tiny", "n_embd not divisible by n_head", "{\"n_head\": 5}", "divisible by n_head"),
                edit("gpt2_tiny", "zero heads", "{\"n_head\": 0}", "n_head must be > 0"),
                edit("gpt2_tiny", "negative vocab", "{\"vocab_size\": -1}", "vocab_size must be > 0"),
                edit("gpt2_tiny", "zero positions", "{\"n_positions\": 0, \"n_ctx\": 0}", "n_positions must be > 0"),
                edit("gpt2_tiny", "negative n_inner", "{\"n_inner\": -5}", "n_inner must be > 0"),
                edit("gpt2_tiny", "terabytes of embeddings", "{\"vocab_size\": 1000000000000, \"n_embd\": 65536}", "refusing to allocate"),
                edit("gpt2_tiny", "terabytes of layers", "{\"n_layer\": 1000000}", "refusing to allocate"),
                edit("gpt2_tiny", "25 GB the checkpoint cannot hold", "{\"vocab_size\": 50000000, \"n_embd\": 128}", "checkpoint holds",
                        "refusing to allocate"),
                edit("gpt2_tiny", "unknown activation", "{\"activation_function\": \"mish\"}", "activation_function"),
                edit("gpt2_tiny", "not gpt2", "{\"model_type\": \"bert\"}", "model_type"),
                edit("gpt2_tiny", "n_ctx differs", "{\"n_ctx\": 64}", "n_ctx (64) must equal n_positions (32)"),
                edit("gpt2_tiny", "dropout over 1", "{\"resid_pdrop\": 1.5}", "resid_pdrop must be in [0, 1)"),
                edit("gpt2_tiny", "zero eps", "{\"layer_norm_epsilon\": 0}", "layer_norm_epsilon must be > 0"),
                edit("gpt2_tiny", "untied head", "{\"tie_word_embeddings\": false}", "tie_word_embeddings"),
                edit("gpt2_tiny", "layer-scaled attention", "{\"scale_attn_by_inverse_layer_idx\": true}", "scale_attn_by_inverse_layer_idx")));
        return c;
    }

    private static Stream<DynamicTest> configTests(String fixture, List<Case> cases, Load loader) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path dir = ReliabilityFixtures.copySingle(fixture, Files.createTempDirectory(tmp, fixture));
            Files.write(dir.resolve("config.json"), c.content());
            String[] fragments = Stream.concat(Stream.of("config.json"), Stream.of(c.fragments())).toArray(String[]::new);
            assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertClearError(c.name(), () -> loader.load(dir), fragments), c.name() + ": must not allocate first");
        }));
    }

    @FunctionalInterface
    private interface Load {
        Object load(Path dir) throws Exception;
    }

    @TestFactory
    Stream<DynamicTest> bertConfigs() {
        return configTests("bert_tiny", bertConfigCases(), BertModel::fromPretrained);
    }

    @TestFactory
    Stream<DynamicTest> gpt2Configs() {
        return configTests("gpt2_tiny", gpt2ConfigCases(), GPT2LMHeadModel::fromPretrained);
    }

    @Test
    void configThatIsADirectoryOrMissing() throws IOException {
        for (String fixture : List.of("bert_tiny", "gpt2_tiny")) {
            Load loader = fixture.startsWith("bert") ? BertModel::fromPretrained : GPT2LMHeadModel::fromPretrained;
            Path dir = ReliabilityFixtures.copySingle(fixture, Files.createTempDirectory(tmp, fixture));
            Files.delete(dir.resolve("config.json"));
            assertClearError(fixture + " without config.json", () -> loader.load(dir), "config.json");
            Files.createDirectory(dir.resolve("config.json"));
            assertClearError(fixture + " config.json a directory", () -> loader.load(dir), "config.json");
        }
    }

    // ------------------------------------------------------------------ tokenizer.json

    private static Case tokEdit(String name, String edits, String... fragments) {
        try {
            ObjectNode base = (ObjectNode) JSON.readTree(ReliabilityFixtures.SMALL_TOKENIZER);
            base.setAll((ObjectNode) JSON.readTree(edits));
            return new Case(name, JSON.writeValueAsBytes(base), fragments);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theSmallTokenizerLoads() throws IOException {
        Path file = Files.createTempDirectory(tmp, "tok").resolve("tokenizer.json");
        Files.writeString(file, ReliabilityFixtures.SMALL_TOKENIZER);
        try (Tokenizer t = Tokenizer.fromFile(file)) {
            assertEquals("[2, 4, 5, 3]", java.util.Arrays.toString(t.encode("Hello world")));
        }
    }

    @TestFactory
    Stream<DynamicTest> tokenizers() {
        List<Case> cases = new ArrayList<>(List.of(
                Case.text("truncated JSON", ReliabilityFixtures.SMALL_TOKENIZER.substring(0, 300), "not valid JSON"),
                Case.text("empty file", "", "tokenizer.json"),
                Case.text("top-level array", "[]", "not a Hugging Face tokenizer.json"),
                Case.text("no model", "{}", "not a Hugging Face tokenizer.json"),
                new Case("invalid UTF-8", new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'}),
                Case.text("nesting 5,000 deep", deep(5000), "not valid JSON"),
                tokEdit("model is a string", "{\"model\": \"WordPiece\"}", "not a Hugging Face tokenizer.json"),
                tokEdit("model without vocab", "{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\"}}", "vocab"),
                tokEdit("unknown model type", "{\"model\": {\"type\": \"Foo\", \"vocab\": {\"a\": 0}}}", "rejected"),
                tokEdit("vocab ids as strings", "{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {\"[UNK]\": \"x\"}}}",
                        "rejected"),
                tokEdit("BPE merge of unknown tokens",
                        "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [\"a c\"]}}", "rejected"),
                tokEdit("unk_token not in the vocabulary", "{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", "
                        + "\"vocab\": {\"hello\": 0}}}", "unk_token '[UNK]' is not in model.vocab"),
                tokEdit("added_tokens not a list", "{\"added_tokens\": 5}", "rejected"),
                tokEdit("unknown normalizer", "{\"normalizer\": {\"type\": \"NoSuchNormalizer\"}}", "rejected")));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path file = Files.createTempDirectory(tmp, "tok").resolve("tokenizer.json");
            Files.write(file, c.content());
            String[] fragments = Stream.concat(Stream.of("tokenizer.json"), Stream.of(c.fragments())).toArray(String[]::new);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertClearError(c.name(), () -> Tokenizer.fromFile(file), fragments));
        }));
    }

    @Test
    void tokenizerThatIsADirectoryOrMissing() throws IOException {
        Path dir = Files.createTempDirectory(tmp, "tok");
        assertClearError("missing tokenizer.json", () -> Tokenizer.fromFile(dir.resolve("tokenizer.json")), "tokenizer.json", "not found");
        Files.createDirectory(dir.resolve("tokenizer.json"));
        assertClearError("tokenizer.json a directory", () -> Tokenizer.fromFile(dir.resolve("tokenizer.json")), "tokenizer.json");
    }

    // ------------------------------------------------------------------ model.safetensors.index.json

    /** A sharded copy of {@code fixture}, with a complete copy of its weights outside the model folder as bait. */
    private static Path shardedDir(String fixture, Map<String, String> where) throws IOException {
        Path root = Files.createTempDirectory(tmp, fixture);
        Path dir = root.resolve("model");
        where.putAll(ReliabilityFixtures.copySharded(fixture, dir));
        Files.createDirectory(root.resolve("outside"));
        Files.copy(ReliabilityFixtures.fixture(fixture).resolve("model.safetensors"), root.resolve("outside/evil.safetensors"));
        return dir;
    }

    private interface IndexEdit {
        void apply(Path dir, Map<String, String> where) throws IOException;
    }

    private record IndexCase(String name, IndexEdit edit, String... fragments) {}

    private static Map<String, String> allTo(Map<String, String> where, String shard) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : where.keySet()) m.put(k, shard);
        return m;
    }

    private static void writeIndex(Path dir, String json) throws IOException {
        Files.writeString(dir.resolve(INDEX), json);
    }

    private static List<IndexCase> indexCases() {
        return List.of(
                new IndexCase("../ traversal", (d, w) -> writeIndex(d, ReliabilityFixtures.indexJson(allTo(w, "../outside/evil.safetensors"))),
                        INDEX, "../outside/evil.safetensors"),
                new IndexCase("absolute path", (d, w) -> writeIndex(d, ReliabilityFixtures.indexJson(
                        allTo(w, d.getParent().resolve("outside/evil.safetensors").toAbsolutePath().toString()))), INDEX, "evil.safetensors"),
                new IndexCase("symlinked shard escaping", (d, w) -> {
                    Files.createSymbolicLink(d.resolve("link.safetensors"), d.getParent().resolve("outside/evil.safetensors"));
                    writeIndex(d, ReliabilityFixtures.indexJson(allTo(w, "link.safetensors")));
                }, INDEX, "link.safetensors", "outside"),
                new IndexCase("symlinked folder escaping", (d, w) -> {
                    Files.createSymbolicLink(d.resolve("sub"), d.getParent().resolve("outside"));
                    writeIndex(d, ReliabilityFixtures.indexJson(allTo(w, "sub/evil.safetensors")));
                }, INDEX, "evil.safetensors"),
                new IndexCase("missing shard", (d, w) -> {
                    Map<String, String> m = new LinkedHashMap<>(w);
                    m.put(m.keySet().iterator().next(), "model-00009-of-00009.safetensors");
                    writeIndex(d, ReliabilityFixtures.indexJson(m));
                }, INDEX, "model-00009-of-00009.safetensors"),
                new IndexCase("a key mapped to two shards", (d, w) -> {
                    String k = w.keySet().iterator().next();
                    String json = ReliabilityFixtures.indexJson(w);
                    writeIndex(d, json.substring(0, json.length() - 2) + ", \"" + k + "\": \"shard-b.safetensors\"}}");
                }, INDEX, "duplicate"),
                new IndexCase("a tensor stored in two shards", (d, w) -> {
                    Map<String, Tensor> a = SafeTensors.load(d.resolve("shard-a.safetensors"));
                    try {
                        Map<String, Tensor> b = SafeTensors.load(d.resolve("shard-b.safetensors"));
                        try {
                            Map<String, Tensor> both = new LinkedHashMap<>(b);
                            Map.Entry<String, Tensor> first = a.entrySet().iterator().next();
                            both.put(first.getKey(), first.getValue());
                            SafeTensors.save(d.resolve("shard-c.safetensors"), both);
                        } finally {
                            b.values().forEach(Tensor::close);
                        }
                    } finally {
                        a.values().forEach(Tensor::close);
                    }
                    Map<String, String> m = new LinkedHashMap<>();
                    w.forEach((k, v) -> m.put(k, v.equals("shard-b.safetensors") ? "shard-c.safetensors" : v));
                    writeIndex(d, ReliabilityFixtures.indexJson(m));
                }, "more than one shard"),
                new IndexCase("a listed key no shard holds", (d, w) -> {
                    Map<String, String> m = new LinkedHashMap<>(w);
                    m.put("encoder.ghost.weight", "shard-a.safetensors");
                    writeIndex(d, ReliabilityFixtures.indexJson(m));
                }, INDEX, "encoder.ghost.weight"),
                new IndexCase("no weight_map", (d, w) -> writeIndex(d, "{\"metadata\": {}}"), INDEX, "weight_map"),
                new IndexCase("empty weight_map", (d, w) -> writeIndex(d, "{\"weight_map\": {}}"), INDEX, "weight_map"),
                new IndexCase("weight_map an array", (d, w) -> writeIndex(d, "{\"weight_map\": [\"shard-a.safetensors\"]}"), INDEX, "weight_map"),
                new IndexCase("top-level array", (d, w) -> writeIndex(d, "[]"), INDEX, "weight_map"),
                new IndexCase("shard a number", (d, w) -> writeIndex(d, "{\"weight_map\": {\"x\": 5}}"), INDEX, "file name"),
                new IndexCase("shard empty", (d, w) -> writeIndex(d, "{\"weight_map\": {\"x\": \"\"}}"), INDEX),
                new IndexCase("shard '.'", (d, w) -> writeIndex(d, "{\"weight_map\": {\"x\": \".\"}}"), INDEX),
                new IndexCase("shard '..'", (d, w) -> writeIndex(d, "{\"weight_map\": {\"x\": \"..\"}}"), INDEX),
                new IndexCase("shard a directory", (d, w) -> {
                    Files.createDirectory(d.resolve("adir.safetensors"));
                    writeIndex(d, ReliabilityFixtures.indexJson(allTo(w, "adir.safetensors")));
                }, INDEX, "adir.safetensors"),
                new IndexCase("shard not safetensors", (d, w) -> {
                    Files.writeString(d.resolve("bad.safetensors"), "this is not a safetensors file");
                    writeIndex(d, ReliabilityFixtures.indexJson(allTo(w, "bad.safetensors")));
                }, "bad.safetensors"),
                new IndexCase("index not JSON", (d, w) -> writeIndex(d, "{\"weight_map\": {"), INDEX, "not valid JSON"),
                new IndexCase("index invalid UTF-8", (d, w) -> Files.write(d.resolve(INDEX),
                        new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}), INDEX));
    }

    private static Stream<DynamicTest> indexTests(String fixture, Load loader) {
        return indexCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Map<String, String> where = new LinkedHashMap<>();
            Path dir = shardedDir(fixture, where);
            try (AutoCloseable ok = (AutoCloseable) loader.load(dir)) {
                assertTrue(ok != null, "the untouched sharded copy loads");
            }
            c.edit().apply(dir, where);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertClearError(c.name(), () -> loader.load(dir), c.fragments()));
        }));
    }

    @TestFactory
    Stream<DynamicTest> bertIndexes() {
        return indexTests("bert_tiny", BertModel::fromPretrained);
    }

    @TestFactory
    Stream<DynamicTest> gpt2Indexes() {
        return indexTests("gpt2_tiny", GPT2LMHeadModel::fromPretrained);
    }

    /** The Hugging Face cache links snapshot files to the model's blobs folder: those links are allowed. */
    @Test
    void huggingFaceCacheLinksIntoBlobsLoad() throws Exception {
        for (String fixture : List.of("bert_tiny", "gpt2_tiny")) {
            Path repo = Files.createTempDirectory(tmp, "models--org--" + fixture);
            Path blobs = Files.createDirectories(repo.resolve("blobs"));
            Path snapshot = Files.createDirectories(repo.resolve("snapshots/0123abcd"));
            Path staging = repo.resolve("staging");
            Map<String, String> where = ReliabilityFixtures.copySharded(fixture, staging);
            for (String f : List.of("config.json", INDEX, "shard-a.safetensors", "shard-b.safetensors")) {
                Files.move(staging.resolve(f), blobs.resolve("sha-" + f));
                Files.createSymbolicLink(snapshot.resolve(f), Path.of("../../blobs/sha-" + f));
            }
            assertEquals(2, new java.util.HashSet<>(where.values()).size());
            Load loader = fixture.startsWith("bert") ? BertModel::fromPretrained : GPT2LMHeadModel::fromPretrained;
            try (AutoCloseable m = (AutoCloseable) loader.load(snapshot)) {
                assertTrue(m != null);
            }
        }
    }
}
