package dev.torch4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** Background prefetch: same batches as synchronous loading, thread shutdown, errors, ownership. */
@SuppressWarnings("try") // scopes opened only for what they close
class PrefetchTest {
    private Tensor x;
    private Tensor y;
    private TensorDataset ds;

    @BeforeEach
    void setUp() {
        x = Torch.randn(100, 5);
        y = Torch.arange(0, 100);
        ds = new TensorDataset(x, y);
    }

    @AfterEach
    void tearDown() {
        x.close();
        y.close();
    }

    static long liveProducers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(DataLoader.THREAD_PREFIX)).count();
    }

    static Thread producerOf(BatchIterator it) {
        return ((DataLoader.Prefetching) it).producerThread();
    }

    @Test
    void prefetchGivesTheSameBatchesAsSynchronousLoading() {
        DataLoaderOptions o = new DataLoaderOptions().batchSize(7).shuffle(true).seed(31);
        DataLoader sync = new DataLoader(ds, o);
        DataLoader ahead = new DataLoader(ds, o.prefetch(3));
        for (int epoch = 0; epoch < 3; epoch++) {
            try (Scope s = Torch.scope()) {
                List<Batch> a = new ArrayList<>(), b = new ArrayList<>();
                sync.forEach(a::add);
                ahead.forEach(b::add);
                assertEquals(15, b.size());
                for (int i = 0; i < a.size(); i++) {
                    assertArrayEquals(a.get(i).indices(), b.get(i).indices());
                    assertTrue(a.get(i).get(0).equal(b.get(i).get(0)), "features of batch " + i);
                    assertTrue(a.get(i).get(1).equal(b.get(i).get(1)), "labels of batch " + i);
                }
            }
        }
    }

    @Test
    void prefetchedBatchesJoinTheConsumersScope() {
        List<Batch> seen = new ArrayList<>();
        try (Scope s = Torch.scope()) {
            for (Batch b : new DataLoader(ds, new DataLoaderOptions().batchSize(50).prefetch(1))) seen.add(b);
            assertEquals(4, s.size());
        }
        for (Batch b : seen) for (Tensor t : b.tensors()) assertTrue(t.isClosed());
    }

    @Test
    void theProducerEndsWithTheEpoch() throws InterruptedException {
        BatchIterator it = new DataLoader(ds, new DataLoaderOptions().batchSize(30).prefetch(2)).iterator();
        Thread producer = producerOf(it);
        while (it.hasNext()) it.next().close();
        producer.join(5000);
        assertFalse(producer.isAlive());
    }

    @Test
    void closingTheIteratorEarlyStopsTheProducerAndFreesQueuedBatches() throws InterruptedException {
        List<Tensor> made = Collections.synchronizedList(new ArrayList<>());
        Collate<List<Tensor>> recording = samples -> {
            Tensor t = Torch.stack(samples.stream().map(s -> s.get(1)).toList(), 0);
            made.add(t);
            return List.of(t);
        };
        long before = liveProducers();
        DataLoader loader = new DataLoader(ds, new DataLoaderOptions().batchSize(1).prefetch(4), recording);
        Thread producer;
        Tensor first;
        try (BatchIterator it = loader.iterator()) {
            producer = producerOf(it);
            Batch b = it.next();
            first = b.get(0);
            // Let the producer fill the queue and block on it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (made.size() < 5 && System.nanoTime() < deadline) Thread.sleep(1);
            assertTrue(producer.isAlive());
            assertEquals(before + 1, liveProducers());
            b.close();
        }
        assertFalse(producer.isAlive(), "close() joins the producer");
        assertEquals(before, liveProducers());
        assertTrue(made.size() >= 5 && made.size() < 100, "the producer stopped early: made " + made.size());
        for (Tensor t : made) assertTrue(t.isClosed(), "a batch made but never handed out was not freed");
        assertTrue(first.isClosed());
    }

    @Test
    void startingTheNextEpochStopsAnAbandonedProducer() {
        DataLoader loader = new DataLoader(ds, new DataLoaderOptions().batchSize(1).prefetch(2));
        Thread abandoned;
        try (Scope s = Torch.scope()) {
            BatchIterator it = loader.iterator();
            abandoned = producerOf(it);
            it.next();
            // a for-each loop left with break: the iterator is never closed
        }
        try (BatchIterator next = loader.iterator()) {
            assertFalse(abandoned.isAlive());
            assertNotEquals(abandoned, producerOf(next));
        }
    }

    @Test
    void anExceptionInTheProducerSurfacesOnTheConsumersNext() throws InterruptedException {
        IllegalArgumentException boom = new IllegalArgumentException("bad sample 7");
        Dataset<List<Tensor>> failing = new Dataset<>() {
            @Override public long size() { return 20; }
            @Override public List<Tensor> get(long i) {
                if (i == 7) throw boom;
                return ds.get(i);
            }
        };
        DataLoader loader = new DataLoader(failing, new DataLoaderOptions().batchSize(2).prefetch(2), Collate.stack());
        try (Scope s = Torch.scope(); BatchIterator it = loader.iterator()) {
            Thread producer = producerOf(it);
            for (int i = 0; i < 3; i++) assertRowsOf(it.next(), 2L * i);
            assertTrue(it.hasNext());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::next);
            assertSame(boom, e);
            assertTrue(e.getSuppressed().length > 0 && e.getSuppressed()[0].getMessage().contains("batch 3"),
                    "the rethrow names the batch");
            producer.join(5000);
            assertFalse(producer.isAlive());
            assertFalse(it.hasNext(), "the epoch ended");
        }
    }

    private static void assertRowsOf(Batch b, long first) {
        assertArrayEquals(new long[] {first, first + 1}, b.get(1).toLongArray());
    }

    @Test
    void tensorsMadeOnTheProducerThreadBelongToNoScopeThere() throws InterruptedException {
        // A producer that found a scope open would have its batches closed under the consumer; a collate that
        // opens and closes its own scope must not change what the batch owns.
        CountDownLatch done = new CountDownLatch(1);
        Collate<List<Tensor>> scoped = samples -> {
            try (Scope inner = Torch.scope()) {
                Tensor t = Torch.stack(samples.stream().map(s -> s.get(0)).toList(), 0);
                done.countDown();
                return List.of(inner.keep(t.mul(1.0)));
            }
        };
        try (BatchIterator it = new DataLoader(ds, new DataLoaderOptions().batchSize(10).prefetch(1), scoped).iterator();
             Batch b = it.next()) {
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertFalse(b.get(0).isClosed());
            assertEquals(DType.FLOAT32, b.get(0).dtype());
            assertArrayEquals(new long[] {10, 5}, b.get(0).shape());
        }
    }
}
