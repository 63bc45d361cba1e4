package dev.torch4j.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.data.Subset;
import dev.torch4j.data.TensorDataset;

class DistributedSamplerTest {

    /**
     * tests/fixtures/data_parity.json ("splits", PyTorch 1.13): randperm(10, Generator().manual_seed(42)) =
     * [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]; DistributedSampler pads to 12 with [2, 6] and takes every 3rd.
     */
    @Test
    void shuffledIndicesMatchPyTorch() {
        long[][] expected = {{2, 8, 0, 7}, {6, 4, 9, 2}, {1, 5, 3, 6}};
        for (int r = 0; r < 3; r++) {
            DistributedSampler s = new DistributedSampler(10, 3, r).seed(42);
            assertEquals(4, s.numSamples());
            assertEquals(12, s.totalSize());
            assertArrayEquals(expected[r], s.indices(), "rank " + r);
            // The epoch is added to the seed.
            DistributedSampler t = new DistributedSampler(10, 3, r).seed(41);
            t.setEpoch(1);
            assertArrayEquals(expected[r], t.indices(), "rank " + r + " seed 41 epoch 1");
        }
    }

    @Test
    void dropLastTruncatesInsteadOfPadding() {
        // PyTorch: num_samples = ceil((10 - 3) / 3) = 3, total 9: the permutation's last element is dropped.
        long[][] expected = {{2, 8, 0}, {6, 4, 9}, {1, 5, 3}};
        for (int r = 0; r < 3; r++) {
            DistributedSampler s = new DistributedSampler(10, 3, r).seed(42).dropLast(true);
            assertEquals(3, s.numSamples());
            assertArrayEquals(expected[r], s.indices());
        }
    }

    @Test
    void unshuffledPaddingRepeatsFromTheStart() {
        // size 3 over 4 replicas: [0, 1, 2] padded to [0, 1, 2, 0].
        long[][] expected = {{0}, {1}, {2}, {0}};
        for (int r = 0; r < 4; r++)
            assertArrayEquals(expected[r], new DistributedSampler(3, 4, r).shuffle(false).indices());
        // size 2 over 5 replicas: padding longer than the data repeats it cyclically: [0, 1, 0, 1, 0].
        assertArrayEquals(new long[] {0}, new DistributedSampler(2, 5, 4).shuffle(false).indices());
        assertArrayEquals(new long[] {1}, new DistributedSampler(2, 5, 3).shuffle(false).indices());
    }

    @Test
    void ranksCoverTheDatasetAndEpochsDiffer() {
        int n = 101, w = 4;
        boolean[] seen = new boolean[n];
        long[] epoch0 = null;
        for (int r = 0; r < w; r++) {
            DistributedSampler s = new DistributedSampler(n, w, r).seed(7);
            long[] idx = s.indices();
            assertEquals(26, idx.length);
            for (long i : idx) seen[(int) i] = true;
            if (r == 0) {
                epoch0 = idx;
                s.setEpoch(1);
                assertFalse(Arrays.equals(epoch0, s.indices()), "epoch 1 must reshuffle");
            }
        }
        for (int i = 0; i < n; i++) assertEquals(true, seen[i], "index " + i + " not assigned to any rank");
    }

    @Test
    void subsetIsADatasetViewOfThisRanksSamples() {
        try (Scope scope = Torch.scope()) {
            TensorDataset data = new TensorDataset(Torch.arange(10).view(10, 1));
            DistributedSampler s = new DistributedSampler(10, 3, 1).seed(42);
            Subset<List<Tensor>> mine = s.subset(data);
            assertEquals(4, mine.size());
            assertEquals(4L, mine.get(1).get(0).toLongArray()[0]);
            assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(11, 3, 1).subset(data));
        }
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(-1, 2, 0));
        assertEquals(0, new DistributedSampler(0, 2, 1).indices().length);
    }
}
