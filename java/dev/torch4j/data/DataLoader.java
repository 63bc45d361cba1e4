package dev.torch4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Batches of a {@link Dataset}, as PyTorch's single-process {@code DataLoader}: each call of
 * {@link #iterator()} (each {@code for} loop) is one epoch.
 *
 * <pre>{@code
 * DataLoader loader = new DataLoader(new TensorDataset(x, y),
 *         new DataLoaderOptions().batchSize(64).shuffle(true).seed(0));
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     for (Batch batch : loader) {
 *         try (batch) {
 *             Tensor xb = batch.get(0);   // (64, ...) rows of x
 *             Tensor yb = batch.get(1);   // (64, ...) rows of y
 *         }
 *     }
 * }
 * }</pre>
 *
 * <h2>Batches and memory</h2>
 * Each {@link Batch} owns its tensors and is handed to the consumer: close it (try-with-resources as above),
 * or iterate inside a scope, which then closes every batch {@code next()} returned while it was the
 * innermost scope on the consumer's thread; with neither, batches leak. Everything else a batch needs
 * (samples, index tensors, temporaries of the collate function) is closed when the batch is made.
 *
 * <h2>Order</h2>
 * Batch {@code b} of an epoch holds the samples at positions {@code b*batchSize ..} of the epoch's order:
 * {@code 0, 1, .., n-1}, or, with {@link DataLoaderOptions#shuffle(boolean) shuffle}, a permutation drawn
 * as PyTorch 1.13 draws it ({@code torch.randperm(n, generator)} in {@code RandomSampler}), so with the same
 * seed the orders equal PyTorch's epoch by epoch. As in PyTorch, each epoch first draws one 64-bit base seed
 * from the generator (the loader's own with {@link DataLoaderOptions#seed(long) seed}, else the global one),
 * shuffled or not; here all of an epoch's draws happen in {@link #iterator()}, so the order of epoch {@code e}
 * does not depend on how much of the earlier epochs was consumed.
 *
 * <h2>Prefetch</h2>
 * With {@link DataLoaderOptions#prefetch(int) prefetch(k)}, a daemon thread makes up to {@code k} batches
 * ahead, outside any scope, and {@code next()} hands each to the consumer's current scope as if it had been
 * made there; batches are identical to synchronous ones. The thread ends with the epoch, when the
 * {@link BatchIterator} is closed (leaving a loop early: use try-with-resources on {@link #iterator()}), or
 * when the loader's next epoch starts. An exception in the dataset or the collate function is thrown by the
 * consumer's {@code next()} and ends the epoch, in both modes. The prefetch thread reads the dataset, so
 * keep its tensors open until the epoch's iterator is finished or closed.
 *
 * <p>One epoch at a time: {@link #iterator()} closes the loader's previous iterator if still open. A loader
 * is meant to be driven by one consumer thread; {@code iterator()} itself is thread-safe. The loader borrows
 * the dataset and holds no native memory, so it needs no closing.
 */
public final class DataLoader implements Iterable<Batch> {
    /** Name prefix of prefetch threads. */
    static final String THREAD_PREFIX = "torch4j-data-prefetch-";
    private static final AtomicLong THREADS = new AtomicLong();

    private final Dataset<?> dataset;
    private final DataLoaderOptions options;
    private final Function<long[], List<Tensor>> maker;
    /** State of the loader's own generator between epochs; null before the first seeded epoch. */
    private byte[] generatorState;
    private long epochs;
    private BatchIterator current;

    /**
     * A loader over samples that are lists of tensors, collated with {@link Collate#stack()} (for a
     * {@link TensorDataset} or a {@link Subset} of one: one {@code index_select} per field and batch).
     */
    public DataLoader(Dataset<? extends List<Tensor>> dataset, DataLoaderOptions options) {
        this(dataset, options, Collate.stack());
    }

    /** A loader whose batches are the tensors {@code collate} makes of each batch's samples. */
    public <T> DataLoader(Dataset<T> dataset, DataLoaderOptions options, Collate<? super T> collate) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.options = Objects.requireNonNull(options, "options").copy();
        Objects.requireNonNull(collate, "collate");
        Function<long[], List<Tensor>> rows = collate == StackCollate.INSTANCE ? rowsOf(dataset) : null;
        this.maker = rows != null ? rows : bySample(dataset, collate);
    }

    /** Fetches each sample of a batch, then collates them. */
    private static <S> Function<long[], List<Tensor>> bySample(Dataset<? extends S> dataset, Collate<S> collate) {
        return indices -> {
            List<S> samples = new ArrayList<>(indices.length);
            for (long i : indices) samples.add(dataset.get(i));
            return collate.collate(samples);
        };
    }

    /** The row-gathering fast path for tensor datasets and subsets of them, or null. */
    private static Function<long[], List<Tensor>> rowsOf(Dataset<?> dataset) {
        if (dataset instanceof TensorDataset t) return t::rows;
        if (dataset instanceof CsvDataset c) return c::rows;
        if (dataset instanceof Subset<?> s) {
            Function<long[], List<Tensor>> base = rowsOf(s.dataset());
            return base == null ? null : indices -> base.apply(s.map(indices));
        }
        return null;
    }

    /** The dataset (borrowed). */
    public Dataset<?> dataset() {
        return dataset;
    }

    /** The options (a copy). */
    public DataLoaderOptions options() {
        return options.copy();
    }

    /** Batches per epoch ({@code len(loader)}): {@code ceil(n / batchSize)}, or {@code floor} with dropLast. */
    public long size() {
        return numBatches(dataset.size());
    }

    /** Epochs started so far (calls of {@link #iterator()}). */
    public synchronized long epochs() {
        return epochs;
    }

    private long numBatches(long n) {
        long b = options.batchSize();
        return options.dropLast() ? n / b : (n + b - 1) / b;
    }

    /**
     * Starts the next epoch: draws its order (see the class comment), closes the previous epoch's iterator if
     * still open, and with prefetch starts the producer thread. Close the returned iterator when leaving the
     * epoch early.
     */
    @Override
    public synchronized BatchIterator iterator() {
        if (current != null) current.close();
        long n = dataset.size();
        if (n > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("DataLoader: datasets above " + (Integer.MAX_VALUE - 8) + " samples are not supported, got " + n);
        long[] order;
        Scope scratch = Torch.scope(); // the draws' temporaries stay out of the caller's scope
        try {
            order = epochOrder((int) n);
        } finally {
            scratch.close();
        }
        long epoch = epochs++;
        current = options.prefetch() == 0 ? new Synchronous(epoch, order) : new Prefetching(epoch, order);
        return current;
    }

    private long[] epochOrder(int n) {
        boolean shuffle = options.shuffle();
        if (options.seed().isPresent()) {
            try (Rng rng = generatorState == null ? Rng.seeded(options.seed().getAsLong()) : Rng.restore(generatorState)) {
                rng.random64(); // _BaseDataLoaderIter's base seed
                long[] order = null;
                if (shuffle) {
                    order = rng.randperm(n);
                    // RandomSampler draws a second permutation (cut to num_samples % n == 0 items) when the
                    // first runs out, at the end of every full epoch.
                    rng.randperm(n);
                }
                generatorState = rng.state();
                return order != null ? order : sequence(n);
            }
        }
        Rng.globalRandom64(); // _BaseDataLoaderIter's base seed
        if (!shuffle) return sequence(n);
        // RandomSampler without a generator seeds a fresh one from the global generator each epoch.
        try (Rng rng = Rng.seeded(Rng.globalRandom64())) {
            return rng.randperm(n);
        }
    }

    private static long[] sequence(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) s[i] = i;
        return s;
    }

    private long[] batchIndices(long[] order, long number) {
        long from = number * options.batchSize();
        long to = Math.min(order.length, from + options.batchSize());
        return Arrays.copyOfRange(order, (int) from, (int) to);
    }

    /**
     * Makes one batch inside its own scope: the collated tensors are kept (joining the enclosing scope of
     * this thread, if any), everything else is closed.
     */
    private Batch make(long epoch, long number, long[] indices) {
        List<Tensor> kept = new ArrayList<>();
        try (Scope scope = Torch.scope()) {
            List<Tensor> made = maker.apply(indices);
            if (made == null) throw new IllegalStateException("collate returned null for batch " + number + " of epoch " + epoch);
            for (int f = 0; f < made.size(); f++) {
                Tensor t = made.get(f);
                if (t == null) throw new IllegalStateException("collate returned a null tensor " + f + " for batch " + number);
                try {
                    kept.add(scope.keep(t));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("collate: tensor " + f + " of batch " + number + " was not created by "
                            + "the collate call (it is a sample, a dataset's tensor, or returned twice); a batch owns and "
                            + "closes its tensors, so return new ones (e.g. a clone)", e);
                }
            }
        } catch (RuntimeException | Error e) {
            kept.forEach(Tensor::close);
            throw e;
        }
        return new Batch(kept, indices, epoch, number);
    }

    @Override
    public String toString() {
        return "DataLoader(" + dataset.getClass().getSimpleName() + " of " + dataset.size() + " samples, " + options + ")";
    }

    /** Makes each batch on the consumer's thread, inside {@code next()}. */
    private final class Synchronous implements BatchIterator {
        private final long epoch;
        private final long[] order;
        private final long numBatches;
        private long next;
        private boolean closed;

        Synchronous(long epoch, long[] order) {
            this.epoch = epoch;
            this.order = order;
            this.numBatches = numBatches(order.length);
        }

        @Override
        public boolean hasNext() {
            return !closed && next < numBatches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException(noMore(epoch, closed));
            long b = next++;
            try {
                return make(epoch, b, batchIndices(order, b));
            } catch (RuntimeException | Error e) {
                closed = true;
                throw e;
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static String noMore(long epoch, boolean closed) {
        return closed ? "epoch " + epoch + " is closed" : "epoch " + epoch + " has no more batches";
    }

    /** A producer's failure, queued in place of the batch it could not make. */
    private record Failure(Throwable error, long number) {}

    /** Makes batches ahead on a daemon thread; the queue holds at most {@code prefetch} of them. */
    final class Prefetching implements BatchIterator {
        private final long epoch;
        private final long[] order;
        private final long numBatches;
        private final BlockingQueue<Object> queue;
        private final Thread producer;
        private volatile boolean closed;
        private long delivered;

        Prefetching(long epoch, long[] order) {
            this.epoch = epoch;
            this.order = order;
            this.numBatches = numBatches(order.length);
            this.queue = new ArrayBlockingQueue<>(options.prefetch());
            this.producer = new Thread(this::produce, THREAD_PREFIX + THREADS.incrementAndGet());
            producer.setDaemon(true);
            producer.start();
        }

        /** The producer thread (for tests). */
        Thread producerThread() {
            return producer;
        }

        private void produce() {
            // A fresh thread has no scope open, so kept batch tensors belong to no scope here.
            for (long b = 0; b < numBatches && !closed; b++) {
                Object item;
                try {
                    item = make(epoch, b, batchIndices(order, b));
                } catch (Throwable e) {
                    item = new Failure(e, b);
                }
                try {
                    queue.put(item);
                } catch (InterruptedException e) {
                    if (item instanceof Batch batch) batch.close();
                    return;
                }
                if (item instanceof Failure) return;
            }
        }

        @Override
        public boolean hasNext() {
            return !closed && delivered < numBatches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException(noMore(epoch, closed));
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while waiting for batch " + delivered + " of epoch " + epoch, e);
            }
            delivered++;
            if (item instanceof Failure f) {
                close();
                throw rethrow(f);
            }
            Batch batch = (Batch) item;
            for (Tensor t : batch.tensors()) t.joinCurrentScope();
            if (delivered == numBatches) close();
            return batch;
        }

        private RuntimeException rethrow(Failure f) {
            Throwable e = f.error();
            e.addSuppressed(new IllegalStateException("rethrown by DataLoader.next() on thread '"
                    + Thread.currentThread().getName() + "': batch " + f.number() + " of epoch " + epoch
                    + " failed on prefetch thread '" + producer.getName() + "'"));
            if (e instanceof RuntimeException r) return r;
            if (e instanceof Error err) throw err;
            return new IllegalStateException("batch " + f.number() + " of epoch " + epoch + " failed on the prefetch thread", e);
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            producer.interrupt();
            boolean interrupted = false;
            while (true) {
                try {
                    producer.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            for (Object item; (item = queue.poll()) != null; )
                if (item instanceof Batch batch) batch.close();
        }
    }
}
