package dev.torch4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** Batching, drop-last, shuffling, options and the ownership contract of synchronous loading. */
@SuppressWarnings("try") // scopes opened only for what they close
class DataLoaderTest {
    private Tensor x;
    private Tensor y;
    private TensorDataset ds;

    /** x[i] = [3i, 3i+1, 3i+2] (float32), y[i] = i (int64), for 10 rows. */
    @BeforeEach
    void setUp() {
        try (Tensor r = Torch.arange(0, 30)) {
            x = r.reshape(10, 3).to(DType.FLOAT32);
        }
        y = Torch.arange(0, 10);
        ds = new TensorDataset(x, y);
    }

    @AfterEach
    void tearDown() {
        x.close();
        y.close();
    }

    /** Checks a batch's tensors hold exactly the rows its indices name. */
    static void assertRows(Batch b, long[] expectedIndices) {
        assertArrayEquals(expectedIndices, b.indices(), "indices");
        assertArrayEquals(expectedIndices, b.get(1).toLongArray(), "labels");
        float[] want = new float[expectedIndices.length * 3];
        for (int i = 0; i < expectedIndices.length; i++)
            for (int k = 0; k < 3; k++) want[3 * i + k] = 3 * expectedIndices[i] + k;
        assertArrayEquals(want, b.get(0).toFloatArray(), "features");
    }

    static List<long[]> epochIndices(DataLoader loader) {
        List<long[]> out = new ArrayList<>();
        for (Batch b : loader) {
            try (b) {
                out.add(b.indices());
            }
        }
        return out;
    }

    static long[] flat(List<long[]> batches) {
        return batches.stream().flatMapToLong(Arrays::stream).toArray();
    }

    @Test
    void batchesHaveTheExpectedShapesAndRowsWithAPartialLastBatch() {
        DataLoader loader = new DataLoader(ds, new DataLoaderOptions().batchSize(4));
        assertEquals(3, loader.size());
        List<Batch> batches = new ArrayList<>();
        for (Batch b : loader) batches.add(b);
        assertEquals(3, batches.size());
        assertArrayEquals(new long[] {4, 3}, batches.get(0).get(0).shape());
        assertArrayEquals(new long[] {4}, batches.get(0).get(1).shape());
        assertEquals(DType.FLOAT32, batches.get(0).get(0).dtype());
        assertEquals(DType.INT64, batches.get(0).get(1).dtype());
        assertRows(batches.get(0), new long[] {0, 1, 2, 3});
        assertRows(batches.get(1), new long[] {4, 5, 6, 7});
        assertArrayEquals(new long[] {2, 3}, batches.get(2).get(0).shape());
        assertEquals(2, batches.get(2).batchSize());
        assertEquals(2, batches.get(2).size());
        assertRows(batches.get(2), new long[] {8, 9});
        batches.forEach(Batch::close);
        assertTrue(batches.get(0).isClosed());
    }

    @Test
    void dropLastDropsOnlyAPartialLastBatch() {
        DataLoader loader = new DataLoader(ds, new DataLoaderOptions().batchSize(4).dropLast(true));
        assertEquals(2, loader.size());
        List<long[]> got = epochIndices(loader);
        assertEquals(2, got.size());
        assertArrayEquals(new long[] {4, 5, 6, 7}, got.get(1));

        DataLoader exact = new DataLoader(ds, new DataLoaderOptions().batchSize(5).dropLast(true));
        assertEquals(2, epochIndices(exact).size());
    }

