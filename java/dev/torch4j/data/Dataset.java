package dev.torch4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * A map-style dataset, as PyTorch's {@code torch.utils.data.Dataset}: {@link #size()} samples addressed by
 * index {@code 0 <= index < size()}.
 *
 * <p>Samples that are tensors (or hold tensors) are new objects owned by the caller of {@link #get}: close
 * them, or call {@code get} inside a scope. A {@link DataLoader} does that for you.
 *
 * @param <T> the sample type; {@code List<Tensor>} (one tensor per field) for {@link TensorDataset}
 */
public interface Dataset<T> {

    /** Number of samples ({@code len(dataset)}). */
    long size();

    /**
     * The sample at {@code index}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    T get(long index);

    /**
     * Splits {@code dataset} into non-overlapping subsets of the given lengths, as PyTorch's
     * {@code random_split(dataset, lengths, generator=torch.Generator().manual_seed(seed))}: the subsets
     * take consecutive runs of {@code torch.randperm(size, generator)}, so they match PyTorch's exactly.
     *
     * @param lengths non-negative lengths summing to {@code dataset.size()}
     * @param seed    seeds a private generator; the global one is neither read nor advanced
     */
    static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, long[] lengths, long seed) {
        checkLengths(dataset, lengths);
        long[] perm;
        try (Rng rng = Rng.seeded(seed)) {
            perm = rng.randperm(dataset.size());
        }
        return subsets(dataset, lengths, perm);
    }

    /**
     * As {@link #randomSplit(Dataset, long[], long)}, drawing the permutation from the global generator
     * (PyTorch's default {@code generator=default_generator}; seed it with {@link Torch#manualSeed}).
     */
    static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, long[] lengths) {
        checkLengths(dataset, lengths);
        long[] perm;
        try (Tensor p = Torch.randperm(dataset.size())) {
            perm = p.toLongArray();
        }
        return subsets(dataset, lengths, perm);
    }

    /**
     * Splits by fractions summing to 1, with PyTorch 1.13's rounding: each length is
     * {@code floor(size * fraction)}, then the remainder is handed out one by one to the subsets in order
     * (round robin). For example 30 samples split {@code {0.3, 0.3, 0.4}} give lengths 9, 9 and 12.
     *
     * @param fractions each in [0, 1], summing to 1 (within {@code math.isclose}'s 1e-9, and not above 1)
     * @param seed      seeds a private generator, as in {@link #randomSplit(Dataset, long[], long)}
     */
    static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, double[] fractions, long seed) {
        return randomSplit(dataset, lengthsOf(dataset, fractions), seed);
    }

    /** {@link #randomSplit(Dataset, double[], long)} with the global generator. */
    static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, double[] fractions) {
        return randomSplit(dataset, lengthsOf(dataset, fractions));
    }

    private static long[] lengthsOf(Dataset<?> dataset, double[] fractions) {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(fractions, "fractions");
        if (fractions.length == 0) throw new IllegalArgumentException("randomSplit: fractions must not be empty");
        double sum = 0;
        for (double f : fractions) sum += f;
        // PyTorch's test: math.isclose(sum, 1) and sum <= 1.
        boolean closeToOne = Math.abs(sum - 1) <= 1e-9 * Math.max(Math.abs(sum), 1);
        if (!closeToOne || sum > 1)
            throw new IllegalArgumentException("randomSplit: fractions must sum to 1 (and not above), got "
                    + Arrays.toString(fractions) + " summing to " + sum);
        long n = dataset.size();
        long[] lengths = new long[fractions.length];
        long assigned = 0;
        for (int i = 0; i < fractions.length; i++) {
            double f = fractions[i];
            if (!(f >= 0 && f <= 1))
                throw new IllegalArgumentException("randomSplit: fraction at index " + i + " is not between 0 and 1: " + f);
            lengths[i] = (long) Math.floor(n * f);
            assigned += lengths[i];
        }
        for (long i = 0; i < n - assigned; i++) lengths[(int) (i % lengths.length)]++;
        return lengths;
    }

    private static void checkLengths(Dataset<?> dataset, long[] lengths) {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(lengths, "lengths");
        long sum = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0)
                throw new IllegalArgumentException("randomSplit: length at index " + i + " is negative: " + lengths[i]);
            sum += lengths[i];
        }
        if (sum != dataset.size())
            throw new IllegalArgumentException("randomSplit: lengths " + Arrays.toString(lengths) + " sum to " + sum
                    + ", the dataset has " + dataset.size() + " samples");
    }

    private static <T> List<Subset<T>> subsets(Dataset<T> dataset, long[] lengths, long[] perm) {
        List<Subset<T>> out = new ArrayList<>(lengths.length);
        int offset = 0;
        for (long len : lengths) {
            out.add(new Subset<>(dataset, Arrays.copyOfRange(perm, offset, offset + (int) len)));
            offset += (int) len;
        }
        return List.copyOf(out);
    }
}
