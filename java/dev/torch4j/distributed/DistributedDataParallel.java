package dev.torch4j.distributed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.DType;
import dev.torch4j.GradMode;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.Module;

/**
 * Data-parallel training over a {@link ProcessGroup}, as PyTorch's
 * {@code torch.nn.parallel.DistributedDataParallel}: every rank holds a replica of the module, runs it on its
 * own share of the batch, and after backward the gradients are averaged over all ranks, so that every
 * replica takes the same optimizer step.
 *
 * <pre>{@code
 * try (ProcessGroup pg = ProcessGroup.fromEnv();
 *      DistributedDataParallel ddp = new DistributedDataParallel(new Mlp(), pg)) {
 *     SGD opt = new SGD(ddp.parameters(), new SGDOptions(0.1));
 *     for (...) {
 *         opt.zeroGrad();
 *         Tensor loss = lossFn.forward(ddp.forward(x), y);   // x, y: this rank's part of the batch
 *         ddp.backward(loss);                              // loss.backward() + gradient all-reduce
 *         opt.step();
 *     }
 * }
 * }</pre>
 *
 * <p>Construction copies rank 0's parameters and buffers to every rank and checks that all ranks hold the
 * same parameter shapes. Gradients are synchronized by {@link #backward} (or an explicit
 * {@link #syncGradients()}): the gradients are copied into flat buckets of about
 * {@link DistributedDataParallelOptions#bucketCapMb} MiB (parameters in reverse registration order, one
 * dtype and device per bucket, as PyTorch), each bucket is divided by the world size and all-reduced (sum),
 * all buckets in flight at once, and the averages are copied back into the gradients. PyTorch overlaps this
 * with backward through autograd hooks; here it runs right after backward.
 *
 * <p>Every parameter that requires grad must get a gradient on every rank (PyTorch's default
 * {@code find_unused_parameters=False}); a missing one throws {@link IllegalStateException} naming it.
 *
 * <p>The wrapped module is registered as child {@code "module"}, so state-dict keys carry the
 * {@code module.} prefix as in PyTorch; {@link #module()} gives the bare module (save its state dict for a
 * checkpoint without the prefix). Closing this closes the module. Move the module to its device before
 * wrapping it.
 */
public final class DistributedDataParallel extends Module {
    private final Module module;
    private final ProcessGroup group;
    private final DistributedDataParallelOptions options;
    private final List<Bucket> buckets;
    private int noSyncDepth;

    /** Wraps {@code module} with default options. */
    public DistributedDataParallel(Module module, ProcessGroup group) {
        this(module, group, new DistributedDataParallelOptions());
    }

