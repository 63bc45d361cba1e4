package dev.torch4j.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntConsumer;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Native memory stays flat over 200 epochs of a 1,000-row dataset. Each epoch of batches is 264 KB of
 * tensor data, so keeping them (a leak) would grow memory by about 50 MB, well above the threshold.
 */
@SuppressWarnings("try") // scopes opened only for what they close
class DataMemoryTest {
    private static final long THRESHOLD = 32L << 20;
    private static final int EPOCHS = 200;
    private static final int WARMUP = 20;

    /** Physical memory in use (RSS) after a GC, the minimum of the warm-up epochs vs. that of the last 50. */
    private static void assertFlat(String what, IntConsumer epoch) {
        long warm = Long.MAX_VALUE, late = Long.MAX_VALUE;
        for (int e = 0; e < EPOCHS; e++) {
            epoch.accept(e);
            if (e < WARMUP || e >= EPOCHS - 50) {
                System.gc();
                long bytes = Pointer.physicalBytes();
                if (e < WARMUP) warm = Math.min(warm, bytes);
                else late = Math.min(late, bytes);
            }
        }
        long growth = late - warm;
        assertTrue(growth < THRESHOLD, what + ": physical memory grew by " + (growth >> 10) + " KiB over " + EPOCHS + " epochs");
    }

    private static void withDataset(java.util.function.Consumer<TensorDataset> body) {
        try (Tensor x = Torch.randn(1000, 64); Tensor y = Torch.randint(0, 10, 1000)) {
            body.accept(new TensorDataset(x, y));
        }
    }

    @Test
    void closingEveryBatchKeepsMemoryFlat() {
        withDataset(ds -> {
            DataLoader loader = new DataLoader(ds, new DataLoaderOptions().batchSize(32).shuffle(true).seed(1));
            assertFlat("closed batches", e -> {
                for (Batch b : loader) {
                    try (b) {
                        b.get(0).sum().close();
                    }
                }
            });
        });
    }

    @Test
    void aScopePerEpochKeepsMemoryFlatWithPrefetch() {
        withDataset(ds -> {
            DataLoader loader = new DataLoader(ds, new DataLoaderOptions().batchSize(32).shuffle(true).seed(2).prefetch(2));
            assertFlat("prefetched batches in a scope", e -> {
                try (Scope s = Torch.scope()) {
                    for (Batch b : loader) b.get(0).sum();
                }
            });
        });
    }

    @Test
    void abandonedPrefetchingEpochsDoNotAccumulate() {
        withDataset(ds -> {
            DataLoader loader = new DataLoader(ds, new DataLoaderOptions().batchSize(100).prefetch(4));
            assertFlat("epochs left after one batch", e -> {
                try (Scope s = Torch.scope()) {
                    for (Batch b : loader) {
                        b.get(0).sum();
                        break;
                    }
                }
            });
            // The last abandoned producer must stop before the dataset's tensors are closed.
            loader.iterator().close();
        });
    }
}
