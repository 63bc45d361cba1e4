package dev.torch4j.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.models.gpt2.Gpt2Fixture;

/** Score transforms against Hugging Face's processors re-implemented in tests/fixtures/gen_gpt2.py. */
class LogitsProcessorsTest {
    static final JsonNode P = Gpt2Fixture.EXPECTED.get("processors");

    static Tensor scores() {
        JsonNode s = P.get("scores");
        float[] a = new float[s.size()];
        for (int i = 0; i < a.length; i++) a[i] = (float) s.get(i).asDouble();
        return Torch.tensor(a, 2, a.length / 2);
    }

    /** null in the fixture is -inf. */
    static void assertScores(String key, Tensor got) {
        JsonNode want = P.get(key);
        double[] g = got.toDoubleArray();
        assertEquals(want.size(), g.length, key);
        int removed = 0;
        for (int i = 0; i < g.length; i++) {
            if (want.get(i).isNull()) {
                removed++;
                if (g[i] != Double.NEGATIVE_INFINITY) fail(key + ": element " + i + " should be removed, got " + g[i]);
            } else if (!(Math.abs(g[i] - want.get(i).asDouble()) <= 1e-5)) {
                fail(key + ": element " + i + " expected " + want.get(i) + " got " + g[i]);
            }
        }
        if (key.startsWith("top") && removed == 0) fail(key + ": the fixture should remove something");
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegative() {
        try (Scope s = Torch.scope()) {
            Tensor ids = Gpt2Fixture.matrix(P.get("prev_ids"));
            assertScores("rep_penalty_1_3", LogitsProcessors.repetitionPenaltyForIds(scores(), ids, 1.3));
            Tensor tiny = Torch.tensor(new float[] {2, -2, 3}, 1, 3);
            Tensor seen = Torch.tensor(new boolean[] {true, true, false}, 1, 3);
            assertArrayEquals(new float[] {1, -4, 3}, LogitsProcessors.repetitionPenalty(tiny, seen, 2).toFloatArray());
        }
    }

    @Test
    void topKTopPAndTemperatureMatchHuggingFace() {
        try (Scope s = Torch.scope()) {
            assertScores("top_k_5", LogitsProcessors.topK(scores(), 5));
            assertScores("top_p_0_8", LogitsProcessors.topP(scores(), 0.8));
            Tensor chained = LogitsProcessors.topP(LogitsProcessors.topK(LogitsProcessors.temperature(scores(), 0.7), 10), 0.9);
            assertScores("temperature_0_7_top_k_10_top_p_0_9", chained);
            assertArrayEquals(scores().toFloatArray(), LogitsProcessors.topK(scores(), 1000).toFloatArray(), "k >= V keeps all");
        }
    }

    @Test
    void suppressAndSeenMask() {
        try (Scope s = Torch.scope()) {
            Tensor out = LogitsProcessors.suppress(Torch.zeros(2, 4), new long[] {1, 3});
            assertArrayEquals(new float[] {0, Float.NEGATIVE_INFINITY, 0, Float.NEGATIVE_INFINITY, 0, Float.NEGATIVE_INFINITY, 0,
                    Float.NEGATIVE_INFINITY}, out.toFloatArray());
            Tensor ids = Torch.tensor(new long[] {0, 2, 2, 3}, 2, 2);
            Tensor valid = Torch.tensor(new long[] {0, 1, 1, 1}, 2, 2); // padding id 0 in row 0 does not count
            assertArrayEquals(new boolean[] {false, false, true, false, false, false, true, true},
                    LogitsProcessors.seenMask(ids, valid, 4).toBooleanArray());
        }
    }
}
