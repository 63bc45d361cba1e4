package dev.torch4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** Loading and closing a file 2,000 times keeps the process's resident memory flat (mapped and copied tensors). */
class SafeTensorsMemoryTest {
    private static final long MIB = 1 << 20;

    /**
     * Resident memory after a GC. It fluctuates (allocator arenas, heap sizing), so the check compares the lowest
     * reading of the later rounds with the lowest of the warm-up rounds: a leak raises every later reading.
     */
    private static long settledRss() {
        System.gc();
        return Pointer.physicalBytes();
    }

    @Test
    void loadingAndClosingTwoThousandTimesDoesNotGrowResidentMemory(@TempDir Path dir) throws IOException {
        assertEquals("true", System.getProperty("org.bytedeco.javacpp.nopointergc"), "tests run without GC deallocation");
        Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("big", Torch.randn(256, 256));                         // 256 KiB, mapped
        m.put("odd", Torch.ones(new long[] {3}, DType.UINT8));       // shifts the next tensor off alignment
        try (Tensor r = Torch.randn(128, 128)) {
            m.put("copied", r.to(DType.FLOAT64));                    // 128 KiB, copied
        }
        m.put("ids", Torch.arange(1000));
        try {
            SafeTensors.save(f, m);
        } finally {
            m.values().forEach(Tensor::close);
        }
        Runnable round = () -> {
            for (int i = 0; i < 100; i++) {
                try {
                    Map<String, Tensor> loaded = SafeTensors.load(f, i % 4 != 0);
                    try {
                        for (Tensor t : loaded.values()) {
                            try (Tensor sum = t.sum()) { // touches every page
                                sum.item();
                            }
                        }
                    } finally {
                        loaded.values().forEach(Tensor::close);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        long base = Long.MAX_VALUE;
        for (int r = 0; r < 4; r++) {
            round.run();
            base = Math.min(base, settledRss());
        }
        long tail = Long.MAX_VALUE;
        for (int r = 0; r < 16; r++) {
            round.run();
            if (r >= 8) tail = Math.min(tail, settledRss());
        }
        long growth = tail - base;
        assertTrue(growth < 32 * MIB, "resident memory grew by " + growth / MIB + " MiB over 2,000 loads");
        assertEquals(0, MappedRegions.live());
    }
}
