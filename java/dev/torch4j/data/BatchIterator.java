package dev.torch4j.data;

import java.util.Iterator;

/**
 * One epoch of a {@link DataLoader}. Close it when leaving the loop early: that stops the prefetch thread
 * (if any) and frees the batches it had made but not yet handed out. Closing a finished or closed iterator
 * is harmless; after {@code close()}, {@link #hasNext()} is false.
 *
 * <pre>{@code
 * try (BatchIterator it = loader.iterator()) {
 *     while (it.hasNext()) {
 *         try (Batch b = it.next()) {
 *             if (done(b)) break;
 *         }
 *     }
 * }
 * }</pre>
 */
public interface BatchIterator extends Iterator<Batch>, AutoCloseable {

    /**
     * The next batch, now owned by the caller. An exception raised while making it (in the dataset or the
     * collate function, on whichever thread) is thrown here, and ends the epoch.
     */
    @Override
    Batch next();

    /** Ends the epoch early; see the class comment. Never throws. */
    @Override
    void close();
}
