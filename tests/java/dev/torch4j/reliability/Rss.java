package dev.torch4j.reliability;

import org.bytedeco.javacpp.Pointer;

/**
 * The RSS leak check of {@code dev.torch4j.MemoryTest}: resident memory fluctuates by tens of MiB (allocator
 * arenas, heap sizing), so a check compares the lowest reading of the later half of the rounds with the lowest
 * of the warm-up rounds. A leak raises every later reading; noise does not.
 */
final class Rss {
    private Rss() {}

    /** Growth tolerated over a loop after warm-up. */
    static final long LIMIT = 32L << 20;

    static long settled() {
        System.gc();
        return Pointer.physicalBytes();
    }

    static long growthOverRounds(Runnable round, int warmupRounds, int rounds) {
        long base = Long.MAX_VALUE;
        for (int i = 0; i < warmupRounds; i++) {
            round.run();
            base = Math.min(base, settled());
        }
        long tail = Long.MAX_VALUE;
        for (int i = 0; i < rounds; i++) {
            round.run();
            if (i >= rounds / 2) tail = Math.min(tail, settled());
        }
        return tail - base;
    }

    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
