package dev.torch4j.distributed;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.FileStore;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;

/**
 * A c10d key-value store, the rendezvous through which the ranks of a {@link ProcessGroup} find each other
 * ({@code torch.distributed.TCPStore} / {@code FileStore}). Ranks may also use it to exchange small values.
 *
 * <p>A TCP store has one server (rank 0 by convention, on {@code MASTER_ADDR:MASTER_PORT}) that every rank,
 * the server's own included, connects to as a client. c10d's server listens on all interfaces (it has no
 * bind-address option); firewall the port on multi-node clusters. A file store is a file on a file system
 * all ranks see; delete it before reusing the path for a new job.
 *
 * <p>Closing the server's store while other ranks still use it makes their store calls fail.
 */
public final class Store implements AutoCloseable {
    static {
        C10d.init();
    }

    /*
     * Ownership. c10d keeps stores in c10::intrusive_ptr, but the Bytedeco constructors of TCPStore, FileStore and
     * PrefixStore are a plain C++ `new` that the Java object frees with `delete` on close(). Handing such an
     * object to a parameter typed intrusive_ptr<Store> (PrefixStore, ProcessGroupGloo, ProcessGroupNCCL) makes
     * JavaCPP's IntrusivePtrAdapter adopt it (intrusive_ptr::unsafe_steal_from_new) and leak one reference; the
     * object then has two owners, the Java delete and the C++ refcount, and is freed twice or used after free
     * ("free(): invalid pointer" in ~FileStore / ~PrefixStore). Hence `h` below is never passed to C++: a
     * process group gets a clone made by c10d itself (make_intrusive, see shared), which only refcounts.
     */
    private org.bytedeco.pytorch.Store h;
    private final String host;
    private final int port;

    private Store(org.bytedeco.pytorch.Store h, String host, int port) {
        this.h = h;
        this.host = host;
        this.port = port;
    }

    /**
     * A TCP store on {@code host:port}. The server ({@code isServer}) binds the port; clients connect, retrying
     * until {@code timeout}. The timeout also bounds every later {@link #get} on this store.
     *
     * @throws DistributedException if the port cannot be bound or the server cannot be reached in time
     */
    public static Store tcp(String host, int port, boolean isServer, Duration timeout) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be in 1..65535, got " + port);
        C10d.checkTimeout(timeout);
        try (TCPStoreOptions o = new TCPStoreOptions(); Milliseconds ms = C10d.millis(timeout)) {
            o.port((short) port).isServer(isServer).waitWorkers(false).timeout(ms);
            return new Store(new TCPStore(host, o), host, port);
        } catch (RuntimeException e) {
            throw failure("tcp store " + (isServer ? "server on port " : "client of ") + host + ":" + port, e);
        }
    }

    /**
     * A file store at {@code path} shared by {@code worldSize} ranks (created if absent; c10d deletes it when
     * the last rank closes it).
     */
    public static Store file(Path path, int worldSize) {
        Objects.requireNonNull(path, "path");
        if (worldSize < 1) throw new IllegalArgumentException("worldSize must be >= 1, got " + worldSize);
        try {
            return new Store(new FileStore(path.toAbsolutePath().toString(), worldSize), null, -1);
        } catch (RuntimeException e) {
            throw failure("file store " + path, e);
        }
    }

    /** Sets {@code key} to {@code value}, overwriting. */
    public void set(String key, byte[] value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        try (ByteVector v = new ByteVector(value)) {
            h().set(key, v);
        } catch (RuntimeException e) {
            throw failure("set '" + key + "'", e);
        }
    }

    /** Sets {@code key} to the UTF-8 bytes of {@code value}. */
    public void set(String key, String value) {
        set(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The value of {@code key}, waiting for another rank to set it.
     *
     * @throws DistributedException if it is not set within the store's timeout
     */
    public byte[] get(String key) {
        Objects.requireNonNull(key, "key");
        try (ByteVector v = h().get(key)) {
            return v.get();
        } catch (RuntimeException e) {
            throw failure("get '" + key + "'", e);
        }
    }

    /** {@link #get} decoded as UTF-8. */
    public String getString(String key) {
        return new String(get(key), StandardCharsets.UTF_8);
    }

    /** Atomically adds {@code delta} to the counter {@code key} (0 when absent) and returns the new value. */
    public long add(String key, long delta) {
        Objects.requireNonNull(key, "key");
        try {
            return h().add(key, delta);
        } catch (RuntimeException e) {
            throw failure("add '" + key + "'", e);
        }
    }

    /** The host of a TCP store, or null for a file store. */
    public String host() {
        return host;
    }

    /** The port of a TCP store, or -1 for a file store. */
    public int port() {
        return port;
    }

    private org.bytedeco.pytorch.Store h() {
        org.bytedeco.pytorch.Store x = h;
        if (x == null) throw new IllegalStateException("store is closed");
        return x;
    }

    /**
     * A new native store for a process group: a clone of this store (a new TCP client of the same server, or
     * the same file) whose keys are prefixed with {@code prefix}. The result is owned through an
     * {@code intrusive_ptr} (c10d's {@code clone()} returns one), so it may be handed to c10d constructors,
     * which keep their own reference; the caller closes its Java handle when it no longer needs it.
     */
    org.bytedeco.pytorch.Store shared(String prefix) {
        // Both clones below come from c10d (make_intrusive), so JavaCPP refcounts them; the temporary
        // PrefixStore is a plain `new`, freed by its own close() and never handed to C++.
        try (org.bytedeco.pytorch.Store clone = h().clone(); PrefixStore p = new PrefixStore(prefix, clone)) {
            return p.clone();
        } catch (RuntimeException e) {
            throw failure("clone for a process group", e);
        }
    }

    /**
     * Frees this handle's native store. A process group made through it keeps its own connection (it lives on
     * until the group is closed), but closing the server's store stops the server, after which the store calls
     * of other ranks fail. Idempotent.
     */
    @Override
    public void close() {
        org.bytedeco.pytorch.Store x = h;
        if (x != null) {
            h = null;
            x.close();
        }
    }

    private static RuntimeException failure(String what, RuntimeException e) {
        if (!C10d.isNative(e)) return e;
        String m = C10d.clean(e.getMessage());
        return new DistributedException("store " + what + " failed: " + m + C10d.hint(m), e);
    }

    @Override
    public String toString() {
        return host == null ? "Store(file)" : "Store(tcp " + host + ":" + port + ")";
    }
}
