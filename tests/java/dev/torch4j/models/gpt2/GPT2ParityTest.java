package dev.torch4j.models.gpt2;

import static dev.torch4j.models.gpt2.Gpt2Fixture.EXPECTED;
import static dev.torch4j.models.gpt2.Gpt2Fixture.longs;
import static dev.torch4j.models.gpt2.Gpt2Fixture.matrix;
import static dev.torch4j.models.gpt2.Gpt2Fixture.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.generation.GenerationConfig;
import dev.torch4j.generation.KVCache;

/** GPT-2 against the plain-PyTorch reference of tests/fixtures/gen_gpt2.py (HF semantics). */
class GPT2ParityTest {
    static final double ATOL = 1e-4;
    static GPT2LMHeadModel model;
    static long b, t, v;
    static double[] expected;
    static long[][] mask;

    @BeforeAll
    static void load() {
        model = Gpt2Fixture.load();
        JsonNode s = EXPECTED.get("logits_shape");
        b = s.get(0).asLong();
        t = s.get(1).asLong();
        v = s.get(2).asLong();
        JsonNode l = EXPECTED.get("logits");
        expected = new double[l.size()];
        for (int i = 0; i < expected.length; i++) expected[i] = l.get(i).asDouble();
        mask = new long[(int) b][];
        for (int i = 0; i < b; i++) mask[i] = longs(EXPECTED.get("attention_mask").get(i));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Compares logits (B', T', V) against the reference at rows/positions [row0.., pos0..], real tokens only. */
    static void assertLogits(double[] got, long rows, long len, int row0, int pos0, String what) {
        for (int r = 0; r < rows; r++)
            for (int p = 0; p < len; p++) {
                if (mask[row0 + r][pos0 + p] == 0) continue;
                for (int k = 0; k < v; k++) {
                    double want = expected[(int) (((row0 + r) * t + pos0 + p) * v + k)];
                    double g = got[(int) ((r * len + p) * v + k)];
                    if (!(Math.abs(g - want) <= ATOL))
                        fail(String.format("%s: row %d pos %d token %d expected %.7f got %.7f", what, row0 + r, pos0 + p, k, want, g));
                }
            }
    }

    @Test
    void paddedBatchLogitsMatchReference() {
        try (Scope s = Torch.scope()) {
            Tensor logits = model.forward(matrix(EXPECTED.get("input_ids")), matrix(EXPECTED.get("attention_mask")));
            assertArrayEquals(new long[] {b, t, v}, logits.shape());
            assertLogits(logits.toDoubleArray(), b, t, 0, 0, "padded batch");
            for (double x : logits.toDoubleArray()) if (!Double.isFinite(x)) fail("non-finite logit (also at padding): " + x);
        }
    }

    @Test
    void explicitPositionIdsGiveTheSameLogits() {
        try (Scope s = Torch.scope()) {
            Tensor logits = model.forward(matrix(EXPECTED.get("input_ids")), matrix(EXPECTED.get("attention_mask")),
                    matrix(EXPECTED.get("position_ids")), null);
            assertLogits(logits.toDoubleArray(), b, t, 0, 0, "explicit positions");
        }
    }

    @Test
    void unpaddedRowsMatchReferenceWithoutMask() {
        try (Scope s = Torch.scope()) {
            long[] ids0 = longs(EXPECTED.get("input_ids").get(0));
            assertLogits(model.forward(row(ids0)).toDoubleArray(), 1, t, 0, 0, "row 0 alone");
            long[] ids1 = Arrays.copyOfRange(longs(EXPECTED.get("input_ids").get(1)), 3, (int) t);
            assertLogits(model.forward(row(ids1)).toDoubleArray(), 1, ids1.length, 1, 3, "row 1 alone, unpadded");
        }
    }

    @Test
    void kvCacheDecodeMatchesFullRecomputeAndReference() {
        try (Scope s = Torch.scope(); KVCache cache = model.newCache(b, 4)) {
            Tensor ids = matrix(EXPECTED.get("input_ids"));
            Tensor m = matrix(EXPECTED.get("attention_mask"));
            Tensor full = model.forward(ids, m);                                            // (B, T, V)
            // Prefill 3 positions, then a chunk of 2 (past > 0, T > 1), then one at a time; the cache grows past 4.
            long[][] chunks = {{0, 3}, {3, 2}, {5, 1}, {6, 1}};
            for (long[] c : chunks) {
                long start = c[0], n = c[1];
                Tensor step = model.forward(ids.narrow(1, start, n), m.narrow(1, 0, start + n), null, cache);
                assertEquals(start + n, cache.length(), "cache length after positions " + start + "+" + n);
                assertLogits(step.toDoubleArray(), b, n, 0, (int) start, "cached decode at " + start);
                Tensor ref = full.narrow(1, start, n);
                Tensor diff = step.sub(ref).abs();
                // Only real tokens: zero out padding before comparing incremental with full recompute.
                Tensor valid = m.narrow(1, start, n).unsqueeze(2).to(diff.dtype());
                double maxDiff = diff.mul(valid).max().item();
                if (!(maxDiff <= 1e-5)) fail("incremental vs full recompute at " + start + ": max |diff| " + maxDiff);
            }
        }
    }

    @Test
    void kvCacheWithoutMaskMatchesFullRecompute() {
        try (Scope s = Torch.scope(); KVCache cache = model.newCache(1, 16)) {
            long[] ids0 = longs(EXPECTED.get("input_ids").get(0));
            Tensor ids = row(ids0);
            Tensor full = model.forward(ids);
            Tensor a = model.forward(ids.narrow(1, 0, 2), null, null, cache);
            Tensor bb = model.forward(ids.narrow(1, 2, 3), null, null, cache);
            Tensor c = model.forward(ids.narrow(1, 5, 1), null, null, cache);
            Tensor d = model.forward(ids.narrow(1, 6, 1), null, null, cache);
            Tensor inc = Torch.cat(java.util.List.of(a, bb, c, d), 1);
            double maxDiff = inc.sub(full).abs().max().item();
            if (!(maxDiff <= 1e-5)) fail("incremental vs full recompute: max |diff| " + maxDiff);
            assertLogits(inc.toDoubleArray(), 1, t, 0, 0, "cached decode without mask");
        }
    }

    @Test
    void greedyContinuationMatchesReference() {
        try (Scope s = Torch.scope()) {
            GenerationConfig greedy = new GenerationConfig().maxNewTokens(12);
            long[] ids0 = longs(EXPECTED.get("input_ids").get(0));
            long[] ids1 = Arrays.copyOfRange(longs(EXPECTED.get("input_ids").get(1)), 3, (int) t);
            assertArrayEquals(longs(EXPECTED.get("greedy_row0")), model.generate(row(ids0), greedy).toLongArray(), "row 0");
            assertArrayEquals(longs(EXPECTED.get("greedy_row1")), model.generate(row(ids1), greedy).toLongArray(), "row 1");
        }
    }

    @Test
    void leftPaddedBatchGeneratesWhatEachRowGeneratesAlone() {
        try (Scope s = Torch.scope()) {
            Tensor out = model.generate(matrix(EXPECTED.get("input_ids")), matrix(EXPECTED.get("attention_mask")),
                    new GenerationConfig().maxNewTokens(12));
            assertArrayEquals(new long[] {2, 12}, out.shape());
            assertArrayEquals(longs(EXPECTED.get("greedy_row0")), out.select(0, 0).toLongArray(), "row 0 in batch");
            assertArrayEquals(longs(EXPECTED.get("greedy_row1")), out.select(0, 1).toLongArray(), "row 1 (left-padded) in batch");
        }
    }

    @Test
    void repetitionPenaltyMatchesReferenceAndChangesGreedyOutput() {
        try (Scope s = Torch.scope()) {
            Tensor prompt = row(longs(EXPECTED.get("penalty_prompt")));
            long[] plain = model.generate(prompt, new GenerationConfig().maxNewTokens(8)).toLongArray();
            long[] penalised = model.generate(prompt, new GenerationConfig().maxNewTokens(8).repetitionPenalty(3.0)).toLongArray();
            assertArrayEquals(longs(EXPECTED.get("penalty_plain")), plain, "without penalty");
            assertArrayEquals(longs(EXPECTED.get("penalty_3_0")), penalised, "with penalty 3.0");
            assertFalse(Arrays.equals(plain, penalised), "the penalty must change this continuation");
        }
    }
}
