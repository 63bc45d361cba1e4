package dev.torch4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.torch4j.DType;
import dev.torch4j.Tensor;

/**
 * Files written by PyTorch through tests/fixtures/gen_safetensors.py (a spec-following writer: the official
 * safetensors package is not installable here) load with the exact dtypes, shapes, bytes and values stored in
 * tests/fixtures/safetensors/expected.json, and torch4j writes them back byte for byte.
 */
class SafeTensorsFixtureTest {
    private static final JsonNode EXPECTED = readExpected();
    /** The fixtures whose Python writer padded the header, i.e. the canonical layout torch4j writes too. */
    private static final List<String> CANONICAL =
            List.of("all_dtypes.safetensors", "shapes_metadata.safetensors", "no_tensors.safetensors");

    private static JsonNode readExpected() {
        try (InputStream in = SafeTensorsFixtureTest.class.getResourceAsStream("/fixtures/safetensors/expected.json")) {
            if (in == null) throw new IllegalStateException("fixtures/safetensors/expected.json not on the test classpath");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path fixture(String name) {
        URL url = SafeTensorsFixtureTest.class.getResource("/fixtures/safetensors/" + name);
        if (url == null) throw new IllegalStateException("fixture " + name + " not on the test classpath");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> fixtureNames() {
        List<String> out = new ArrayList<>();
        EXPECTED.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static void closeAll(Map<String, Tensor> m) {
        m.values().forEach(Tensor::close);
    }

    private static DType dtype(String code) {
        for (DType d : DType.values()) if (Header.code(d).equals(code)) return d;
        throw new IllegalArgumentException(code);
    }

    private static String hex(Tensor t) {
        ByteBuffer b = t.toByteBuffer();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return HexFormat.of().formatHex(a);
    }

    /** Asserts that {@code loaded} holds exactly the fixture's tensors, in order, with their bytes and values. */
    private static void assertMatchesFixture(String file, Map<String, Tensor> loaded) {
        JsonNode want = EXPECTED.get(file).get("tensors");
        assertEquals(want.size(), loaded.size(), file + ": tensor count");
        Iterator<Map.Entry<String, Tensor>> it = loaded.entrySet().iterator();
        for (JsonNode w : want) {
            Map.Entry<String, Tensor> e = it.next();
            String name = w.get("name").asText();
            Tensor t = e.getValue();
            assertEquals(name, e.getKey(), file + ": file order");
            assertEquals(dtype(w.get("dtype").asText()), t.dtype(), name + ": dtype");
            long[] shape = new long[w.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = w.get("shape").get(i).asLong();
            assertArrayEquals(shape, t.shape(), name + ": shape");
            assertEquals(w.get("hex").asText(), hex(t), name + ": raw bytes");
            JsonNode v = w.get("values");
            assertEquals(v.size(), t.numel(), name + ": numel");
            if (v.size() == 0) {
                continue;
            } else if (t.dtype() == DType.BOOL) {
                boolean[] got = t.toBooleanArray();
                for (int i = 0; i < v.size(); i++) assertEquals(v.get(i).asBoolean(), got[i], name + "[" + i + "]");
            } else if (t.isFloatingPoint()) {
                double[] got = t.toDoubleArray();
                for (int i = 0; i < v.size(); i++) assertEquals(v.get(i).asDouble(), got[i], 0.0, name + "[" + i + "]");
            } else {
                long[] got = t.toLongArray();
                for (int i = 0; i < v.size(); i++) assertEquals(v.get(i).asLong(), got[i], name + "[" + i + "]");
            }
        }
    }

    private static Map<String, String> expectedMetadata(String file) {
        Map<String, String> m = new LinkedHashMap<>();
        JsonNode meta = EXPECTED.get(file).get("metadata");
        if (meta != null && !meta.isNull()) meta.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asText()));
        return m;
    }

    @Test
    void pythonWrittenFilesLoadWithExactDtypesShapesAndValues() throws IOException {
        for (String file : fixtureNames()) {
            for (boolean zeroCopy : new boolean[] {true, false}) {
                Map<String, Tensor> loaded = SafeTensors.load(fixture(file), zeroCopy);
                try {
                    assertMatchesFixture(file, loaded);
                } finally {
                    closeAll(loaded);
                }
            }
            assertEquals(0, MappedRegions.live(), file + ": every mapping is released once its tensors are closed");
        }
    }

    @Test
    void metadataIsReadInFileOrder() throws IOException {
        for (String file : fixtureNames()) {
            Map<String, String> meta = SafeTensors.loadMetadata(fixture(file));
            assertEquals(new ArrayList<>(expectedMetadata(file).entrySet()), new ArrayList<>(meta.entrySet()), file);
        }
        assertEquals("h\u00e9llo \u2713", SafeTensors.loadMetadata(fixture("shapes_metadata.safetensors")).get("note"));
    }

    @Test
    void alignedTensorsAreMappedAndMisalignedOnesCopied() throws IOException {
        Path all = fixture("all_dtypes.safetensors");
        long alignedCount;
        try (FileChannel ch = FileChannel.open(all)) {
            Header h = Header.read(ch, "all_dtypes.safetensors");
            alignedCount = h.entries.stream().filter(e -> (h.dataStart + e.begin()) % e.dtype().byteSize() == 0).count();
        }
        assertTrue(alignedCount >= 5, "the fixture has both aligned and misaligned tensors: " + alignedCount);
        Map<String, Tensor> aligned = SafeTensors.load(all);
        try {
            assertEquals(alignedCount, MappedRegions.live(), "every non-empty aligned tensor is zero-copy");
        } finally {
            closeAll(aligned);
        }
        Map<String, Tensor> unaligned = SafeTensors.load(fixture("unaligned.safetensors"));
        try {
            // "bytes" (U8) is aligned by definition; "floats" starts at an odd file offset and is copied.
            assertEquals(1, MappedRegions.live());
            assertArrayEquals(new float[] {1f, -2f, 0.5f}, unaligned.get("floats").toFloatArray());
        } finally {
            closeAll(unaligned);
        }
        assertEquals(0, MappedRegions.live());
    }

    /**
     * torch4j re-saves each fixture byte for byte (both writers follow the canonical layout). With
     * {@code -Dtorch4j.safetensors.checkDir=DIR} the files are also left in DIR for
     * {@code gen_safetensors.py --check DIR}.
     */
    @Test
    void resavedFixturesAreByteIdenticalToThePythonWriter(@TempDir Path tmp) throws IOException {
        String checkDir = System.getProperty("torch4j.safetensors.checkDir");
        Path dir = checkDir == null ? tmp : Files.createDirectories(Path.of(checkDir));
        for (String file : fixtureNames()) {
            Map<String, Tensor> loaded = SafeTensors.load(fixture(file));
            try {
                SafeTensors.save(dir.resolve(file), loaded, SafeTensors.loadMetadata(fixture(file)));
            } finally {
                closeAll(loaded);
            }
            Map<String, Tensor> again = SafeTensors.load(dir.resolve(file));
            try {
                assertMatchesFixture(file, again);
            } finally {
                closeAll(again);
            }
            if (CANONICAL.contains(file))
                assertArrayEquals(Files.readAllBytes(fixture(file)), Files.readAllBytes(dir.resolve(file)), file);
        }
        assertTrue(CANONICAL.stream().allMatch(EXPECTED::has));
    }
}