    @Test
    void defaultOptionsGiveOneSampleBatchesInOrder() {
        DataLoader loader = new DataLoader(ds, new DataLoaderOptions());
        List<long[]> got = epochIndices(loader);
        assertEquals(10, got.size());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, flat(got));
    }

    @Test
    void closedBatchRefusesUse() {
        try (BatchIterator it = new DataLoader(ds, new DataLoaderOptions().batchSize(2)).iterator()) {
            Batch b = it.next();
            Tensor t = b.get(0);
            b.close();
            b.close();
            assertTrue(t.isClosed());
            assertThrows(IllegalStateException.class, () -> b.get(0));
        }
    }

    @Test
    void shuffleIsReproducibleForASeedAndChangesEveryEpoch() {
        DataLoaderOptions o = new DataLoaderOptions().batchSize(3).shuffle(true).seed(123);
        DataLoader a = new DataLoader(ds, o);
        DataLoader b = new DataLoader(ds, o);
        List<long[]> a0 = epochIndices(a), a1 = epochIndices(a), a2 = epochIndices(a);
        assertArrayEquals(flat(a0), flat(epochIndices(b)));
        assertArrayEquals(flat(a1), flat(epochIndices(b)));
        assertArrayEquals(flat(a2), flat(epochIndices(b)));
        assertFalse(Arrays.equals(flat(a0), flat(a1)), "epoch 0 and 1 have the same order");
        assertFalse(Arrays.equals(flat(a1), flat(a2)), "epoch 1 and 2 have the same order");
        long[] sorted = flat(a0).clone();
        Arrays.sort(sorted);
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted, "an epoch is a permutation");
        assertNotEquals(Arrays.toString(flat(a0)), Arrays.toString(flat(
                epochIndices(new DataLoader(ds, new DataLoaderOptions().batchSize(3).shuffle(true).seed(124))))));
    }

    @Test
    void epochOrderDoesNotDependOnHowMuchOfTheLastEpochWasRead() {
        DataLoaderOptions o = new DataLoaderOptions().batchSize(2).shuffle(true).seed(5);
        DataLoader full = new DataLoader(ds, o);
        epochIndices(full);
        long[] second = flat(epochIndices(full));
        DataLoader partial = new DataLoader(ds, o);
        try (BatchIterator it = partial.iterator(); Batch b = it.next()) {
            assertEquals(0, b.epoch());
        }
        assertArrayEquals(second, flat(epochIndices(partial)));
        assertEquals(2, partial.epochs());
    }

    @Test
    void shuffleWithoutSeedFollowsTheGlobalGenerator() {
        DataLoaderOptions o = new DataLoaderOptions().batchSize(4).shuffle(true);
        Torch.manualSeed(99);
        long[] a = flat(epochIndices(new DataLoader(ds, o)));
        Torch.manualSeed(99);
        long[] b = flat(epochIndices(new DataLoader(ds, o)));
        assertArrayEquals(a, b);
    }

    @Test
    void invalidOptionsNameTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DataLoaderOptions().batchSize(0));
        assertTrue(e.getMessage().contains("batch size") && e.getMessage().contains(": 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DataLoaderOptions().batchSize(-3));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DataLoaderOptions().prefetch(-1));
        assertTrue(e.getMessage().contains("prefetch") && e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void optionsAreCopiedByTheLoader() {
        DataLoaderOptions o = new DataLoaderOptions().batchSize(5);
        DataLoader loader = new DataLoader(ds, o);
        o.batchSize(1);
        assertEquals(2, loader.size());
        assertEquals(5, loader.options().batchSize());
    }

    @Test
    void unclosedBatchesAreClosedByTheConsumersScope() {
        List<Batch> seen = new ArrayList<>();
        try (Scope s = Torch.scope()) {
            for (Batch b : new DataLoader(ds, new DataLoaderOptions().batchSize(3))) seen.add(b);
            assertEquals(8, s.size(), "4 batches of 2 tensors, and nothing else, join the scope");
            assertFalse(seen.get(0).get(0).isClosed());
        }
        for (Batch b : seen) for (Tensor t : b.tensors()) assertTrue(t.isClosed());
    }

    @Test
    void batchTensorsCanBeKeptOutOfTheScope() {
        Tensor kept;
        try (Scope s = Torch.scope(); BatchIterator it = new DataLoader(ds, new DataLoaderOptions().batchSize(3)).iterator()) {
            kept = s.keep(it.next().get(1));
        }
        assertFalse(kept.isClosed());
        assertArrayEquals(new long[] {0, 1, 2}, kept.toLongArray());
        kept.close();
    }

    @Test
    void exhaustedOrClosedIteratorSaysSo() {
        DataLoader loader = new DataLoader(ds, new DataLoaderOptions().batchSize(10));
        BatchIterator it = loader.iterator();
        it.next().close();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        BatchIterator it2 = loader.iterator();
        BatchIterator it3 = loader.iterator();
        assertFalse(it2.hasNext(), "a new epoch closes the previous iterator");
        assertTrue(it3.hasNext());
        it3.close();
        assertFalse(it3.hasNext());
    }

    @Test
    void customCollateAndTheGeneralPathMatchTheFastPath() {
        // A ConcatDataset has no row-gathering fast path: its samples are fetched and stacked one by one.
        try (Scope s = Torch.scope()) {
            TensorDataset lo = new TensorDataset(x.slice(0, 0, 4), y.slice(0, 0, 4));
            TensorDataset hi = new TensorDataset(x.slice(0, 4, 10), y.slice(0, 4, 10));
            DataLoaderOptions o = new DataLoaderOptions().batchSize(4).shuffle(true).seed(8);
            List<Batch> fast = new ArrayList<>(), slow = new ArrayList<>();
            new DataLoader(ds, o).forEach(fast::add);
            new DataLoader(new ConcatDataset<>(lo, hi), o).forEach(slow::add);
            assertEquals(fast.size(), slow.size());
            for (int i = 0; i < fast.size(); i++) {
                assertRows(slow.get(i), fast.get(i).indices());
                assertTrue(fast.get(i).get(0).equal(slow.get(i).get(0)));
            }
            // A collate of our own: the sum of each batch's labels.
            Collate<List<Tensor>> sumLabels = samples -> List.of(Torch.stack(samples.stream().map(t -> t.get(1)).toList(), 0).sum());
            List<Batch> sums = new ArrayList<>();
            new DataLoader(ds, new DataLoaderOptions().batchSize(5), sumLabels).forEach(sums::add);
            assertEquals(10, sums.get(0).get(0).itemLong());
            assertEquals(35, sums.get(1).get(0).itemLong());
        }
    }

    @Test
    void subsetOfATensorDatasetGathersTheRightRows() {
        List<Subset<List<Tensor>>> parts = Dataset.randomSplit(ds, new long[] {7, 3}, 0);
        try (Scope s = Torch.scope()) {
            long[] base = parts.get(1).indices();
            List<Long> labels = new ArrayList<>();
            for (Batch b : new DataLoader(parts.get(1), new DataLoaderOptions().batchSize(2).shuffle(true).seed(3))) {
                long[] positions = b.indices(); // indices into the subset, the loader's dataset
                long[] rows = Arrays.stream(positions).map(p -> base[(int) p]).toArray();
                assertArrayEquals(rows, b.get(1).toLongArray());
                assertEquals(3 * rows[0] + 2, b.get(0).toFloatArray()[2]);
                for (long r : rows) labels.add(r);
            }
            assertEquals(3, labels.size());
            assertEquals(Arrays.stream(base).boxed().sorted().toList(), labels.stream().sorted().toList());
        }
    }

    @Test
    void collateReturningATensorItDidNotCreateIsRefused() {
        Collate<List<Tensor>> leaky = samples -> List.of(x);
        BatchIterator it = new DataLoader(ds, new DataLoaderOptions().batchSize(2), leaky).iterator();
        IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
        assertTrue(e.getMessage().contains("not created by the collate call"), e.getMessage());
        assertFalse(x.isClosed(), "the dataset's tensor must survive");
        assertFalse(it.hasNext(), "an exception ends the epoch");
    }

    @Test
    void exceptionInTheDatasetSurfacesOnNext() {
        Dataset<List<Tensor>> failing = new Dataset<>() {
            @Override public long size() { return 6; }
            @Override public List<Tensor> get(long i) {
                if (i == 3) throw new IllegalStateException("cannot read sample 3");
                return ds.get(i);
            }
        };
        try (Scope s = Torch.scope(); BatchIterator it = new DataLoader(failing, new DataLoaderOptions().batchSize(2)).iterator()) {
            it.next();
            int before = s.size();
            IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
            assertEquals("cannot read sample 3", e.getMessage());
            assertEquals(before, s.size(), "the failed batch's samples were closed, not left in the scope");
        }
    }
}
