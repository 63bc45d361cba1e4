package dev.torch4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.torch4j.Fixtures;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Shuffle orders and random splits against PyTorch 1.13 (tests/fixtures/gen_data.py writes
 * data_parity.json).
 */
@SuppressWarnings("try") // scopes opened only for what they close
class ShuffleParityTest {
    private static final JsonNode FIXTURE = Fixtures.load("data_parity.json");

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
        return out;
    }

    @Test
    void shuffledLoaderOrdersMatchPyTorchEpochByEpoch() {
        JsonNode cases = FIXTURE.get("loaders");
        assertTrue(cases.size() >= 8);
        for (JsonNode c : cases) {
            long n = c.get("n").asLong();
            String what = "n=" + n + " batch_size=" + c.get("batch_size") + " drop_last=" + c.get("drop_last") + " seed="
                    + c.get("seed") + (c.get("global").asBoolean() ? " (global generator)" : "");
            DataLoaderOptions o = new DataLoaderOptions().batchSize(c.get("batch_size").asLong()).shuffle(true)
                    .dropLast(c.get("drop_last").asBoolean());
            if (c.get("global").asBoolean()) Torch.manualSeed(c.get("seed").asLong());
            else o.seed(c.get("seed").asLong());
            try (Scope s = Torch.scope(); Tensor ids = Torch.arange(0, n)) {
                DataLoader loader = new DataLoader(new TensorDataset(ids), o);
                JsonNode epochs = c.get("epochs");
                for (int e = 0; e < epochs.size(); e++) {
                    List<long[]> got = new ArrayList<>();
                    for (Batch b : loader) {
                        assertArrayEquals(b.indices(), b.get(0).toLongArray(), what + ": batch contents");
                        got.add(b.indices());
                    }
                    JsonNode want = epochs.get(e);
                    assertEquals(want.size(), got.size(), what + ": batches in epoch " + e);
                    for (int i = 0; i < got.size(); i++)
                        assertArrayEquals(longs(want.get(i)), got.get(i), what + ": epoch " + e + " batch " + i);
                }
            }
        }
    }

    @Test
    void randomSplitMatchesPyTorch() {
        for (JsonNode c : FIXTURE.get("splits")) {
            long n = c.get("n").asLong();
            JsonNode lengths = c.get("lengths");
            long seed = c.get("seed").asLong();
            Dataset<Long> ids = new DatasetTest.Ids(n);
            List<Subset<Long>> parts;
            if (lengths.get(0).isIntegralNumber()) {
                parts = Dataset.randomSplit(ids, longs(lengths), seed);
            } else {
                double[] fractions = new double[lengths.size()];
                for (int i = 0; i < fractions.length; i++) fractions[i] = lengths.get(i).asDouble();
                parts = Dataset.randomSplit(ids, fractions, seed);
            }
            JsonNode want = c.get("subsets");
            assertEquals(want.size(), parts.size(), "subsets of " + c);
            for (int i = 0; i < parts.size(); i++)
                assertArrayEquals(longs(want.get(i)), parts.get(i).indices(), "subset " + i + " of " + c);
        }
    }
}