    public DistributedDataParallel(Module module, ProcessGroup group, DistributedDataParallelOptions options) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(options, "options");
        if (group.isClosed()) throw new IllegalStateException("group is closed");
        this.group = group;
        this.options = options;
        this.module = registerModule("module", module);
        List<Map.Entry<String, Tensor>> params = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : module.namedParameters().entrySet())
            if (e.getValue() != null && e.getValue().requiresGrad()) params.add(e);
        Collections.reverse(params);
        this.buckets = makeBuckets(params, (long) (options.bucketCapMb() * 1024 * 1024));
        try {
            checkSameShapes(module);
            broadcastState();
        } catch (RuntimeException e) {
            for (Bucket b : buckets) b.close();
            throw e;
        }
    }

    /** The wrapped module (owned by this wrapper). */
    public Module module() {
        return module;
    }

    public ProcessGroup processGroup() {
        return group;
    }

    public DistributedDataParallelOptions options() {
        return options;
    }

    /** Number of gradient buckets. */
    public int bucketCount() {
        return buckets.size();
    }

    /**
     * Runs the module on this rank's input. In training mode with {@code broadcastBuffers}, rank 0's buffers
     * are first copied to every rank.
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        if (isTraining() && options.broadcastBuffers()) broadcastBuffers();
        return module.forward(input);
    }

    /**
     * {@code loss.backward()}, then the gradient all-reduce (unless inside {@link #noSync()}). Returns after
     * the averaged gradients are in place.
     */
    public void backward(Tensor loss) {
        checkOpen();
        loss.backward();
        if (noSyncDepth == 0) syncGradients();
    }

    /**
     * Averages the gradients over all ranks now (bucketed all-reduce). Every rank must call it the same
     * number of times.
     *
     * @throws IllegalStateException if a parameter that requires grad has no gradient
     * @throws DistributedException if the all-reduce fails (a peer died or timed out)
     */
    public void syncGradients() {
        checkOpen();
        double scale = 1.0 / group.worldSize();
        List<ProcessGroup.Pending> pending = new ArrayList<>(buckets.size());
        try (GradMode g = Torch.noGrad()) {
            RuntimeException failure = null;
            try {
                for (Bucket b : buckets) {
                    b.gather();
                    b.flat.mul_(scale);
                    pending.add(group.startAllReduce(b.flat, ReduceOp.SUM, group.timeout()));
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            // Await every started bucket, even after a failure, so no collective is left running on our buffers.
            for (ProcessGroup.Pending p : pending) {
                try {
                    p.await();
                } catch (RuntimeException e) {
                    if (failure == null) failure = e;
                    else if (failure != e) failure.addSuppressed(e);
                }
            }
            if (failure != null) throw failure;
            for (Bucket b : buckets) b.scatter();
        }
    }

    /**
     * A guard inside which {@link #backward} does not synchronize, for gradient accumulation
     * ({@code with ddp.no_sync():}). Gradients accumulate locally; the first {@code backward} after the guard
     * closes averages the accumulated sum.
     *
     * <pre>{@code
     * try (var guard = ddp.noSync()) {
     *     ddp.backward(loss1);      // local only
     * }
     * ddp.backward(loss2);          // averages grad(loss1) + grad(loss2) over ranks
     * }</pre>
     */
    public NoSync noSync() {
        checkOpen();
        noSyncDepth++;
        return new NoSync();
    }

    /** Closing it ends a {@link #noSync()} block. Idempotent. */
    public final class NoSync implements AutoCloseable {
        private boolean closed;

        private NoSync() {}

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            noSyncDepth--;
        }
    }

    /** Frees the buckets and the wrapped module. Idempotent. */
    @Override
    public void close() {
        if (isClosed()) return;
        for (Bucket b : buckets) b.close();
        super.close();
    }

    @Override
    protected String extraRepr() {
        return "rank=" + group.rank() + ", worldSize=" + group.worldSize() + ", buckets=" + buckets.size();
    }

    // ------------------------------------------------------------------ state broadcast and checks

    private void broadcastState() {
        try (GradMode g = Torch.noGrad()) {
            for (Bucket b : buckets) {
                b.gatherParams();
                group.broadcast(b.flat, 0);
                b.scatterParams();
            }
            broadcastBuffers();
        }
    }

    private void broadcastBuffers() {
        try (GradMode g = Torch.noGrad()) {
            for (Tensor buf : module.buffers()) if (buf != null) group.broadcast(buf, 0);
        }
    }

    /** All ranks must wrap the same architecture; a mismatch would otherwise corrupt every all-reduce. */
    private void checkSameShapes(Module m) {
        long count = 0, numel = 0, hash = 17;
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            if (e.getValue() == null) continue;
            count++;
            numel += e.getValue().numel();
            hash = hash * 31 + e.getKey().hashCode();
            hash = hash * 31 + Arrays.hashCode(e.getValue().shape());
        }
        long[] mine = {count, numel, hash};
        int w = group.worldSize();
        List<Tensor> all = new ArrayList<>(w);
        try (Tensor t = Torch.tensor(mine, 3)) {
            for (int r = 0; r < w; r++) all.add(Torch.zeros(new long[] {3}, DType.INT64));
            group.allGather(all, t);
            for (int r = 0; r < w; r++) {
                long[] theirs = all.get(r).toLongArray();
                if (!Arrays.equals(theirs, mine))
                    throw new IllegalStateException("DistributedDataParallel: rank " + r + " has " + theirs[0] + " parameters with "
                            + theirs[1] + " elements, rank " + group.rank() + " has " + mine[0] + " with " + mine[1]
                            + (theirs[0] == mine[0] && theirs[1] == mine[1] ? " (names or shapes differ)" : "")
                            + "; every rank must wrap the same model");
            }
        } finally {
            for (Tensor t : all) t.close();
        }
    }

    // ------------------------------------------------------------------ buckets

    private static List<Bucket> makeBuckets(List<Map.Entry<String, Tensor>> params, long capBytes) {
        List<Bucket> out = new ArrayList<>();
        List<Map.Entry<String, Tensor>> cur = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, Tensor> e : params) {
            Tensor p = e.getValue();
            boolean sameKind = cur.isEmpty() || (cur.get(0).getValue().dtype() == p.dtype()
                    && cur.get(0).getValue().device().equals(p.device()));
            if (!cur.isEmpty() && (!sameKind || bytes + p.nbytes() > capBytes)) {
                out.add(new Bucket(cur));
                cur = new ArrayList<>();
                bytes = 0;
            }
            cur.add(e);
            bytes += p.nbytes();
        }
        if (!cur.isEmpty()) out.add(new Bucket(cur));
        return out;
    }

    /** One flat buffer over several parameters' gradients, with a view of it per parameter. */
    private static final class Bucket {
        final List<String> names = new ArrayList<>();
        final List<Tensor> params = new ArrayList<>();
        final List<Tensor> views = new ArrayList<>();
        final Tensor flat;

        Bucket(List<Map.Entry<String, Tensor>> entries) {
            long n = 0;
            for (Map.Entry<String, Tensor> e : entries) n += e.getValue().numel();
            Tensor first = entries.get(0).getValue();
            flat = C10d.emptyLike(first, n);
            long off = 0;
            for (Map.Entry<String, Tensor> e : entries) {
                Tensor p = e.getValue();
                names.add(e.getKey());
                params.add(p);
                try (Tensor part = flat.narrow(0, off, p.numel())) {
                    views.add(part.view(p.shape()));
                }
                off += p.numel();
            }
        }

        /** Gradients into the flat buffer. */
        void gather() {
            for (int i = 0; i < params.size(); i++) {
                try (Tensor g = params.get(i).grad()) {
                    if (g == null)
                        throw new IllegalStateException("DistributedDataParallel: parameter '" + names.get(i)
                                + "' requires grad but got no gradient; every such parameter must take part in the loss on every rank");
                    views.get(i).copy_(g);
                }
            }
        }

        /** The averaged buffer back into the gradients. */
        void scatter() {
            for (int i = 0; i < params.size(); i++) {
                try (Tensor g = params.get(i).grad()) {
                    g.copy_(views.get(i));
                }
            }
        }

        void gatherParams() {
            for (int i = 0; i < params.size(); i++) views.get(i).copy_(params.get(i));
        }

        void scatterParams() {
            for (int i = 0; i < params.size(); i++) params.get(i).copy_(views.get(i));
        }

        void close() {
            for (Tensor v : views) v.close();
            flat.close();
        }
    }
}
