package dev.torch4j.generation;

import static dev.torch4j.models.gpt2.Gpt2Fixture.EXPECTED;
import static dev.torch4j.models.gpt2.Gpt2Fixture.longs;
import static dev.torch4j.models.gpt2.Gpt2Fixture.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;
import dev.torch4j.models.gpt2.Gpt2Fixture;

/** Decoding strategies and stopping rules on the tiny GPT-2 of tests/fixtures/gen_gpt2.py. */
class GenerationTest {
    static GPT2LMHeadModel model;
    static long[] prompt0, prompt1, greedy0, greedy1;

    @BeforeAll
    static void load() {
        model = Gpt2Fixture.load();
        prompt0 = longs(EXPECTED.get("input_ids").get(0));
        prompt1 = Arrays.copyOfRange(longs(EXPECTED.get("input_ids").get(1)), 3, 7);
        greedy0 = longs(EXPECTED.get("greedy_row0"));   // [60, 9, 9, 67, 67, 59, ...]
        greedy1 = longs(EXPECTED.get("greedy_row1"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static long[] gen(long[] prompt, GenerationConfig c) {
        try (Scope s = Torch.scope()) {
            return model.generate(row(prompt), c).toLongArray();
        }
    }

    static GenerationConfig sampling(long seed) {
        return new GenerationConfig().maxNewTokens(12).doSample(true).temperature(3.0).topK(0).seed(seed);
    }

    @Test
    void seededSamplingIsReproducibleAndSeedMatters() {
        long[] a = gen(prompt0, sampling(42)), b = gen(prompt0, sampling(42)), c = gen(prompt0, sampling(43));
        assertArrayEquals(a, b, "same seed, same tokens");
        assertFalse(Arrays.equals(a, c), "another seed gives other tokens: " + Arrays.toString(a) + " vs " + Arrays.toString(c));
        assertFalse(Arrays.equals(a, greedy0), "hot sampling departs from greedy");
        long[] nucleus = gen(prompt0, sampling(42).topK(20).topP(0.9));
        assertArrayEquals(nucleus, gen(prompt0, sampling(42).topK(20).topP(0.9)), "top-k + top-p sampling is reproducible too");
    }

    @Test
    void topKOneAndTinyTopPEqualGreedy() {
        assertArrayEquals(greedy0, gen(prompt0, sampling(1).topK(1)));
        assertArrayEquals(greedy0, gen(prompt0, sampling(2).topP(1e-6)));
    }

    @Test
    void eosStopsARowAndPadsItInABatch() {
        assertArrayEquals(new long[] {60, 9, 9, 67}, gen(prompt0, new GenerationConfig().maxNewTokens(12).eosTokenId(67)));
        try (Scope s = Torch.scope(); PaddedBatch batch = PaddedBatch.leftPad(List.of(prompt0, prompt1), 0)) {
            Tensor out = model.generate(batch.inputIds(), batch.attentionMask(),
                    new GenerationConfig().maxNewTokens(12).eosTokenIds(67, 95).padTokenId(0));
            assertArrayEquals(new long[] {2, 12}, out.shape());
            assertArrayEquals(new long[] {60, 9, 9, 67, 0, 0, 0, 0, 0, 0, 0, 0}, out.select(0, 0).toLongArray());
            assertArrayEquals(greedy1, out.select(0, 1).toLongArray(), "the other row goes on (no 67 or 95 in it)");
            Tensor both = model.generate(batch.inputIds(), batch.attentionMask(),
                    new GenerationConfig().maxNewTokens(12).eosTokenIds(67, 64));
            assertArrayEquals(new long[] {2, 4}, both.shape(), "generation ends when every row stopped");
            assertArrayEquals(new long[] {64, 67, 67, 67}, both.select(0, 1).toLongArray(), "padded with the first EOS id");
        }
    }

    @Test
    void modelEosIsTheDefaultAndCanBeDisabled() {
        // The fixture's eos_token_id is 95; with 95 as a stop sequence-free greedy run nothing stops early.
        assertArrayEquals(greedy0, gen(prompt0, new GenerationConfig().maxNewTokens(12)));
        assertArrayEquals(greedy0, gen(prompt0, new GenerationConfig().maxNewTokens(12).eosTokenIds(new long[0])));
        assertEquals(95, model.defaultEosTokenIds()[0]);
    }

    @Test
    void stopSequencesEndGenerationAndStayInTheOutput() {
        assertArrayEquals(new long[] {60, 9, 9, 67}, gen(prompt0, new GenerationConfig().maxNewTokens(12).stopSequence(9, 67)));
        assertArrayEquals(new long[] {60, 9, 9}, gen(prompt0, new GenerationConfig().maxNewTokens(12).stopSequence(1, 2).stopSequence(9, 9)));
        assertArrayEquals(greedy0, gen(prompt0, new GenerationConfig().maxNewTokens(12).stopSequence(67, 9, 9)), "no match, no stop");
    }

    @Test
    void minNewTokensSuppressesEos() {
        long[] out = gen(prompt0, new GenerationConfig().maxNewTokens(12).eosTokenId(9).minNewTokens(3));
        assertEquals(60, out[0]);
        for (int i = 0; i < 3; i++) assertNotEquals(9, out[i], "EOS before minNewTokens at " + i + ": " + Arrays.toString(out));
        assertFalse(Arrays.equals(Arrays.copyOf(greedy0, 2), Arrays.copyOf(out, 2)), "greedy would emit 9 second");
        assertArrayEquals(new long[] {60, 9}, gen(prompt0, new GenerationConfig().maxNewTokens(12).eosTokenId(9)));
    }

    @Test
    void listenerStreamsEveryTokenInOrder() {
        List<long[]> seen = new ArrayList<>();
        try (Scope s = Torch.scope(); PaddedBatch batch = PaddedBatch.leftPad(List.of(prompt0, prompt1), 0)) {
            Tensor out = model.generate(batch.inputIds(), batch.attentionMask(),
                    new GenerationConfig().maxNewTokens(6).eosTokenId(67), (r, step, id) -> seen.add(new long[] {r, step, id}));
            long[][] rows = {out.select(0, 0).toLongArray(), out.select(0, 1).toLongArray()};
            int expected = 4 + 6; // row 0 stops at its 4th token (67), row 1 runs all 6
            assertEquals(expected, seen.size());
            for (long[] e : seen) assertEquals(rows[(int) e[0]][(int) e[1]], e[2], "streamed token " + Arrays.toString(e));
            for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i)[1] >= seen.get(i - 1)[1], "steps in order");
        }
    }

    /** Records what each forward receives: the prompt once, then exactly one token per row. */
    static final class Recording implements CausalLM {
        final List<long[]> calls = new ArrayList<>(); // {T, cache length before, capacity, key buffer address}

        @Override
        public Tensor forward(Tensor ids, Tensor mask, Tensor pos, KVCache cache) {
            long address = -1; // an empty view (before the prompt) has no data pointer
            if (cache.length() > 0) {
                try (Tensor k = cache.keys(0)) {
                    address = k.unwrap().data_ptr().address();
                }
            }
            calls.add(new long[] {ids.size(1), cache.length(), cache.capacity(), address});
            return model.forward(ids, mask, pos, cache);
        }

        @Override
        public KVCache newCache(long batchSize, long capacity) {
            return model.newCache(batchSize, capacity);
        }

        @Override
        public long maxPositions() {
            return model.maxPositions();
        }

        @Override
        public long[] defaultEosTokenIds() {
            return new long[0];
        }
    }

    @Test
    void decodeStepsFeedOneTokenIntoAPreallocatedCache() {
        for (int promptLen : new int[] {2, 16}) {
            long[] prompt = new long[promptLen];
            for (int i = 0; i < promptLen; i++) prompt[i] = (i * 7 + 3) % 90;
            Recording rec = new Recording();
            try (Scope s = Torch.scope()) {
                Tensor out = Generator.generate(rec, row(prompt), null, new GenerationConfig().maxNewTokens(10), null);
                assertArrayEquals(new long[] {1, 10}, out.shape());
            }
            assertEquals(10, rec.calls.size(), "one prompt forward + 9 decode steps");
            long[] first = rec.calls.get(0);
            assertEquals(promptLen, first[0], "the prompt is processed once");
            assertEquals(0, first[1]);
            for (int i = 1; i < rec.calls.size(); i++) {
                long[] c = rec.calls.get(i);
                assertEquals(1, c[0], "decode step " + i + " feeds one token, never the prompt again");
                assertEquals(promptLen + i - 1, c[1], "the cache grows by exactly one position per token");
                assertEquals(first[2], c[2], "capacity is fixed: no reallocation while decoding");
                assertEquals(rec.calls.get(1)[3], c[3], "same key buffer: no concatenation or copy of the past");
            }
        }
    }

    @Test
    void generateLeavesNoTensorsBehindAndRestoresModes() {
        try (Scope outer = Torch.scope()) {
            Tensor ids = row(prompt0);
            int before = outer.size();
            model.train();
            try (Tensor out = model.generate(ids, sampling(5).repetitionPenalty(1.2).topP(0.9))) {
                assertEquals(before + 1, outer.size(), "only the output joins the caller's scope");
                assertFalse(out.requiresGrad());
            }
            assertTrue(model.isTraining(), "training mode restored");
            assertTrue(Torch.isGradEnabled(), "grad mode restored");
        } finally {
            model.eval();
        }
    }

    @Test
    void dropoutIsOffWhileGeneratingInTrainMode() {
        model.train();
        try {
            assertArrayEquals(greedy0, gen(prompt0, new GenerationConfig().maxNewTokens(12)));
        } finally {
            model.eval();
        }
    }

    @Test
    void badInputsAreRefused() {
        try (Scope s = Torch.scope()) {
            GenerationConfig c = new GenerationConfig().maxNewTokens(4);
            Tensor ids = Torch.tensor(new long[] {1, 2, 3, 4}, 2, 2);
            Tensor rightPadded = Torch.tensor(new long[] {1, 1, 1, 0}, 2, 2);
            String msg = assertThrows(IllegalArgumentException.class, () -> model.generate(ids, rightPadded, c)).getMessage();
            assertTrue(msg.contains("left padding"), msg);
            Tensor gap = Torch.tensor(new long[] {1, 0, 1, 1, 1, 1}, 2, 3);
            Tensor ids3 = Torch.tensor(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
            msg = assertThrows(IllegalArgumentException.class, () -> model.generate(ids3, gap, c)).getMessage();
            assertTrue(msg.contains("left padding"), msg);
            msg = assertThrows(IllegalArgumentException.class,
                    () -> model.generate(row(prompt0), new GenerationConfig().maxNewTokens(30))).getMessage();
            assertTrue(msg.contains("32 positions"), msg);
            msg = assertThrows(IllegalArgumentException.class, () -> model.generate(Torch.zeros(1, 3), c)).getMessage();
            assertTrue(msg.contains("int64"), msg);
        }
    }

    @Test
    void configValidatesAndDocumentsDefaults() {
        GenerationConfig d = new GenerationConfig();
        assertEquals(20, d.maxNewTokens());
        assertFalse(d.doSample());
        assertEquals(1.0, d.temperature());
        assertEquals(50, d.topK());
        assertEquals(1.0, d.topP());
        assertEquals(1.0, d.repetitionPenalty());
        assertTrue(d.seed().isEmpty());
        assertEquals(null, d.eosTokenIds());
        String[][] cases = {
            {"maxNewTokens", "0"}, {"temperature", "0"}, {"topP", "0"}, {"topP", "1.5"}, {"topK", "-1"},
            {"repetitionPenalty", "0"}, {"minNewTokens", "-1"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                GenerationConfig g = new GenerationConfig();
                double v = Double.parseDouble(c[1]);
                switch (c[0]) {
                    case "maxNewTokens" -> g.maxNewTokens((int) v);
                    case "temperature" -> g.temperature(v);
                    case "topP" -> g.topP(v);
                    case "topK" -> g.topK((int) v);
                    case "repetitionPenalty" -> g.repetitionPenalty(v);
                    default -> g.minNewTokens((int) v);
                }
            }, c[0] + "=" + c[1]);
            assertTrue(e.getMessage().startsWith(c[0]) && e.getMessage().contains(c[1].replace(".0", "")), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new GenerationConfig().stopSequence());
    }
}
