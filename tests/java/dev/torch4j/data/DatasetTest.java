package dev.torch4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** TensorDataset, Subset, ConcatDataset and randomSplit's arguments. */
@SuppressWarnings("try") // scopes opened only for what they close
class DatasetTest {

    /** Identity-valued samples over an int64 column, the sample index itself. */
    record Ids(long n) implements Dataset<Long> {
        @Override public long size() { return n; }
        @Override public Long get(long index) { TensorDataset.checkIndex(index, n); return index; }
    }

    @Test
    void tensorDatasetGetReturnsTheRowsOfEveryTensor() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.arange(0, 12).reshape(4, 3);
            Tensor y = Torch.arange(10, 14);
            TensorDataset ds = new TensorDataset(x, y);
            assertEquals(4, ds.size());
            assertEquals(2, ds.numFields());
            List<Tensor> row = ds.get(2);
            assertArrayEquals(new long[] {6, 7, 8}, row.get(0).toLongArray());
            assertArrayEquals(new long[0], row.get(1).shape());
            assertEquals(12, row.get(1).itemLong());
            List<Tensor> rows = ds.rows(new long[] {3, 0, 3});
            assertArrayEquals(new long[] {3, 3}, rows.get(0).shape());
            assertArrayEquals(new long[] {9, 10, 11, 0, 1, 2, 9, 10, 11}, rows.get(0).toLongArray());
            assertArrayEquals(new long[] {13, 10, 13}, rows.get(1).toLongArray());
            assertThrows(IndexOutOfBoundsException.class, () -> ds.get(4));
            assertThrows(IndexOutOfBoundsException.class, () -> ds.rows(new long[] {0, -1}));
        }
    }

    @Test
    void tensorDatasetBorrowsItsTensors() {
        try (Tensor x = Torch.ones(5, 2)) {
            try (Scope s = Torch.scope()) {
                new TensorDataset(x).get(0);
            }
            assertFalse(x.isClosed());
        }
    }

    @Test
    void tensorDatasetRejectsMismatchedFirstDimensions() {
        try (Tensor x = Torch.ones(5, 2); Tensor y = Torch.ones(4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TensorDataset(x, y));
            assertTrue(e.getMessage().contains("5") && e.getMessage().contains("4"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset());
        try (Tensor scalar = Torch.scalarTensor(1)) {
            assertThrows(IllegalArgumentException.class, () -> new TensorDataset(scalar));
        }
    }

    @Test
    void subsetAndConcatMapIndices() {
        Subset<Long> sub = new Subset<>(new Ids(10), new long[] {7, 2, 2});
        assertEquals(3, sub.size());
        assertEquals(7L, sub.get(0));
        assertEquals(2L, sub.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> sub.get(3));
        assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(new Ids(3), new long[] {3}));

        ConcatDataset<Long> cat = new ConcatDataset<>(new Ids(3), new Ids(0), new Ids(2), new Subset<>(new Ids(9), new long[] {8}));
        assertEquals(6, cat.size());
        long[] got = new long[6];
        for (int i = 0; i < 6; i++) got[i] = cat.get(i);
        assertArrayEquals(new long[] {0, 1, 2, 0, 1, 8}, got);
        assertThrows(IndexOutOfBoundsException.class, () -> cat.get(6));
    }

    @Test
    void randomSplitPartitionsTheDataset() {
        List<Subset<Long>> parts = Dataset.randomSplit(new Ids(50), new long[] {10, 15, 25}, 3);
        assertEquals(List.of(10L, 15L, 25L), parts.stream().map(Subset::size).toList());
        Set<Long> seen = new HashSet<>();
        for (Subset<Long> p : parts) for (int i = 0; i < p.size(); i++) assertTrue(seen.add(p.get(i)));
        assertEquals(50, seen.size());
        // Same seed, same split; another seed, another split.
        assertArrayEquals(parts.get(0).indices(), Dataset.randomSplit(new Ids(50), new long[] {10, 15, 25}, 3).get(0).indices());
        assertFalse(java.util.Arrays.equals(parts.get(0).indices(),
                Dataset.randomSplit(new Ids(50), new long[] {10, 15, 25}, 4).get(0).indices()));
    }

    @Test
    void randomSplitWithoutSeedFollowsTheGlobalGenerator() {
        Torch.manualSeed(11);
        long[] a = Dataset.randomSplit(new Ids(20), new double[] {0.5, 0.5}).get(0).indices();
        Torch.manualSeed(11);
        long[] b = Dataset.randomSplit(new Ids(20), new long[] {10, 10}).get(0).indices();
        assertArrayEquals(a, b);
    }

    @Test
    void randomSplitRejectsBadLengthsAndFractions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.randomSplit(new Ids(10), new long[] {3, 6}, 0));
        assertTrue(e.getMessage().contains("9") && e.getMessage().contains("10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dataset.randomSplit(new Ids(10), new long[] {-1, 11}, 0));
        e = assertThrows(IllegalArgumentException.class, () -> Dataset.randomSplit(new Ids(10), new double[] {0.5, 0.4}, 0));
        assertTrue(e.getMessage().contains("0.9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dataset.randomSplit(new Ids(10), new double[] {1.5, -0.5}, 0));
        assertTrue(e.getMessage().contains("index 0"), e.getMessage());
    }
}
