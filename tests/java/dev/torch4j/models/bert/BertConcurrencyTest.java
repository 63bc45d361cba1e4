package dev.torch4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.tokenizers.BatchEncoding;

/** One shared eval-mode all-MiniLM-L6-v2 used by 8 threads at once gives bit-identical outputs to a single-thread run. */
class BertConcurrencyTest {
    private static final int THREADS = 8, ROUNDS = 2;

    private static float[] hidden(BertModel model, BatchEncoding batch) {
        try (Scope s = Torch.scope(); GradMode g = Torch.noGrad()) {
            BertOutput out = model.forward(batch.inputIds(), batch.attentionMask(), batch.tokenTypeIds());
            return out.lastHiddenState().toFloatArray();
        }
    }

    @Test
    void sharedModelIsBitIdenticalAcrossThreads() throws Exception {
        try (SentenceEmbedder e = SentenceEmbedder.allMiniLmL6V2()) {
            BertModel model = e.model();
            List<BatchEncoding> batches = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)  // each thread its own batch (different padding), so mixing up results shows
                batches.add(e.tokenizer().encodeBatch(List.of(MiniLmOnnxRuntimeTest.SENTENCES.get(t % 5),
                        MiniLmOnnxRuntimeTest.SENTENCES.get((t + 2) % 5) + " " + "word ".repeat(t)), 64));
            List<float[]> expected = new ArrayList<>();
            for (BatchEncoding b : batches) expected.add(hidden(model, b));

            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<float[]>>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    BatchEncoding b = batches.get(t);
                    futures.add(pool.submit(() -> {
                        start.await();
                        List<float[]> outs = new ArrayList<>();
                        for (int r = 0; r < ROUNDS; r++) outs.add(hidden(model, b));
                        return outs;
                    }));
                }
                start.countDown();
                for (int t = 0; t < THREADS; t++) {
                    List<float[]> outs = futures.get(t).get(120, TimeUnit.SECONDS);
                    for (int r = 0; r < ROUNDS; r++)
                        assertArrayEquals(expected.get(t), outs.get(r), "thread " + t + " round " + r + " differs from the single-thread run");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
