package dev.torch4j.models.bert;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** tests/fixtures/bert_tiny (written by tests/fixtures/gen_bert.py) and comparisons. */
final class BertFixtures {
    private BertFixtures() {}

    static final double TOL = 1e-4;

    static Path dir() {
        URL url = BertFixtures.class.getResource("/fixtures/bert_tiny/config.json");
        if (url == null) throw new IllegalStateException("fixtures/bert_tiny not on the test classpath (run gen_bert.py)");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode expected() {
        try (InputStream in = Files.newInputStream(dir().resolve("expected.json"))) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }

    static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) a.get(i).asDouble();
        return out;
    }

    /** The fixture batch as {@code [B, T]} int64 tensors: ids, mask, type ids. */
    static Tensor[] inputs(JsonNode e) {
        long b = e.get("shape").get(0).asLong(), t = e.get("shape").get(1).asLong();
        return new Tensor[] {Torch.tensor(longs(e.get("input_ids")), b, t), Torch.tensor(longs(e.get("attention_mask")), b, t),
                Torch.tensor(longs(e.get("token_type_ids")), b, t)};
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        if (Double.isNaN(m)) return Double.POSITIVE_INFINITY;
        for (float v : a) if (!Float.isFinite(v)) return Double.POSITIVE_INFINITY;
        return m;
    }

    /** A copy of the fixture's config.json and model.safetensors in {@code target}. */
    static Path copy(Path target) throws IOException {
        Files.copy(dir().resolve("config.json"), target.resolve("config.json"));
        Files.copy(dir().resolve("model.safetensors"), target.resolve("model.safetensors"));
        return target;
    }
}
