package dev.torch4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.torch4j.DType;
import dev.torch4j.Device;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** save → load for every dtype, the canonical byte layout, atomic replacement and zero-copy lifetimes. */
class SafeTensorsRoundTripTest {
    @TempDir
    Path dir;

    private static byte[] bytes(Tensor t) {
        ByteBuffer b = t.toByteBuffer();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    /** {@code [3, 4]} of dtype d with negative, zero and positive values (wrapped for UINT8). */
    private static Tensor sample(DType d) {
        try (Tensor r = Torch.arange(-5, 7); Tensor m = r.reshape(3, 4)) {
            return m.to(d);
        }
    }

    @Test
    void everyDtypeRoundTripsExactly() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (DType d : DType.values()) in.put(d.name().toLowerCase(), sample(d));
        Path f = dir.resolve("all.safetensors");
        try {
            SafeTensors.save(f, in);
            for (boolean zeroCopy : new boolean[] {true, false}) {
                Map<String, Tensor> out = SafeTensors.load(f, zeroCopy);
                try {
                    assertEquals(new ArrayList<>(in.keySet()), new ArrayList<>(out.keySet()), "map order is file order");
                    for (DType d : DType.values()) {
                        Tensor a = in.get(d.name().toLowerCase());
                        Tensor b = out.get(d.name().toLowerCase());
                        assertEquals(d, b.dtype(), d + ": dtype");
                        assertArrayEquals(new long[] {3, 4}, b.shape(), d + ": shape");
                        assertArrayEquals(bytes(a), bytes(b), d + ": bytes");
                        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), d + ": values");
                    }
                } finally {
                    SafeTensorsFixtureTest.closeAll(out);
                }
            }
        } finally {
            SafeTensorsFixtureTest.closeAll(in);
        }
        assertEquals(0, MappedRegions.live());
    }

    @Test
    void writtenBytesFollowTheCanonicalLayout() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("w", Torch.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        in.put("empty", Torch.zeros(new long[] {0, 4}, DType.INT64));
        in.put("s", Torch.scalarTensor(-1.5, DType.BFLOAT16));
        in.put("u", Torch.tensor(new long[] {1, 2, 250}).to(DType.UINT8));
        in.put("z\u00fc", Torch.tensor(new long[] {7}));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("b", "\u2713");
        Path f = dir.resolve("canon.safetensors");
        try {
            SafeTensors.save(f, in, meta);
            byte[] file = Files.readAllBytes(f);
            long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8, "header length is a multiple of 8");
            String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
            String json = header.stripTrailing();
            assertTrue(header.length() - json.length() < 8 && header.substring(json.length()).chars().allMatch(c -> c == ' '),
                    "padding is fewer than 8 spaces");
            assertTrue(json.startsWith("{") && json.endsWith("}"));
            JsonNode root = new ObjectMapper().readTree(json);
            List<String> keys = new ArrayList<>();
            root.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("__metadata__", "w", "empty", "s", "u", "z\u00fc"), keys, "metadata first, then map order");
            assertEquals("pt", root.get("__metadata__").get("format").asText());
            assertEquals("\u2713", root.get("__metadata__").get("b").asText());
            String[][] want = {{"w", "F32", "[2,3]"}, {"empty", "I64", "[0,4]"}, {"s", "BF16", "[]"}, {"u", "U8", "[3]"},
                    {"z\u00fc", "I64", "[1]"}};
            long offset = 0;
            long dataStart = 8 + n;
            for (String[] w : want) {
                JsonNode e = root.get(w[0]);
                List<String> fields = new ArrayList<>();
                e.fieldNames().forEachRemaining(fields::add);
                assertEquals(List.of("dtype", "shape", "data_offsets"), fields);
                assertEquals(w[1], e.get("dtype").asText());
                assertEquals(w[2], e.get("shape").toString());
                long begin = e.get("data_offsets").get(0).asLong();
                long end = e.get("data_offsets").get(1).asLong();
                assertEquals(offset, begin, w[0] + ": dense offsets");
                byte[] expected = bytes(in.get(w[0]));
                assertEquals(expected.length, end - begin, w[0] + ": span");
                assertArrayEquals(expected, Arrays.copyOfRange(file, (int) (dataStart + begin), (int) (dataStart + end)),
                        w[0] + ": little-endian row-major data");
                offset = end;
            }
            assertEquals(file.length, dataStart + offset, "no trailing bytes");
            assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, Arrays.copyOfRange(file, (int) dataStart, (int) dataStart + 4),
                    "1.0f little-endian");
        } finally {
            SafeTensorsFixtureTest.closeAll(in);
        }
    }

    @Test
    void nonContiguousTensorsAreWrittenInLogicalOrder() throws IOException {
        Path f = dir.resolve("t.safetensors");
        try (Tensor a = Torch.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor t = a.transpose(0, 1);
             Tensor sliced = a.slice(1, 1, 3)) {
            assertFalse(t.isContiguous());
            SafeTensors.save(f, Map.of("t", t));
            Map<String, Tensor> out = SafeTensors.load(f);
            try {
                assertArrayEquals(new long[] {3, 2}, out.get("t").shape());
                assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, out.get("t").toFloatArray());
            } finally {
                SafeTensorsFixtureTest.closeAll(out);
            }
            SafeTensors.save(f, Map.of("s", sliced));
            out = SafeTensors.load(f);
            try {
                assertArrayEquals(new float[] {2, 3, 5, 6}, out.get("s").toFloatArray());
            } finally {
                SafeTensorsFixtureTest.closeAll(out);
            }
        }
    }

    @Test
    void cudaTensorsAreCopiedToTheCpuWhenSaved() throws IOException {
        assumeTrue(Torch.cudaIsAvailable(), "needs a CUDA device");
        Path f = dir.resolve("cuda.safetensors");
        try (Tensor a = Torch.tensor(new float[] {1, 2, 3, 4}, 2, 2); Tensor g = a.to(Device.cuda(0));
             Tensor h = g.to(DType.BFLOAT16)) {
            SafeTensors.save(f, Map.of("g", g, "h", h));
            assertEquals(Device.cuda(0), g.device(), "the input stays where it was");
            Map<String, Tensor> out = SafeTensors.load(f);
            try {
                assertEquals(Device.CPU, out.get("g").device());
                assertArrayEquals(new float[] {1, 2, 3, 4}, out.get("g").toFloatArray());
                assertEquals(DType.BFLOAT16, out.get("h").dtype());
                assertArrayEquals(new float[] {1, 2, 3, 4}, out.get("h").toFloatArray());
            } finally {
                SafeTensorsFixtureTest.closeAll(out);
            }
        }
    }

    @Test
    void emptyMapWritesAValidFile() throws IOException {
        Path f = dir.resolve("none.safetensors");
        SafeTensors.save(f, Map.of());
        assertEquals(16, Files.size(f));
        assertTrue(SafeTensors.load(f).isEmpty());
        assertTrue(SafeTensors.loadMetadata(f).isEmpty());
    }

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        try (Tensor a = Torch.ones(4); Tensor b = Torch.zeros(2)) {
            SafeTensors.save(f, Map.of("a", a));
            byte[] first = Files.readAllBytes(f);
            SafeTensors.save(f, Map.of("b", b));
            Map<String, Tensor> out = SafeTensors.load(f);
            try {
                assertEquals(List.of("b"), new ArrayList<>(out.keySet()));
            } finally {
                SafeTensorsFixtureTest.closeAll(out);
            }
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(f), s.toList(), "only the checkpoint is left in the directory");
            }

            SafeTensors.save(f, Map.of("a", a));
            Tensor closed = Torch.ones(1);
            closed.close();
            Map<String, Tensor> bad = new LinkedHashMap<>();
            bad.put("a", a);
            bad.put("gone", closed);
            assertThrows(IllegalStateException.class, () -> SafeTensors.save(f, bad));
            assertArrayEquals(first, Files.readAllBytes(f), "a failed save leaves the old file untouched");
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(f, Map.of("__metadata__", a)));
            assertThrows(NoSuchFileException.class, () -> SafeTensors.save(dir.resolve("missing/x.safetensors"), Map.of("a", a)));
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(f), s.toList(), "no temporary file survives a failed save");
            }
        }
    }

    @Test
    void writingToALoadedTensorNeverChangesTheFile() throws IOException {
        Path f = dir.resolve("w.safetensors");
        try (Tensor a = Torch.tensor(new float[] {1, 2, 3, 4})) {
            SafeTensors.save(f, Map.of("a", a));
        }
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> out = SafeTensors.load(f);
        try {
            assertEquals(1, MappedRegions.live(), "the tensor is zero-copy");
            out.get("a").mul_(10);
            assertArrayEquals(new float[] {10, 20, 30, 40}, out.get("a").toFloatArray());
        } finally {
            SafeTensorsFixtureTest.closeAll(out);
        }
        assertArrayEquals(before, Files.readAllBytes(f), "the mapping is private (copy-on-write)");
        assertEquals(0, MappedRegions.live());
    }

    @Test
    void viewsKeepTheMappingAliveAfterTheLoadedTensorIsClosed() throws IOException {
        Path f = dir.resolve("v.safetensors");
        try (Tensor a = Torch.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            SafeTensors.save(f, Map.of("a", a));
        }
        Map<String, Tensor> out = SafeTensors.load(f);
        Tensor row = out.get("a").select(0, 1);
        SafeTensorsFixtureTest.closeAll(out);
        assertEquals(1, MappedRegions.live(), "the view still holds the storage");
        // The file is replaced under the live mapping, as save does it: the old inode stays mapped.
        try (Tensor z = Torch.zeros(2, 3)) {
            SafeTensors.save(f, Map.of("a", z));
        }
        assertArrayEquals(new float[] {4, 5, 6}, row.toFloatArray());
        row.close();
        assertEquals(0, MappedRegions.live());
    }

    @Test
    void loadedTensorsJoinTheCurrentScope() throws IOException {
        Path f = dir.resolve("s.safetensors");
        try (Tensor a = Torch.ones(3); Tensor b = Torch.ones(2)) {
            SafeTensors.save(f, Map.of("a", a, "b", b));
        }
        Map<String, Tensor> out;
        try (Scope s = Torch.scope()) {
            out = SafeTensors.load(f);
            assertEquals(2, s.size(), "both loaded tensors are registered in the scope");
            assertEquals(2, MappedRegions.live());
        }
        for (Iterator<Tensor> it = out.values().iterator(); it.hasNext(); ) assertTrue(it.next().isClosed());
        assertEquals(0, MappedRegions.live());
    }
}
