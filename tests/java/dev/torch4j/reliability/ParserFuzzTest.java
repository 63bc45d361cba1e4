package dev.torch4j.reliability;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.torch4j.Tensor;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.models.bert.BertModel;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;
import dev.torch4j.tokenizers.Tokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the file parsers: byte flips, insertions, deletions and truncations, and JSON-structure mutations of
 * real {@code config.json} (BERT, GPT-2), a small {@code tokenizer.json}, a safetensors header and sharded index files.
 * Every input loads or throws {@link IllegalArgumentException} or an {@link IOException}: no other exception, no hang
 * (each input under a preemptive timeout), no JVM crash.
 *
 * <p>{@code -Dtorch4j.fuzz.seconds=N} (default 20) is the total budget, shared by the five targets;
 * {@code -Dtorch4j.fuzz.seed=S} (default 1) picks the inputs. A failure prints the seed, target and input (Base64).
 */
class ParserFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double SECONDS = Double.parseDouble(System.getProperty("torch4j.fuzz.seconds", "20"));
    private static final long SEED = Long.getLong("torch4j.fuzz.seed", 1L);
    private static final Duration PER_INPUT = Duration.ofSeconds(10);
    private static final int TARGETS = 5;
    private static final String[] TOKENS = {"-1", "0", "1", "2147483648", "9223372036854775808", "1e309", "-0.0", "null", "true",
        "[]", "{}", "\"\"", "\"..\"", "\"/etc/passwd\"", "\"../x.safetensors\"", ",", ":", "\"", "{", "[", "\\u0000", "\u00ff"};

    @TempDir
    static Path tmp;

    private static final List<String> REPORT = new ArrayList<>();

    @AfterAll
    static void report() {
        System.out.println("ParserFuzzTest (seed " + SEED + ", " + SECONDS + " s): " + String.join(", ", REPORT));
    }

    @FunctionalInterface
    private interface Target {
        Object load(byte[] input) throws Exception;
    }

    /** Mutates {@code seed} until the target's share of the budget is spent; returns the number of inputs tried. */
    private static int fuzz(String name, byte[] seed, Target target, long salt) {
        Random rnd = new Random(SEED * 1_000_003L + salt);
        long end = System.nanoTime() + (long) (SECONDS / TARGETS * 1e9);
        int n = 0;
        while (System.nanoTime() < end || n < 20) {
            byte[] input = rnd.nextInt(3) == 0 ? mutateJson(seed, rnd) : mutateBytes(seed, rnd, seed.length);
            n++;
            final int i = n;
            assertTimeoutPreemptively(PER_INPUT, () -> {
                Object loaded;
                try {
                    loaded = target.load(input);
                } catch (Throwable t) {
                    if (ReliabilityFixtures.documented(t)) return;
                    throw new AssertionError(name + " input " + i + " (seed " + SEED + ") threw " + t + "; input: "
                            + Base64.getEncoder().encodeToString(input), t);
                }
                close(loaded);
            }, () -> name + " input " + i + " (seed " + SEED + ") hung; input: " + Base64.getEncoder().encodeToString(input));
        }
        REPORT.add(name + " " + n + " inputs");
        return n;
    }

    private static void close(Object loaded) throws Exception {
        if (loaded instanceof AutoCloseable c) c.close();
        else if (loaded instanceof Map<?, ?> m) for (Object t : m.values()) ((Tensor) t).close();
    }

    // ------------------------------------------------------------------ mutators

    /** Byte-level: flips, random or token insertions, deletions, duplications and truncation, within {@code [0, span)}. */
    static byte[] mutateBytes(byte[] seed, Random rnd, int span) {
        byte[] b = seed.clone();
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rnd.nextInt(Math.min(span, b.length));
            switch (rnd.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[at] = (byte) rnd.nextInt(256);
                case 2 -> b = splice(b, at, 0, TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
                case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + rnd.nextInt(16)), new byte[0]);
                case 4 -> {
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(32));
                    byte[] dup = java.util.Arrays.copyOfRange(b, at, at + len);
                    b = splice(b, at, 0, dup);
                }
                default -> b = java.util.Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** Structure-level: a parsed copy with values replaced by other types or extreme numbers, fields dropped or added. */
    static byte[] mutateJson(byte[] seed, Random rnd) {
        JsonNode root;
        try {
            root = JSON.readTree(seed);
        } catch (IOException e) {
            return mutateBytes(seed, rnd, seed.length);
        }
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) mutateNode(root, rnd);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void mutateNode(JsonNode root, Random rnd) {
        JsonNode node = root;
        for (int depth = 0; depth < 6 && node.size() > 0 && rnd.nextInt(3) != 0; depth++) {
            JsonNode child = node.get(rnd.nextInt(node.size()));
            if (node.isObject()) {
                Iterator<String> names = node.fieldNames();
                String pick = names.next();
                for (int skip = rnd.nextInt(node.size()); skip > 0; skip--) pick = names.next();
                child = node.get(pick);
            }
            if (child == null || !child.isContainerNode() || child.size() == 0) break;
            node = child;
        }
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String name = names.isEmpty() ? "x" : names.get(rnd.nextInt(names.size()));
            switch (rnd.nextInt(4)) {
                case 0 -> o.remove(name);
                case 1 -> o.set(rnd.nextBoolean() ? name + "_" : "n_layer", randomValue(rnd));
                default -> o.set(name, randomValue(rnd));
            }
        } else if (node.isArray()) {
            ArrayNode a = (ArrayNode) node;
            if (a.size() > 0 && rnd.nextBoolean()) a.set(rnd.nextInt(a.size()), randomValue(rnd));
            else a.add(randomValue(rnd));
        }
    }

    private static JsonNode randomValue(Random rnd) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (rnd.nextInt(12)) {
            case 0 -> f.numberNode(-1);
            case 1 -> f.numberNode(0);
            case 2 -> f.numberNode(Integer.MAX_VALUE);
            case 3 -> f.numberNode(Long.MAX_VALUE);
            case 4 -> f.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 5 -> f.numberNode(1e300 * (rnd.nextBoolean() ? 1 : -1));
            case 6 -> f.numberNode(rnd.nextInt(100_000));
            case 7 -> f.nullNode();
            case 8 -> f.textNode(rnd.nextBoolean() ? "../../etc/passwd" : "gelu");
            case 9 -> f.booleanNode(rnd.nextBoolean());
            case 10 -> f.arrayNode().add(1).add("a");
            default -> f.objectNode().put("a", 1);
        };
    }

    // ------------------------------------------------------------------ targets

    private static byte[] read(Path p) throws IOException {
        return Files.readAllBytes(p);
    }

    @Test
    void bertConfigJson() throws IOException {
        Path dir = ReliabilityFixtures.copySingle("bert_tiny", tmp.resolve("bert"));
        int n = fuzz("BERT config.json", read(dir.resolve("config.json")), input -> {
            Files.write(dir.resolve("config.json"), input);
            return BertModel.fromPretrained(dir);
        }, 1);
        assertTrue(n >= 20);
    }

    @Test
    void gpt2ConfigJson() throws IOException {
        Path dir = ReliabilityFixtures.copySingle("gpt2_tiny", tmp.resolve("gpt2"));
        int n = fuzz("GPT-2 config.json", read(dir.resolve("config.json")), input -> {
            Files.write(dir.resolve("config.json"), input);
            return GPT2LMHeadModel.fromPretrained(dir);
        }, 2);
        assertTrue(n >= 20);
    }

    @Test
    void tokenizerJson() throws IOException {
        Path file = Files.createDirectories(tmp.resolve("tok")).resolve("tokenizer.json");
        int n = fuzz("tokenizer.json", ReliabilityFixtures.SMALL_TOKENIZER.getBytes(StandardCharsets.UTF_8), input -> {
            Files.write(file, input);
            Tokenizer t = Tokenizer.fromFile(file);
            try {
                t.decode(t.encode("Hello world. The héllo ✓"));
            } catch (RuntimeException e) {
                t.close();
                throw e;
            }
            return t;
        }, 3);
        assertTrue(n >= 20);
    }

    /** Mutations stay inside the 8-byte length and the JSON header; loaded tensors are read to their last byte. */
    @Test
    void safetensorsHeader() throws IOException {
        byte[] file = read(ReliabilityFixtures.fixture("bert_tiny").resolve("model.safetensors"));
        int header = 8 + (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path out = Files.createDirectories(tmp.resolve("st")).resolve("model.safetensors");
        Random rnd = new Random(SEED ^ 0x5AFE);
        int n = fuzz("safetensors header", file, input -> {
            byte[] b = input;
            if (rnd.nextInt(4) == 0) b = mutateBytes(file, rnd, header);
            Files.write(out, b);
            Map<String, Tensor> m = SafeTensors.load(out);
            for (Tensor t : m.values())
                try (Tensor s = t.sum()) {
                    s.item();
                }
            return m;
        }, 4);
        assertTrue(n >= 20);
    }

    @Test
    void shardedIndexJson() throws IOException {
        Path bert = tmp.resolve("bert-sharded");
        Path gpt2 = tmp.resolve("gpt2-sharded");
        ReliabilityFixtures.copySharded("bert_tiny", bert);
        ReliabilityFixtures.copySharded("gpt2_tiny", gpt2);
        byte[] bertIndex = read(bert.resolve(ReliabilityFixtures.INDEX));
        byte[] gpt2Index = read(gpt2.resolve(ReliabilityFixtures.INDEX));
        int[] turn = {0};
        int n = fuzz("model.safetensors.index.json", bertIndex, input -> {
            if (turn[0]++ % 2 == 0) {
                Files.write(bert.resolve(ReliabilityFixtures.INDEX), input);
                return BertModel.fromPretrained(bert);
            }
            byte[] g = new String(input, StandardCharsets.ISO_8859_1).equals(new String(bertIndex, StandardCharsets.ISO_8859_1))
                    ? gpt2Index : mutateBytes(gpt2Index, new Random(input.length), gpt2Index.length);
            Files.write(gpt2.resolve(ReliabilityFixtures.INDEX), g);
            return GPT2LMHeadModel.fromPretrained(gpt2);
        }, 5);
        assertTrue(n >= 20);
    }
}
