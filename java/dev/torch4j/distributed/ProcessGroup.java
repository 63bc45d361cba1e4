package dev.torch4j.distributed;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllgatherOptions;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceScatterOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;

import dev.torch4j.Device;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * A group of {@code worldSize} processes (ranks {@code 0..worldSize-1}) that run collectives together over
 * c10d, as {@code torch.distributed} after {@code init_process_group}. Every rank must call the same
 * collectives in the same order with tensors of the same shape and dtype.
 *
 * <pre>{@code
 * try (ProcessGroup pg = ProcessGroup.fromEnv()) {     // RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
 *     Tensor t = Torch.ones(4).mul(pg.rank() + 1);
 *     pg.allReduce(t, ReduceOp.SUM);                   // in place: every rank now holds the sum
 * }
 * }</pre>
 *
 * <p>Every collective blocks until it completes on this rank and takes a timeout (default: the group's,
 * {@link #timeout()}). A peer that died makes it fail fast; a peer that hangs makes it fail when the timeout
 * elapses. Either way it throws {@link DistributedException}, never hangs, and the group is unusable
 * afterwards (later calls throw at once naming the first failure).
 *
 * <p>Tensors must be on a device the backend serves (CPU for {@link Backend#GLOO}, CUDA for
 * {@link Backend#NCCL}). Not thread-safe: call collectives from one thread.
 */
public final class ProcessGroup implements AutoCloseable {
    static {
        C10d.init();
    }

    /** PyTorch's default collective and rendezvous timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    private final Backend backend;
    private final int rank;
    private final int worldSize;
    private final Duration timeout;
    private final Store store;
    private final boolean ownsStore;
    private org.bytedeco.pytorch.Backend h;
    private String failure;

    private ProcessGroup(Backend backend, int rank, int worldSize, Duration timeout, Store store, boolean ownsStore,
            org.bytedeco.pytorch.Backend h) {
        this.backend = backend;
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeout = timeout;
        this.store = store;
        this.ownsStore = ownsStore;
        this.h = h;
    }

    // ------------------------------------------------------------------ creation

    /** {@link #init(Backend, int, int, Store, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public static ProcessGroup init(Backend backend, int rank, int worldSize, Store store) {
        return init(backend, rank, worldSize, store, DEFAULT_TIMEOUT);
    }

    /**
     * Joins the group: blocks until all {@code worldSize} ranks have joined through {@code store} (which this
     * group borrows: keep it open while the group lives), or throws {@link DistributedException} after
     * {@code timeout}, which is also the default timeout of every collective.
     *
     * <p>Gloo picks its network interface as PyTorch does: {@code GLOO_SOCKET_IFNAME} if set, the loopback
     * address when the store's host is a loopback address, else the address this machine's host name
     * resolves to.
     *
     * @throws UnsupportedOperationException for NCCL on a build without CUDA
     */
    public static ProcessGroup init(Backend backend, int rank, int worldSize, Store store, Duration timeout) {
        return create(backend, rank, worldSize, store, false, timeout);
    }

    /** {@link #fromEnv(Backend, Duration)} with NCCL when CUDA is available, else Gloo, and the default timeout. */
    public static ProcessGroup fromEnv() {
        return fromEnv(Torch.cudaIsAvailable() ? Backend.NCCL : Backend.GLOO, DEFAULT_TIMEOUT);
    }

    /**
     * Joins the group described by the environment, as {@code init_process_group(init_method="env://")} under
     * {@code torchrun} (or {@link LocalLauncher}): {@code RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR},
     * {@code MASTER_PORT}. Rank 0 serves the TCP store on the master port; the group owns the store.
     *
     * @throws IllegalStateException naming a variable that is missing or malformed
     */
    public static ProcessGroup fromEnv(Backend backend, Duration timeout) {
        return fromEnv(System.getenv(), backend, timeout);
    }

    static ProcessGroup fromEnv(Map<String, String> env, Backend backend, Duration timeout) {
        Objects.requireNonNull(backend, "backend");
        C10d.checkTimeout(timeout);
        int worldSize = intVar(env, "WORLD_SIZE", 1, Integer.MAX_VALUE);
        int rank = intVar(env, "RANK", 0, worldSize - 1);
        String addr = var(env, "MASTER_ADDR");
        int port = intVar(env, "MASTER_PORT", 1, 65535);
        Store s = Store.tcp(addr, port, rank == 0, timeout);
        try {
            return create(backend, rank, worldSize, s, true, timeout);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static String var(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank())
            throw new IllegalStateException("environment variable " + name + " is not set; launch with torchrun-style "
                    + "RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (LocalLauncher sets them)");
        return v.strip();
    }

    private static int intVar(Map<String, String> env, String name, int min, int max) {
        String v = var(env, name);
        int x;
        try {
            x = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " must be an integer, got '" + v + "'");
        }
        if (x < min || x > max)
            throw new IllegalStateException("environment variable " + name + " must be in " + min + ".." + max + ", got " + x);
        return x;
    }

    private static ProcessGroup create(Backend backend, int rank, int worldSize, Store store, boolean ownsStore,
            Duration timeout) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(store, "store");
        C10d.checkTimeout(timeout);
        if (worldSize < 1) throw new IllegalArgumentException("worldSize must be >= 1, got " + worldSize);
        if (rank < 0 || rank >= worldSize)
            throw new IllegalArgumentException("rank must be in 0.." + (worldSize - 1) + ", got " + rank);
        String where = "init of " + backend.pytorchName() + " rank " + rank + " of " + worldSize;
        // A prefix keeps the group's rendezvous keys apart from the user's own keys on the same store. The
        // backend keeps its own intrusive_ptr reference to it; only our Java handle is closed here (see Store).
        try (org.bytedeco.pytorch.Store prefixed = store.shared("torch4j/default_pg")) {
            org.bytedeco.pytorch.Backend h = switch (backend) {
                case GLOO -> gloo(prefixed, rank, worldSize, store, timeout);
                case NCCL -> Nccl.create(prefixed, rank, worldSize, timeout);
            };
            return new ProcessGroup(backend, rank, worldSize, timeout, store, ownsStore, h);
        } catch (RuntimeException e) {
            if (!C10d.isNative(e)) throw e;
            String m = C10d.clean(e.getMessage());
            throw new DistributedException(where + " failed: " + m + C10d.hint(m), e);
        }
    }

    private static org.bytedeco.pytorch.Backend gloo(org.bytedeco.pytorch.Store store, int rank, int worldSize, Store user,
            Duration timeout) {
        try (Milliseconds ms = C10d.millis(timeout);
                ProcessGroupGloo.Options o = new ProcessGroupGloo.Options(ms);
                org.bytedeco.pytorch.gloo.Device dev = glooDevice(user);
                GlooDeviceVector devs = new GlooDeviceVector(dev)) {
            o.devices(devs);
            // Gloo's default is 2 threads per group; collectives here run one at a time from one Java thread.
            o.threads(2);
            return new ProcessGroupGloo(store, rank, worldSize, o);
        }
    }

    private static org.bytedeco.pytorch.gloo.Device glooDevice(Store store) {
        String ifname = System.getenv("GLOO_SOCKET_IFNAME");
        if (ifname != null && !ifname.isBlank()) return ProcessGroupGloo.createDeviceForInterface(ifname.strip());
        if (store.host() != null && isLoopback(store.host())) return ProcessGroupGloo.createDeviceForHostname("127.0.0.1");
        return ProcessGroupGloo.createDefaultDevice();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ properties

    public Backend backend() {
        return backend;
    }

    public int rank() {
        return rank;
    }

    public int worldSize() {
        return worldSize;
    }

    /** The default timeout of collectives (the one given at init). */
    public Duration timeout() {
        return timeout;
    }

    /** The store the group met through (borrowed; owned by the group when made by {@link #fromEnv}). */
    public Store store() {
        return store;
    }

    // ------------------------------------------------------------------ collectives

    /** {@link #allReduce(Tensor, ReduceOp, Duration)} with the group's timeout. */
    public Tensor allReduce(Tensor tensor, ReduceOp op) {
        return allReduce(tensor, op, timeout);
    }

    /**
     * Reduces {@code tensor} over all ranks with {@code op} and writes the result into it on every rank
     * ({@code dist.all_reduce}). Returns {@code tensor}.
     */
    public Tensor allReduce(Tensor tensor, ReduceOp op, Duration timeout) {
        startAllReduce(tensor, op, timeout).await();
        return tensor;
    }

    /** Starts an in-place all-reduce of a contiguous tensor; the caller awaits it before touching the tensor. */
    Pending startAllReduce(Tensor tensor, ReduceOp op, Duration timeout) {
        Objects.requireNonNull(op, "op");
        checkTensor(tensor, "tensor");
        C10d.checkTimeout(timeout);
        if (op == ReduceOp.AVG && !tensor.isFloatingPoint())
            throw new IllegalArgumentException("allReduce: ReduceOp.AVG needs a floating point tensor, got " + tensor.dtype());
        Dense d = Dense.of(tensor);
        try (Milliseconds ms = C10d.millis(timeout);
                org.bytedeco.pytorch.ReduceOp rop = new org.bytedeco.pytorch.ReduceOp(op.nativeType());
                AllreduceOptions o = new AllreduceOptions();
                TensorVector v = new TensorVector(d.work.unwrap())) {
            o.reduceOp(rop).timeout(ms);
            return start("allReduce(" + op + ")", timeout, () -> h().allreduce(v, o), d);
        } catch (RuntimeException e) {
            d.abandon();
            throw e;
        }
    }

    /** {@link #broadcast(Tensor, int, Duration)} with the group's timeout. */
    public Tensor broadcast(Tensor tensor, int src) {
        return broadcast(tensor, src, timeout);
    }

    /** Copies rank {@code src}'s {@code tensor} into {@code tensor} on every other rank ({@code dist.broadcast}). */
    public Tensor broadcast(Tensor tensor, int src, Duration timeout) {
        checkTensor(tensor, "tensor");
        checkRank(src, "src");
        C10d.checkTimeout(timeout);
        Dense d = Dense.of(tensor);
        try (Milliseconds ms = C10d.millis(timeout);
                BroadcastOptions o = new BroadcastOptions();
                TensorVector v = new TensorVector(d.work.unwrap())) {
            o.rootRank(src).rootTensor(0).timeout(ms);
            start("broadcast(src=" + src + ")", timeout, () -> h().broadcast(v, o), d).await();
        } catch (RuntimeException e) {
            d.abandon();
            throw e;
        }
        return tensor;
    }

    /** {@link #allGather(List, Tensor, Duration)} with the group's timeout. */
    public void allGather(List<Tensor> out, Tensor tensor) {
        allGather(out, tensor, timeout);
    }

    /**
     * Gathers every rank's {@code tensor} into {@code out} on every rank: {@code out.get(r)} receives rank
     * {@code r}'s tensor ({@code dist.all_gather(tensor_list, tensor)}).
     *
     * @param out {@code worldSize} tensors with the shape, dtype and device of {@code tensor} (written in place)
     */
    public void allGather(List<Tensor> out, Tensor tensor, Duration timeout) {
        checkTensor(tensor, "tensor");
        checkList(out, "out", tensor);
        C10d.checkTimeout(timeout);
        long[] shape = tensor.shape();
        long n = tensor.numel();
        try (Tensor flat = C10d.emptyLike(tensor, worldSize * n);
                Tensor in = tensor.reshape(-1);
                Milliseconds ms = C10d.millis(timeout);
                AllgatherOptions o = new AllgatherOptions()) {
            o.timeout(ms);
            start("allGather", timeout, () -> h()._allgather_base(flat.unwrap(), in.unwrap(), o), null).await();
            for (int r = 0; r < worldSize; r++) {
                try (Tensor part = flat.narrow(0, r * n, n); Tensor view = part.view(shape)) {
                    out.get(r).copy_(view);
                }
            }
        }
    }

    /** {@link #reduceScatter(Tensor, List, ReduceOp, Duration)} with the group's timeout. */
    public Tensor reduceScatter(Tensor out, List<Tensor> in, ReduceOp op) {
        return reduceScatter(out, in, op, timeout);
    }

    /**
     * Reduces {@code in.get(r)} over all ranks with {@code op} and writes the result into {@code out} on rank
     * {@code r} ({@code dist.reduce_scatter(output, input_list, op)}). Returns {@code out}.
     *
     * @param in {@code worldSize} tensors with the shape, dtype and device of {@code out}
     */
    public Tensor reduceScatter(Tensor out, List<Tensor> in, ReduceOp op, Duration timeout) {
        Objects.requireNonNull(op, "op");
        checkTensor(out, "out");
        checkList(in, "in", out);
        C10d.checkTimeout(timeout);
        if (op == ReduceOp.AVG && !out.isFloatingPoint())
            throw new IllegalArgumentException("reduceScatter: ReduceOp.AVG needs a floating point tensor, got " + out.dtype());
        List<Tensor> flats = new ArrayList<>(worldSize);
        try {
            for (Tensor t : in) flats.add(t.reshape(-1));
            Dense d = Dense.of(out);
            try (Tensor flat = Torch.cat(flats, 0);
                    Milliseconds ms = C10d.millis(timeout);
                    org.bytedeco.pytorch.ReduceOp rop = new org.bytedeco.pytorch.ReduceOp(op.nativeType());
                    ReduceScatterOptions o = new ReduceScatterOptions()) {
                o.reduceOp(rop).timeout(ms);
                start("reduceScatter(" + op + ")", timeout,
                        () -> h()._reduce_scatter_base(d.work.unwrap(), flat.unwrap(), o), d).await();
            } catch (RuntimeException e) {
                d.abandon();
                throw e;
            }
        } finally {
            for (Tensor t : flats) t.close();
        }
        return out;
    }

    /** {@link #barrier(Duration)} with the group's timeout. */
    public void barrier() {
        barrier(timeout);
    }

    /** Blocks until every rank has reached this barrier ({@code dist.barrier}). */
    public void barrier(Duration timeout) {
        C10d.checkTimeout(timeout);
        try (Milliseconds ms = C10d.millis(timeout); BarrierOptions o = new BarrierOptions()) {
            o.timeout(ms);
            start("barrier", timeout, () -> h().barrier(o), null).await();
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** A started collective: {@link #await()} blocks until it completes, then copies results back. */
    final class Pending {
        private final String what;
        private final Duration timeout;
        private final Work work;
        private final Dense dense;

        Pending(String what, Duration timeout, Work work, Dense dense) {
            this.what = what;
            this.timeout = timeout;
            this.work = work;
            this.dense = dense;
        }

        void await() {
            // Gloo enforces the op timeout itself and reports it with the peer's address; the extra
            // margin here only catches a backend that does not.
            try (Milliseconds ms = C10d.millis(timeout.plusSeconds(5))) {
                if (!work._wait(ms)) throw fail(what, "did not complete within " + timeout, null);
                if (dense != null) dense.finish();
            } catch (RuntimeException e) {
                if (dense != null) dense.abandon();
                if (!C10d.isNative(e)) throw e;
                throw fail(what, C10d.clean(e.getMessage()), e);
            } finally {
                work.close();
            }
        }
    }

    private Pending start(String what, Duration timeout, java.util.function.Supplier<Work> op, Dense dense) {
        checkUsable(what);
        try {
            return new Pending(what, timeout, op.get(), dense);
        } catch (RuntimeException e) {
            if (!C10d.isNative(e)) throw e;
            throw fail(what, C10d.clean(e.getMessage()), e);
        }
    }

    private DistributedException fail(String what, String nativeMessage, Throwable cause) {
        String m = what + " failed on rank " + rank + " of " + worldSize + " (" + backend.pytorchName() + ", timeout "
                + timeout + "): " + nativeMessage + C10d.hint(nativeMessage);
        if (failure == null) failure = m;
        return new DistributedException(m, cause);
    }

    private void checkUsable(String what) {
        h();
        if (failure != null)
            throw new DistributedException(what + " on rank " + rank + ": process group is unusable after an earlier failure: "
                    + failure);
    }

    private org.bytedeco.pytorch.Backend h() {
        org.bytedeco.pytorch.Backend x = h;
        if (x == null) throw new IllegalStateException("process group is closed");
        return x;
    }

    private void checkTensor(Tensor t, String name) {
        if (t == null) throw new NullPointerException(name + " must not be null");
        if (t.isClosed()) throw new IllegalStateException(name + " is a closed tensor");
        Device dev = t.device();
        if (backend == Backend.NCCL && !dev.isCuda())
            throw new IllegalArgumentException(name + ": the NCCL backend needs CUDA tensors, got a tensor on " + dev);
        if (backend == Backend.GLOO && dev.isCuda())
            throw new IllegalArgumentException(name + ": this Gloo backend (CPU build) needs CPU tensors, got a tensor on "
                    + dev + "; use Backend.NCCL for CUDA tensors");
    }

    private void checkList(List<Tensor> list, String name, Tensor like) {
        Objects.requireNonNull(list, name);
        if (list.size() != worldSize)
            throw new IllegalArgumentException(name + ": expected worldSize = " + worldSize + " tensors, got " + list.size());
        for (int i = 0; i < list.size(); i++) {
            Tensor t = list.get(i);
            checkTensor(t, name + "[" + i + "]");
            if (!Arrays.equals(t.shape(), like.shape()) || t.dtype() != like.dtype() || !t.device().equals(like.device()))
                throw new IllegalArgumentException(name + "[" + i + "]: expected shape " + Arrays.toString(like.shape()) + " "
                        + like.dtype() + " on " + like.device() + ", got " + Arrays.toString(t.shape()) + " " + t.dtype()
                        + " on " + t.device());
        }
    }

    private void checkRank(int r, String name) {
        if (r < 0 || r >= worldSize)
            throw new IllegalArgumentException(name + " must be a rank in 0.." + (worldSize - 1) + ", got " + r);
    }

    /** Frees the group (and the store when the group made it). Idempotent. */
    @Override
    public void close() {
        org.bytedeco.pytorch.Backend x = h;
        if (x == null) return;
        h = null;
        x.close();
        if (ownsStore) store.close();
    }

    public boolean isClosed() {
        return h == null;
    }

    @Override
    public String toString() {
        return "ProcessGroup(" + backend.pytorchName() + ", rank " + rank + " of " + worldSize + ")";
    }

    /**
     * The tensor a collective works on: the user's tensor when it is contiguous, else a contiguous copy
     * written back when the collective succeeds.
     */
    static final class Dense {
        final Tensor user;
        final Tensor work;

        private Dense(Tensor user, Tensor work) {
            this.user = user;
            this.work = work;
        }

        static Dense of(Tensor t) {
            return new Dense(t, t.isContiguous() ? t : t.contiguous());
        }

        void finish() {
            if (work != user) {
                user.copy_(work);
                work.close();
            }
        }

        void abandon() {
            if (work != user) work.close();
        }
    }
}
