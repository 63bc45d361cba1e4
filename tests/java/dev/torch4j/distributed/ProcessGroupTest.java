package dev.torch4j.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** Collectives with the ranks as threads of this JVM (Gloo does not care), over TCP and file stores. */
class ProcessGroupTest {
    static final Duration T = Duration.ofSeconds(20);

    @BeforeAll
    static void oneThread() {
        Torch.setNumThreads(1);
    }

    interface RankBody {
        void run(ProcessGroup pg) throws Exception;
    }

    /** Runs {@code body} on {@code world} ranks over a TCP store and rethrows the first failure. */
    static void onRanks(int world, RankBody body) throws Exception {
        int port = LocalLauncher.freePort();
        ExecutorService ex = Executors.newFixedThreadPool(world);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                fs.add(ex.submit(() -> {
                    try (Store s = Store.tcp("127.0.0.1", port, rank == 0, T);
                            ProcessGroup pg = ProcessGroup.init(Backend.GLOO, rank, world, s, T);
                            Scope scope = Torch.scope()) {
                        body.run(pg);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void allReduceSumAvgMaxMin() throws Exception {
        onRanks(2, pg -> {
            float v = pg.rank() + 1; // 1 and 2
            Tensor t = Torch.tensor(new float[] {v, -v, 10 * v}, 3);
            assertSame(t, pg.allReduce(t, ReduceOp.SUM));
            assertArrayEquals(new float[] {3, -3, 30}, t.toFloatArray());
            Tensor a = Torch.tensor(new float[] {v, 2 * v}, 2);
            assertArrayEquals(new float[] {1.5f, 3f}, pg.allReduce(a, ReduceOp.AVG).toFloatArray());
            Tensor m = Torch.tensor(new float[] {v, -v}, 2);
            assertArrayEquals(new float[] {2, -1}, pg.allReduce(m, ReduceOp.MAX).toFloatArray());
            Tensor n = Torch.tensor(new long[] {pg.rank() + 5L}, 1);
            assertArrayEquals(new long[] {5}, pg.allReduce(n, ReduceOp.MIN).toLongArray());
            Tensor p = Torch.tensor(new double[] {v}, 1);
            assertArrayEquals(new double[] {2}, pg.allReduce(p, ReduceOp.PRODUCT).toDoubleArray());
            // A non-contiguous tensor is reduced through a contiguous copy written back.
            Tensor base = Torch.tensor(new float[] {v, 0, v, 0}, 2, 2);
            Tensor col = base.select(1, 0);
            pg.allReduce(col, ReduceOp.SUM);
            assertArrayEquals(new float[] {3, 0, 3, 0}, base.toFloatArray());
        });
    }

    @Test
    void broadcastAllGatherReduceScatterBarrier() throws Exception {
        onRanks(3, pg -> {
            int r = pg.rank();
            Tensor b = Torch.full(new long[] {2, 2}, r + 7);
            pg.broadcast(b, 2);
            assertArrayEquals(new float[] {9, 9, 9, 9}, b.toFloatArray());

            Tensor mine = Torch.tensor(new float[] {r, 10 * r}, 1, 2);
            List<Tensor> out = List.of(Torch.zeros(1, 2), Torch.zeros(1, 2), Torch.zeros(1, 2));
            pg.allGather(out, mine);
            for (int q = 0; q < 3; q++) assertArrayEquals(new float[] {q, 10 * q}, out.get(q).toFloatArray(), "from rank " + q);

            // Rank r sends [r, 2r] as chunk q to rank q; rank q receives the sum over r: [0+1+2, 0+2+4] + q*100 * 3.
            List<Tensor> in = new ArrayList<>();
            for (int q = 0; q < 3; q++) in.add(Torch.tensor(new float[] {r + 100 * q, 2 * r + 100 * q}, 2));
            Tensor rs = Torch.zeros(2);
            pg.reduceScatter(rs, in, ReduceOp.SUM);
            assertArrayEquals(new float[] {3 + 300 * r, 6 + 300 * r}, rs.toFloatArray());

            pg.barrier();
        });
    }

    @Test
    void fileStoreAndWorldSizeOne(@TempDir Path dir) throws Exception {
        try (Store s = Store.file(dir.resolve("store"), 1);
                ProcessGroup pg = ProcessGroup.init(Backend.GLOO, 0, 1, s, T);
                Scope scope = Torch.scope()) {
            Tensor t = Torch.ones(3);
            pg.allReduce(t, ReduceOp.SUM);
            assertArrayEquals(new float[] {1, 1, 1}, t.toFloatArray());
            s.set("k", "v");
            assertEquals("v", s.getString("k"));
            assertEquals(5, s.add("c", 5));
            pg.barrier();
        }
    }

    @Test
    void storesAndGroupsAreFreedExactlyOnce(@TempDir Path dir) throws Exception {
        // Regression: c10d adopted the Java-owned native stores (intrusive_ptr) that Java also deleted on close,
        // so making and closing a few groups crashed the JVM with "free(): invalid pointer".
        for (int i = 0; i < 8; i++) {
            Path file = dir.resolve("store" + i);
            try (Store s = Store.file(file, 1)) {
                for (int g = 0; g < 2; g++) { // one store serves successive groups
                    try (ProcessGroup pg = ProcessGroup.init(Backend.GLOO, 0, 1, s, T); Tensor t = Torch.ones(2)) {
                        pg.allReduce(t, ReduceOp.SUM);
                        assertArrayEquals(new float[] {1, 1}, t.toFloatArray());
                    }
                }
                s.set("k", "v" + i); // the store outlives its groups
                assertEquals("v" + i, s.getString("k"));
            }
            // c10d's FileStore deletes its file when the last native FileStore on it is destroyed: none leaked.
            assertFalse(Files.exists(file), "file store " + i + " was not freed");
        }
    }

    @Test
    void silentPeerTimesOutWithAClearError() throws Exception {
        onRanks(2, pg -> {
            Tensor t = Torch.ones(2);
            if (pg.rank() == 1) {
                // Stays away from the collective longer than rank 0's timeout.
                Thread.sleep(4000);
                return;
            }
            long t0 = System.nanoTime();
            DistributedException e = assertThrows(DistributedException.class,
                    () -> pg.allReduce(t, ReduceOp.SUM, Duration.ofSeconds(1)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3500, "took " + ms + " ms");
            assertTrue(e.getMessage().contains("allReduce(SUM) failed on rank 0 of 2"), e.getMessage());
            assertTrue(e.getMessage().toLowerCase().contains("timed out"), e.getMessage());
            assertTrue(!e.getMessage().contains("Exception raised from"), "backtrace must be stripped: " + e.getMessage());
            DistributedException again = assertThrows(DistributedException.class, () -> pg.barrier());
            assertTrue(again.getMessage().contains("unusable after an earlier failure"), again.getMessage());
        });
    }

    @Test
    void argumentsAreChecked() throws Exception {
        onRanks(1, pg -> {
            assertThrows(IllegalArgumentException.class, () -> pg.broadcast(Torch.ones(1), 1));
            assertThrows(IllegalArgumentException.class, () -> pg.allReduce(Torch.ones(new long[] {1}, DType.INT64), ReduceOp.AVG));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pg.allGather(List.of(Torch.zeros(3)), Torch.zeros(2)));
            assertTrue(e.getMessage().contains("out[0]: expected shape [2]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pg.allGather(List.of(), Torch.zeros(2)));
            assertThrows(IllegalArgumentException.class, () -> pg.allReduce(Torch.ones(1), ReduceOp.SUM, Duration.ZERO));
        });
        assertThrows(NullPointerException.class, () -> ProcessGroup.init(Backend.GLOO, 0, 1, null));
        assertThrows(IllegalStateException.class, () -> ProcessGroup.fromEnv(Map.of("WORLD_SIZE", "2"), Backend.GLOO, T));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ProcessGroup.fromEnv(Map.of("WORLD_SIZE", "2", "RANK", "5"), Backend.GLOO, T));
        assertTrue(e.getMessage().contains("RANK must be in 0..1, got 5"), e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> ProcessGroup.fromEnv(Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_ADDR", "127.0.0.1"), Backend.GLOO, T));
        assertTrue(e.getMessage().contains("MASTER_PORT is not set"), e.getMessage());
    }

    @Test
    void unreachableMasterFailsWithinTheTimeout() {
        int port = LocalLauncher.freePort();
        long t0 = System.nanoTime();
        DistributedException e = assertThrows(DistributedException.class,
                () -> Store.tcp("127.0.0.1", port, false, Duration.ofSeconds(2)).close());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 15_000, "took " + ms + " ms");
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void ncclIsRejectedForCpuTensors() throws Exception {
        // On the CPU build NCCL cannot start; the error says what to do instead.
        org.junit.jupiter.api.Assumptions.assumeFalse(Torch.cudaIsAvailable(), "CUDA is available: NCCL may start");
        try (Store s = Store.tcp("127.0.0.1", LocalLauncher.freePort(), true, T)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> ProcessGroup.init(Backend.NCCL, 0, 1, s, T));
            assertTrue(e.getMessage().contains("Backend.GLOO"), e.getMessage());
        }
    }
}
