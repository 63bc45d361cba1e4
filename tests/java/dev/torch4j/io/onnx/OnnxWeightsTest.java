package dev.torch4j.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.io.SafeTensors;

/**
 * OnnxWeights on the torch.onnx.export of tests/fixtures/bert_tiny (gen_bert.py) and on hand-built protobuf
 * messages, valid and malformed.
 */
class OnnxWeightsTest {

    static Path fixture(String name) {
        try {
            return Path.of(OnnxWeightsTest.class.getResource("/fixtures/bert_tiny/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void exportedBertMapsBackToItsStateDict() throws IOException {
        Map<String, Tensor> expected = SafeTensors.load(fixture("model.safetensors"));
        try (OnnxWeights w = OnnxWeights.read(fixture("model.onnx"))) {
            assertTrue(w.initializers().keySet().stream().anyMatch(k -> k.startsWith("onnx::MatMul_")),
                    "the export stores anonymous MatMul weights: " + w.initializers().keySet());
            assertTrue(w.nodes().stream().anyMatch(n -> n.opType().equals("MatMul")));
            assertEquals(java.util.List.of("input_ids", "attention_mask", "token_type_ids"), w.graphInputs());
            Map<String, Tensor> sd = w.toStateDict();
            try {
                assertEquals(expected.keySet(), sd.keySet());
                for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                    Tensor got = sd.get(e.getKey());
                    assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
                    assertTrue(got.equal(e.getValue()), "values of " + e.getKey());
                }
            } finally {
                sd.values().forEach(Tensor::close);
            }
        } finally {
            expected.values().forEach(Tensor::close);
        }
    }

    // ------------------------------------------------------------------ a tiny protobuf writer

    static final class Pb {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pb varint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Pb tag(int field, int wire) { return varint((long) field << 3 | wire); }
        Pb int64(int field, long v) { return tag(field, 0).varint(v); }
        Pb bytes(int field, byte[] b) { tag(field, 2).varint(b.length); out.writeBytes(b); return this; }
        Pb string(int field, String s) { return bytes(field, s.getBytes(StandardCharsets.UTF_8)); }
        Pb message(int field, Pb m) { return bytes(field, m.bytes()); }
        byte[] bytes() { return out.toByteArray(); }
    }

    static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    static byte[] model(Pb... initializers) {
        Pb g = new Pb();
        for (Pb t : initializers) g.message(5, t);
        return new Pb().int64(1, 8).message(7, g).bytes();
    }

    static OnnxFormatException malformed(byte[] model) {
        return assertThrows(OnnxFormatException.class, () -> OnnxWeights.parse(model, "bad.onnx"));
    }

    @Test
    void readsRawAndTypedData() throws IOException {
        Pb raw = new Pb().int64(1, 2).int64(1, 2).int64(2, 1).string(8, "raw").bytes(9, floatsLE(1, 2, 3, 4));
        Pb packedDims = new Pb().bytes(1, new Pb().varint(3).bytes()).int64(2, 1).string(8, "typed")
                .bytes(4, floatsLE(0.5f, -1, 7));
        Pb longs = new Pb().int64(1, 2).int64(2, 7).bytes(7, new Pb().varint(-5).varint(1L << 40).bytes()).string(8, "ids");
        Pb bools = new Pb().int64(1, 3).int64(2, 9).string(8, "mask").bytes(5, new Pb().varint(1).varint(0).varint(1).bytes());
        ByteBuffer d = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(1e-12);
        Pb scalar = new Pb().int64(2, 11).string(8, "eps").bytes(9, d.array());
        try (OnnxWeights w = OnnxWeights.parse(model(raw, packedDims, longs, bools, scalar), "ok.onnx")) {
            Map<String, Tensor> t = w.initializers();
            assertArrayEquals(new float[] {1, 2, 3, 4}, t.get("raw").toFloatArray());
            assertArrayEquals(new long[] {2, 2}, t.get("raw").shape());
            assertArrayEquals(new float[] {0.5f, -1, 7}, t.get("typed").toFloatArray());
            assertArrayEquals(new long[] {-5, 1L << 40}, t.get("ids").toLongArray());
            assertEquals(DType.BOOL, t.get("mask").dtype());
            assertArrayEquals(new boolean[] {true, false, true}, t.get("mask").toBooleanArray());
            assertEquals(0, t.get("eps").dim());
            assertEquals(1e-12, t.get("eps").item(), 0);
        }
    }

    @Test
    void malformedFilesFailClearly() {
        Pb good = new Pb().int64(1, 2).int64(2, 1).string(8, "w").bytes(9, floatsLE(1, 2));
        byte[] ok = model(good);

        assertTrue(malformed(new byte[0]).getMessage().contains("no graph"));
        OnnxFormatException e = malformed(Arrays.copyOf(ok, ok.length - 3));
        assertTrue(e.getMessage().startsWith("bad.onnx: "), e.getMessage());
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());

        e = malformed(model(new Pb().int64(1, 3).int64(2, 1).string(8, "w").bytes(9, floatsLE(1, 2))));
        assertTrue(e.getMessage().contains("initializer 'w'") && e.getMessage().contains("need 12 bytes, raw_data has 8"), e.getMessage());

        e = malformed(model(new Pb().int64(1, 1).int64(2, 8).string(8, "s").bytes(6, new byte[] {1})));
        assertTrue(e.getMessage().contains("data_type 8 is not supported"), e.getMessage());

        e = malformed(model(new Pb().int64(1, 1).int64(2, 1).string(8, "ext").int64(14, 1)));
        assertTrue(e.getMessage().contains("external data"), e.getMessage());

        e = malformed(model(new Pb().int64(1, -1).int64(2, 1).string(8, "neg")));
        assertTrue(e.getMessage().contains("negative dimension"), e.getMessage());

        e = malformed(model(new Pb().int64(1, 1L << 40).int64(1, 1L << 40).int64(2, 1).string(8, "huge").bytes(9, new byte[4])));
        assertTrue(e.getMessage().contains("huge"), e.getMessage());

        e = malformed(model(new Pb().int64(1, 3).int64(2, 1).string(8, "few").bytes(4, floatsLE(1, 2))));
        assertTrue(e.getMessage().contains("need 3 values, the file has 2"), e.getMessage());

        e = malformed(model(new Pb().int64(1, 1).int64(2, 9).string(8, "b").bytes(9, new byte[] {7})));
        assertTrue(e.getMessage().contains("bool value 7"), e.getMessage());

        e = malformed(model(good, good));
        assertTrue(e.getMessage().contains("appears twice"), e.getMessage());

        e = malformed(model(new Pb().int64(1, 1).int64(2, 1).bytes(9, floatsLE(1))));
        assertTrue(e.getMessage().contains("no name"), e.getMessage());

        byte[] longVarint = new byte[] {0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        assertTrue(malformed(longVarint).getMessage().contains("varint"));

        byte[] badUtf8 = model(new Pb().int64(1, 1).int64(2, 1).bytes(8, new byte[] {(byte) 0xc3}).bytes(9, floatsLE(1)));
        assertTrue(malformed(badUtf8).getMessage().contains("UTF-8"));
    }

    @Test
    void unplaceableAnonymousWeightsKeepTheirNames() throws IOException {
        Pb w = new Pb().int64(1, 2).int64(1, 3).int64(2, 1).string(8, "onnx::MatMul_1").bytes(9, floatsLE(1, 2, 3, 4, 5, 6));
        Pb node = new Pb().string(1, "x").string(1, "onnx::MatMul_1").string(2, "y").string(3, "MatMul_0").string(4, "MatMul");
        Pb g = new Pb().message(1, node).message(5, w);
        try (OnnxWeights weights = OnnxWeights.parse(new Pb().message(7, g).bytes(), "anon.onnx")) {
            Map<String, Tensor> sd = weights.toStateDict();
            try {
                assertEquals(java.util.Set.of("onnx::MatMul_1"), sd.keySet());
            } finally {
                sd.values().forEach(Tensor::close);
            }
        }
        // With a scoped node name the weight is placed and transposed to [out, in].
        Pb scoped = new Pb().string(1, "x").string(1, "onnx::MatMul_1").string(2, "y").string(3, "/classifier/MatMul").string(4, "MatMul");
        try (OnnxWeights weights = OnnxWeights.parse(new Pb().message(7, new Pb().message(1, scoped).message(5, w)).bytes(), "s.onnx")) {
            Map<String, Tensor> sd = weights.toStateDict();
            try {
                Tensor t = sd.get("classifier.weight");
                assertArrayEquals(new long[] {3, 2}, t.shape());
                assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloatArray());
                assertFalse(sd.containsKey("onnx::MatMul_1"));
            } finally {
                sd.values().forEach(Tensor::close);
            }
        }
    }

    @Test
    void closedWeightsRefuseAccess() throws IOException {
        OnnxWeights w = OnnxWeights.parse(model(new Pb().int64(1, 1).int64(2, 1).string(8, "w").bytes(9, floatsLE(1))), "c.onnx");
        w.close();
        w.close();
        assertThrows(IllegalStateException.class, w::initializers);
        assertTrue(Files.exists(fixture("model.onnx")));
    }
}
