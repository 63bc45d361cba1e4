package dev.torch4j.models.gpt2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Fixtures;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** The tiny checkpoint and expectations written by tests/fixtures/gen_gpt2.py. */
public final class Gpt2Fixture {
    private Gpt2Fixture() {}

    public static final JsonNode EXPECTED = Fixtures.load("gpt2_expected.json");

    public static Path dir() {
        URL url = Gpt2Fixture.class.getResource("/fixtures/gpt2_tiny/config.json");
        if (url == null) throw new IllegalStateException("fixtures/gpt2_tiny not on the test classpath");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static GPT2LMHeadModel load() {
        try {
            return GPT2LMHeadModel.fromPretrained(dir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }

    /** A 2-D int64 tensor from a JSON array of arrays. */
    public static Tensor matrix(JsonNode rows) {
        int b = rows.size(), t = rows.get(0).size();
        long[] flat = new long[b * t];
        for (int i = 0; i < b; i++) System.arraycopy(longs(rows.get(i)), 0, flat, i * t, t);
        return Torch.tensor(flat, b, t);
    }

    public static Tensor row(long... ids) {
        return Torch.tensor(ids, 1, ids.length);
    }
}
