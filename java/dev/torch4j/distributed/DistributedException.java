package dev.torch4j.distributed;

import dev.torch4j.TorchException;

/**
 * A collective, rendezvous or store operation that failed: a peer died or closed its connection, a peer did
 * not arrive within the timeout, or the master could not be reached. The message names the operation, this
 * rank, the world size and the native cause (without the C++ backtrace).
 *
 * <p>After a collective fails the {@link ProcessGroup} is unusable (its Gloo pairs are closed): close it, and
 * let the process exit or start a new group.
 */
public class DistributedException extends TorchException {
    private static final long serialVersionUID = 1L;

    public DistributedException(String message) {
        super(message);
    }

    public DistributedException(String message, Throwable cause) {
        super(message, cause);
    }
}
