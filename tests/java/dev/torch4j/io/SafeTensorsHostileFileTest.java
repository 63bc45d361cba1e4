package dev.torch4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Malformed files, built byte by byte here, one per validation rule: each must raise
 * {@link SafeTensorsFormatException} whose message names the rule (and the tensor). Then 1,000 seeded random
 * mutations of a valid file: each loads with the declared shapes or raises that exception, nothing else.
 */
class SafeTensorsHostileFileTest {
    @TempDir
    static Path dir;

    private static final String F32_2 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    /** 8-byte little-endian {@code n}, then {@code header}, then {@code data}. */
    static byte[] file(long n, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(header).put(data);
        return b.array();
    }

    /** A file with this header JSON (its real length) and {@code dataBytes} zero bytes of data. */
    static byte[] file(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, new byte[dataBytes]);
    }

    /** One tensor named "t" with this entry JSON and {@code dataBytes} bytes of data. */
    static byte[] entry(String entryJson, int dataBytes) {
        return file("{\"t\":" + entryJson + "}", dataBytes);
    }

    private record Case(String name, byte[] bytes, String... messageParts) {}

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        byte[] big = "{\"t\":{}}".getBytes(StandardCharsets.UTF_8);
        c.add(new Case("file shorter than 8 bytes", new byte[] {8, 0, 0}, "file too short", "3 bytes"));
        c.add(new Case("empty file", new byte[0], "file too short"));
        c.add(new Case("header length 0", file(0, new byte[0], new byte[8]), "header length is 0"));
        c.add(new Case("header length past the file", file(100, big, new byte[0]), "header length larger than the file", "108"));
        c.add(new Case("header length above the 100 MB bound", file(100_000_001L, big, new byte[0]), "header length too large",
                "100000000"));
        c.add(new Case("header length above 2^63", file(-8, big, new byte[0]), "header length too large",
                "18446744073709551608"));
        c.add(new Case("header not UTF-8", file(4, new byte[] {'{', (byte) 0xC3, '(', '}'}, new byte[0]), "not valid UTF-8"));
        c.add(new Case("overlong UTF-8 encoding", file(4, new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'}, new byte[0]),
                "not valid UTF-8"));
        c.add(new Case("not JSON", file("{not json}", 0), "not valid JSON"));
        c.add(new Case("truncated JSON", file("{\"t\":{\"dtype\":", 0), "not valid JSON"));
        c.add(new Case("trailing JSON content", file("{} {}", 0), "not valid JSON"));
        c.add(new Case("NUL padding", file("{}\0\0\0\0\0\0", 0), "not valid JSON"));
        c.add(new Case("JSON array", file("[1,2]", 0), "not a JSON object", "array"));
        c.add(new Case("JSON string", file("\"abc\"", 0), "not a JSON object"));
        c.add(new Case("leading whitespace", file(" {}     ", 0), "does not begin with '{'"));
        c.add(new Case("duplicate tensor key", file("{\"t\":" + F32_2 + ",\"t\":" + F32_2 + "}", 8), "duplicate key", "'t'"));
        c.add(new Case("duplicate field in an entry",
                entry("{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8), "duplicate key", "dtype"));
        c.add(new Case("nesting too deep", entry("{\"dtype\":\"F32\",\"shape\":[[2]],\"data_offsets\":[0,8]}", 8),
                "nesting too deep"));
        c.add(new Case("entry not an object", file("{\"t\":[1,2]}", 0), "tensor entry is not an object", "'t'"));
        c.add(new Case("entry a number", file("{\"t\":5}", 0), "tensor entry is not an object", "'t'"));
        c.add(new Case("missing dtype", entry("{\"shape\":[2],\"data_offsets\":[0,8]}", 8), "missing field", "'t'", "dtype"));
        c.add(new Case("missing shape", entry("{\"dtype\":\"F32\",\"data_offsets\":[0,8]}", 8), "missing field", "shape"));
        c.add(new Case("missing data_offsets", entry("{\"dtype\":\"F32\",\"shape\":[2]}", 8), "missing field", "data_offsets"));
        c.add(new Case("extra field", entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}", 8),
                "unknown field", "'x'"));
        c.add(new Case("unknown dtype", entry("{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}", 8), "unknown dtype",
                "'F33'", "'t'"));
        c.add(new Case("lower-case dtype", entry("{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8),
                "unknown dtype"));
        c.add(new Case("valid but unsupported dtype", entry("{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]}", 4),
                "unsupported dtype", "U16"));
        c.add(new Case("non-string dtype", entry("{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}", 8),
                "dtype is not a string"));
        c.add(new Case("shape not an array", entry("{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}", 8),
                "shape is not an array of non-negative integers", "'t'"));
        c.add(new Case("negative dimension", entry("{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}", 8),
                "shape is not an array of non-negative integers"));
        c.add(new Case("float dimension", entry("{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}", 8),
                "shape is not an array of non-negative integers"));
        c.add(new Case("exponent dimension", entry("{\"dtype\":\"F32\",\"shape\":[2e0],\"data_offsets\":[0,8]}", 8),
                "shape is not an array of non-negative integers"));
        c.add(new Case("boolean dimension", entry("{\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,4]}", 4),
                "shape is not an array of non-negative integers"));
        c.add(new Case("string dimension", entry("{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}", 8),
                "shape is not an array of non-negative integers"));
        c.add(new Case("dimension beyond 64 bits",
                entry("{\"dtype\":\"F32\",\"shape\":[1180591620717411303424],\"data_offsets\":[0,8]}", 8),
                "shape is not an array of non-negative integers"));
        c.add(new Case("rank above 64", entry("{\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(64) + "1],\"data_offsets\":[0,4]}", 4),
                "shape rank too large", "65"));
        c.add(new Case("element count overflow",
                entry("{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}", 0),
                "element count overflow", "'t'"));
        c.add(new Case("element count times dtype size overflow",
                entry("{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,0]}", 0),
                "element count overflow"));
        c.add(new Case("zero dimension before overflowing ones",
                entry("{\"dtype\":\"U8\",\"shape\":[0,4611686018427387904,4611686018427387904],\"data_offsets\":[0,0]}", 0),
                "element count overflow"));
        c.add(new Case("zero dimension after overflowing ones",
                entry("{\"dtype\":\"U8\",\"shape\":[4611686018427387904,4611686018427387904,0],\"data_offsets\":[0,0]}", 0),
                "element count overflow"));
        c.add(new Case("data_offsets not an array", entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":8}", 8),
                "data_offsets is not two non-negative integers", "'t'"));
        c.add(new Case("data_offsets of three", entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}", 8),
                "data_offsets is not two non-negative integers"));
        c.add(new Case("negative data_offsets", entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}", 8),
                "data_offsets is not two non-negative integers"));
        c.add(new Case("float data_offsets", entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}", 8),
                "data_offsets is not two non-negative integers"));
        c.add(new Case("begin after end", entry("{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}", 8),
                "data_offsets begin after end", "[8, 0]"));
        c.add(new Case("span shorter than shape × dtype", entry("{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}", 8),
                "data_offsets length does not match shape and dtype", "needs 12"));
        c.add(new Case("span past the end of the file", entry(F32_2, 4), "data_offsets past the end of the file", "'t'"));
        c.add(new Case("huge claimed tensor in a tiny file",
                entry("{\"dtype\":\"F32\",\"shape\":[1099511627776],\"data_offsets\":[0,4398046511104]}", 8),
                "data_offsets past the end of the file"));
        c.add(new Case("overlapping spans", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16), "overlapping data_offsets", "'a'", "'b'"));
        c.add(new Case("identical spans", file("{\"a\":" + F32_2 + ",\"b\":" + F32_2 + "}", 8), "overlapping data_offsets"));
        c.add(new Case("empty tensor inside another's span", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}}", 16), "overlapping data_offsets", "'e'"));
        c.add(new Case("gap between spans", file("{\"a\":" + F32_2 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],"
                + "\"data_offsets\":[12,20]}}", 20), "gap between data_offsets", "[8, 12)", "'b'"));
        c.add(new Case("gap before the first span", entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}", 12),
                "gap between data_offsets", "[0, 4)"));
        c.add(new Case("trailing bytes", entry(F32_2, 9), "trailing bytes after the last tensor", "9 bytes"));
        c.add(new Case("data without tensors", file("{}      ", 4), "trailing bytes after the last tensor"));
        c.add(new Case("__metadata__ not an object", file("{\"__metadata__\":\"x\"}", 0), "__metadata__ is not an object of strings"));
        c.add(new Case("__metadata__ number value", file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__ is not an object of strings",
                "'k'"));
        c.add(new Case("__metadata__ nested object", file("{\"__metadata__\":{\"k\":{}}}", 0),
                "__metadata__ is not an object of strings"));
        c.add(new Case("__metadata__ null value", file("{\"__metadata__\":{\"k\":null}}", 0),
                "__metadata__ is not an object of strings"));
        return c;
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        Path p = Files.createTempFile(dir, name.replaceAll("[^a-z0-9]+", "_"), ".safetensors");
        Files.write(p, bytes);
        return p;
    }

    @TestFactory
    Stream<DynamicTest> everyBrokenRuleIsReportedByName() {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 25);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name, () -> {
            Path p = write(c.name, c.bytes);
            for (int mode = 0; mode < 3; mode++) {
                try {
                    if (mode == 2) SafeTensors.loadMetadata(p);
                    else SafeTensors.load(p, mode == 0).values().forEach(Tensor::close);
                    fail(c.name + ": expected SafeTensorsFormatException, the file loaded");
                } catch (SafeTensorsFormatException e) {
                    assertTrue(e.getMessage().startsWith(p.getFileName() + ": " + e.rule() + ": "), e.getMessage());
                    for (String part : c.messageParts)
                        assertTrue(e.getMessage().contains(part), c.name + ": message should contain \"" + part + "\": "
                                + e.getMessage());
                }
            }
            assertEquals(0, MappedRegions.live());
        }));
    }

    /** The rules accept what the format allows: unpadded headers, zero tensors, empty tensors sharing an offset. */
    @Test
    void edgeCasesThatAreValidLoad() throws IOException {
        String json = "{\"e1\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"e2\":{\"dtype\":\"I64\",\"shape\":[3,0],\"data_offsets\":[0,0]},"
                + "\"s\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]},"
                + "\"__metadata__\":{},"
                + "\"e3\":{\"dtype\":\"F32\",\"shape\":[0,1152921504606846976],\"data_offsets\":[1,1]}}";
        Path p = write("valid", file(json, 1));
        Map<String, Tensor> m = SafeTensors.load(p);
        try {
            assertEquals(List.of("e1", "e2", "s", "e3"), new ArrayList<>(m.keySet()));
            assertArrayEquals(new long[] {3, 0}, m.get("e2").shape());
            assertArrayEquals(new long[] {}, m.get("s").shape());
            assertEquals(1, m.get("s").numel());
            assertArrayEquals(new long[] {0, 1L << 60}, m.get("e3").shape(), "2^60 x 4 bytes still fits 64 bits");
        } finally {
            m.values().forEach(Tensor::close);
        }
        assertTrue(SafeTensors.loadMetadata(write("two", file("{}", 0))).isEmpty());
    }

    private static byte[] validFile() throws IOException {
        Path p = dir.resolve("mutation-base.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Torch.rand(16, 16));
        m.put("ids", Torch.tensor(new long[] {5, 6, 7}));
        m.put("mask", Torch.tensor(new boolean[] {true, false}));
        m.put("h", Torch.ones(new long[] {3}, DType.BFLOAT16));
        try {
            SafeTensors.save(p, m, Map.of("format", "pt"));
        } finally {
            m.values().forEach(Tensor::close);
        }
        return Files.readAllBytes(p);
    }

    private static byte[] mutate(byte[] valid, Random rnd, StringBuilder how) {
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] b = valid.clone();
        switch (rnd.nextInt(6)) {
            case 0 -> { // a few random bytes anywhere
                int k = 1 + rnd.nextInt(4);
                for (int i = 0; i < k; i++) {
                    int at = rnd.nextInt(b.length);
                    b[at] = (byte) rnd.nextInt(256);
                    how.append("byte@").append(at).append(' ');
                }
            }
            case 1 -> { // one byte of the header or of its length
                int at = rnd.nextInt(headerEnd);
                b[at] = (byte) rnd.nextInt(256);
                how.append("header byte@").append(at);
            }
            case 2 -> { // a digit of the header JSON becomes another digit: shapes and offsets change
                List<Integer> digits = new ArrayList<>();
                for (int i = 8; i < headerEnd; i++) if (b[i] >= '0' && b[i] <= '9') digits.add(i);
                int at = digits.get(rnd.nextInt(digits.size()));
                b[at] = (byte) ('0' + rnd.nextInt(10));
                how.append("digit@").append(at);
            }
            case 3 -> { // truncation
                int len = rnd.nextInt(b.length);
                b = Arrays.copyOf(b, len);
                how.append("truncate to ").append(len);
            }
            case 4 -> { // bytes appended
                int k = 1 + rnd.nextInt(16);
                b = Arrays.copyOf(b, b.length + k);
                how.append("append ").append(k);
            }
            default -> { // a structural JSON character swapped in
                String structural = "{}[],:\"0- ";
                int at = 8 + rnd.nextInt(headerEnd - 8);
                b[at] = (byte) structural.charAt(rnd.nextInt(structural.length()));
                how.append("json char@").append(at);
            }
        }
        return b;
    }

    /** The shapes the (mutated) header declares, by tensor name, or null when the header is not even JSON. */
    private static Map<String, long[]> declaredShapes(byte[] b) {
        try {
            long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            JsonNode root = new ObjectMapper().readTree(new String(b, 8, (int) n, StandardCharsets.UTF_8));
            Map<String, long[]> out = new LinkedHashMap<>();
            root.fields().forEachRemaining(f -> {
                if (f.getKey().equals("__metadata__")) return;
                JsonNode s = f.getValue().get("shape");
                long[] shape = new long[s.size()];
                for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).longValue();
                out.put(f.getKey(), shape);
            });
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void randomMutationsLoadOrFailCleanly() throws IOException {
        byte[] valid = validFile();
        Random rnd = new Random(20240601L);
        Path p = dir.resolve("mutated.safetensors");
        int loaded = 0;
        int rejected = 0;
        for (int i = 0; i < 1000; i++) {
            StringBuilder how = new StringBuilder();
            byte[] b = mutate(valid, rnd, how);
            Files.write(p, b);
            Map<String, Tensor> m;
            try {
                m = SafeTensors.load(p, i % 2 == 0);
            } catch (SafeTensorsFormatException e) {
                rejected++;
                continue;
            } catch (Throwable t) {
                throw new AssertionError("mutation " + i + " (" + how + ") threw " + t + "; file "
                        + HexFormat.of().formatHex(b), t);
            }
            try {
                loaded++;
                Map<String, long[]> declared = declaredShapes(b);
                assertTrue(declared != null, "mutation " + i + " (" + how + ") loaded a header that is not JSON");
                assertEquals(declared.keySet(), m.keySet(), "mutation " + i + " (" + how + ")");
                for (Map.Entry<String, Tensor> e : m.entrySet()) {
                    Tensor t = e.getValue();
                    assertArrayEquals(declared.get(e.getKey()), t.shape(), "mutation " + i + " (" + how + "): " + e.getKey());
                    assertEquals(t.numel() * t.dtype().byteSize(), t.toByteBuffer().remaining(), "every byte is readable");
                }
            } finally {
                m.values().forEach(Tensor::close);
            }
        }
        assertTrue(loaded > 50 && rejected > 50, "the mutations exercise both outcomes: " + loaded + " loaded, "
                + rejected + " rejected");
        assertEquals(0, MappedRegions.live());
    }
}
