package dev.torch4j.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.generation.GenerationConfig;
import dev.torch4j.models.bert.BertModel;
import dev.torch4j.models.bert.BertOutput;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;

import org.junit.jupiter.api.Test;

/**
 * One shared eval-mode model on many threads gives the single-thread results bit for bit; grad mode is per thread,
 * train/eval is per module (shared by every thread using it).
 */
class SharedModelConcurrencyTest {

    /** Runs {@code work} on {@code threads} threads released together; returns each thread's results. */
    private static <T> List<T> onThreads(int threads, Callable<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++)
                fs.add(pool.submit(() -> {
                    start.await();
                    return work.call();
                }));
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) out.add(f.get(60, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sharedBertGivesBitIdenticalOutputsOnEightThreads() throws Exception {
        Torch.manualSeed(3);
        try (BertModel bert = BertModel.fromPretrained(ReliabilityFixtures.fixture("bert_tiny"));
             Tensor ids = Torch.randint(0, 64, 4, 12);
             Tensor mask = Torch.tensor(new long[] {
                 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
                 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 4, 12)) {
            assertFalse(bert.isTraining(), "fromPretrained returns eval mode");
            float[] hidden;
            float[] pooled;
            try (GradMode g = Torch.noGrad(); BertOutput out = bert.forward(ids, mask, null)) {
                hidden = out.lastHiddenState().toFloatArray();
                pooled = out.pooledOutput().toFloatArray();
            }
            List<List<float[]>> results = onThreads(8, () -> {
                List<float[]> outs = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    try (GradMode g = Torch.noGrad(); BertOutput out = bert.forward(ids, mask, null)) {
                        outs.add(out.lastHiddenState().toFloatArray());
                        outs.add(out.pooledOutput().toFloatArray());
                    }
                }
                return outs;
            });
            for (List<float[]> outs : results)
                for (int i = 0; i < outs.size(); i += 2) {
                    assertArrayEquals(hidden, outs.get(i), "last hidden state, forward " + i / 2);
                    assertArrayEquals(pooled, outs.get(i + 1), "pooled output, forward " + i / 2);
                }
        }
    }

    @Test
    void sharedGpt2GreedyGenerationIsIdenticalOnFourThreads() throws Exception {
        try (GPT2LMHeadModel gpt2 = GPT2LMHeadModel.fromPretrained(ReliabilityFixtures.fixture("gpt2_tiny"));
             Tensor prompt = Torch.tensor(new long[] {5, 17, 42, 8, 61, 3}, 2, 3)) {
            GenerationConfig greedy = new GenerationConfig().maxNewTokens(16);
            long[] expected;
            try (Tensor out = gpt2.generate(prompt, greedy)) {
                expected = out.toLongArray();
            }
            assertEquals(2 * 16, expected.length, "two rows of 16 new tokens (no eos in greedy output of this prompt)");
            List<List<long[]>> results = onThreads(4, () -> {
                List<long[]> outs = new ArrayList<>();
                for (int i = 0; i < 6; i++)
                    try (Tensor out = gpt2.generate(prompt, greedy)) {
                        outs.add(out.toLongArray());
                    }
                return outs;
            });
            for (List<long[]> outs : results) for (long[] out : outs) assertArrayEquals(expected, out);
        }
    }

    /** Grad mode is thread-local, as in PyTorch: one thread's noGrad, held open, does not reach another thread. */
    @Test
    void gradModeIsPerThread() throws Exception {
        try (BertModel bert = BertModel.fromPretrained(ReliabilityFixtures.fixture("bert_tiny"));
             Tensor ids = Torch.tensor(new long[] {1, 2, 3}, 1, 3)) {
            CountDownLatch inNoGrad = new CountDownLatch(1);
            CountDownLatch otherDone = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Boolean> noGradThread = pool.submit(() -> {
                    try (GradMode g = Torch.noGrad(); Scope s = Torch.scope()) {
                        inNoGrad.countDown();
                        assertTrue(otherDone.await(30, TimeUnit.SECONDS));
                        assertFalse(Torch.isGradEnabled(), "this thread's noGrad survives the other thread's work");
                        return bert.forward(ids, null, null).lastHiddenState().requiresGrad();
                    }
                });
                assertTrue(inNoGrad.await(30, TimeUnit.SECONDS));
                assertTrue(Torch.isGradEnabled(), "another thread's noGrad must not reach this one");
                try (BertOutput out = bert.forward(ids, null, null)) {
                    assertTrue(out.lastHiddenState().requiresGrad());
                }
                otherDone.countDown();
                assertFalse(noGradThread.get(30, TimeUnit.SECONDS), "outputs under noGrad do not require grad");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** train()/eval() is a field of the module, not of the thread: a switch on one thread is seen by all. */
    @Test
    void trainEvalIsPerModuleNotPerThread() throws Exception {
        try (BertModel bert = BertModel.fromPretrained(ReliabilityFixtures.fixture("bert_tiny"))) {
            assertFalse(bert.isTraining());
            Thread t = new Thread(bert::train);
            t.start();
            t.join();
            assertTrue(bert.isTraining(), "train() on another thread switched the shared module");
            bert.eval();
            assertEquals(List.of(false), onThreads(1, bert::isTraining));
        }
    }
}
