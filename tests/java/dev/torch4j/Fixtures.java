package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the PyTorch-made JSON fixtures (tests/fixtures) and compares tensors with PyTorch's tolerances. */
public final class Fixtures {
    private Fixtures() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static JsonNode load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) throw new IllegalStateException("fixture " + name + " not on the test classpath");
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DType dtype(String s) {
        return switch (s) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            case "int64" -> DType.INT64;
            case "int32" -> DType.INT32;
            case "bool" -> DType.BOOL;
            default -> throw new IllegalArgumentException("fixture dtype " + s);
        };
    }

    public static long[] shape(JsonNode t) {
        JsonNode s = t.get("shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) out[i] = s.get(i).asLong();
        return out;
    }

    /** A tensor with the fixture's shape, dtype and data. */
    public static Tensor tensor(JsonNode t) {
        long[] shape = shape(t);
        JsonNode d = t.get("data");
        int n = d.size();
        Tensor flat = switch (dtype(t.get("dtype").asText())) {
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = (float) d.get(i).asDouble();
                yield Torch.tensor(a);
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = d.get(i).asDouble();
                yield Torch.tensor(a);
            }
            case INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = d.get(i).asLong();
                yield Torch.tensor(a);
            }
            case INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = d.get(i).asInt();
                yield Torch.tensor(a);
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = d.get(i).asBoolean();
                yield Torch.tensor(a);
            }
            default -> throw new IllegalArgumentException();
        };
        return flat.reshape(shape);
    }

    /** Relative tolerance of torch.testing.assert_close for a dtype. */
    public static double rtol(DType d) {
        return switch (d) {
            case FLOAT32 -> 1.3e-6;
            case FLOAT64 -> 1e-7;
            case FLOAT16 -> 1e-3;
            case BFLOAT16 -> 1.6e-2;
            default -> 0;
        };
    }

    public static double atol(DType d) {
        return switch (d) {
            case FLOAT32 -> 1e-5;
            case FLOAT64 -> 1e-7;
            case FLOAT16, BFLOAT16 -> 1e-5;
            default -> 0;
        };
    }

    /** Shape, dtype and values as in the fixture, within assert_close's default tolerance for the dtype. */
    public static void assertClose(JsonNode expected, Tensor actual, String what) {
        DType dt = dtype(expected.get("dtype").asText());
        assertArrayEquals(shape(expected), actual.shape(), what + ": shape");
        assertEquals(dt, actual.dtype(), what + ": dtype");
        JsonNode d = expected.get("data");
        if (dt == DType.BOOL) {
            boolean[] got = actual.toBooleanArray();
            for (int i = 0; i < got.length; i++)
                if (got[i] != d.get(i).asBoolean()) fail(what + ": element " + i + " expected " + d.get(i) + " got " + got[i]);
        } else if (dt.isFloatingPoint()) {
            assertClose(d, actual.toDoubleArray(), rtol(dt), atol(dt), what);
        } else {
            long[] got = actual.toLongArray();
            for (int i = 0; i < got.length; i++)
                if (got[i] != d.get(i).asLong()) fail(what + ": element " + i + " expected " + d.get(i) + " got " + got[i]);
        }
    }

    public static void assertClose(JsonNode expected, double[] got, double rtol, double atol, String what) {
        assertEquals(expected.size(), got.length, what + ": number of elements");
        for (int i = 0; i < got.length; i++) {
            double want = expected.get(i).asDouble();
            double err = Math.abs(got[i] - want);
            if (!(err <= atol + rtol * Math.abs(want)))
                fail(String.format("%s: element %d expected %.9g got %.9g (|diff| %.3g > atol %.1g + rtol %.1g * |expected|)",
                        what, i, want, got[i], err, atol, rtol));
        }
    }

    /** Elementwise {@code |a - b| <= atol + rtol |b|} on two tensors of equal shape. */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(a[i] - e[i]);
            if (!(err <= atol + rtol * Math.abs(e[i])))
                fail(String.format("%s: element %d expected %.9g got %.9g", what, i, e[i], a[i]));
        }
    }
}
