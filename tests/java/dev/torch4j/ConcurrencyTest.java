package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.torch4j.nn.GELU;
import dev.torch4j.nn.LayerNorm;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Sequential;

import org.junit.jupiter.api.Test;

/** One shared eval-mode model on many threads gives the single-thread results bit for bit. */
class ConcurrencyTest {

    @Test
    void sharedEvalModelIsDeterministicAcrossEightThreads() throws Exception {
        Torch.manualSeed(11);
        try (Sequential model = new Sequential(new Linear(32, 64), new GELU(), new LayerNorm(64), new Linear(64, 8));
             Tensor x = Torch.randn(16, 32)) {
            model.eval();
            float[] expected;
            try (GradMode g = Torch.noGrad(); Tensor y = model.forward(x)) {
                expected = y.toFloatArray();
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<List<float[]>>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    boolean useNoGrad = t % 2 == 0;
                    results.add(pool.submit(() -> {
                        start.await();
                        List<float[]> outs = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            try (Scope s = Torch.scope()) {
                                if (useNoGrad) {
                                    try (GradMode g = Torch.noGrad()) {
                                        assertFalse(Torch.isGradEnabled());
                                        outs.add(model.forward(x).toFloatArray());
                                    }
                                } else {
                                    Tensor y = model.forward(x);
                                    assertTrue(Torch.isGradEnabled(), "another thread's noGrad must not leak here");
                                    assertTrue(y.requiresGrad());
                                    outs.add(y.toFloatArray());
                                }
                            }
                        }
                        return outs;
                    }));
                }
                start.countDown();
                for (Future<List<float[]>> f : results)
                    for (float[] out : f.get(120, TimeUnit.SECONDS)) assertArrayEquals(expected, out);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
