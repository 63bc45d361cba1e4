package dev.torch4j;

import java.util.Arrays;

/**
 * Closes, when it is closed, every tensor created on this thread while it was the innermost open scope,
 * except those handed out with {@link #keep}. Scopes nest; a kept tensor moves to the enclosing scope
 * (or, outside any scope, to the caller, who then owns it).
 *
 * <pre>{@code
 * try (Scope s = Torch.scope()) {
 *     Tensor y = x.mul(2).add(1);   // the temporary from mul is closed with the scope
 *     result = s.keep(y);          // survives the scope
 * }
 * }</pre>
 *
 * <p>A scope belongs to the thread that opened it; closing it from another thread throws
 * {@link IllegalStateException}. Closing twice is harmless.
 */
public final class Scope implements AutoCloseable {
    /**
     * Per-thread state, created once per thread and kept: opening a scope in a hot loop then costs one
     * ThreadLocal read and no map updates, and the tensor arrays of closed scopes are reused.
     */
    private static final class ThreadScopes {
        final Thread thread = Thread.currentThread();
        Scope current;
        Tensor[][] spare = new Tensor[4][];
        int spareCount;

        Tensor[] takeArray() {
            return spareCount > 0 ? spare[--spareCount] : new Tensor[16];
        }

        void giveArray(Tensor[] a) {
            if (a.length > 1024) return; // do not pin the storage of an unusually large scope
            if (spareCount == spare.length) spare = Arrays.copyOf(spare, spareCount * 2);
            spare[spareCount++] = a;
        }
    }

    private static final ThreadLocal<ThreadScopes> THREAD = ThreadLocal.withInitial(ThreadScopes::new);

    private final ThreadScopes owner;
    private final Scope parent;
    private Tensor[] tensors;
    private int size;
    private boolean closed;

    private Scope(ThreadScopes owner) {
        this.owner = owner;
        this.parent = owner.current;
        this.tensors = owner.takeArray();
    }

    static Scope open() {
        ThreadScopes t = THREAD.get();
        Scope s = new Scope(t);
        t.current = s;
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static Scope current() {
        return THREAD.get().current;
    }

    static void register(Tensor t) {
        Scope s = THREAD.get().current;
        if (s != null) {
            s.add(t);
            t.scope = s;
        }
    }

    /**
     * Takes {@code t} out of whichever open scope holds it (on this thread), so no scope will close it: the
     * caller becomes its owner. Modules use this for their parameters. Returns {@code t}; a tensor held by
     * no scope is returned as is.
     */
    public static <T extends Tensor> T release(T t) {
        Scope s = t.scope;
        if (s == null || s.closed) return t;
        s.checkOwner();
        s.remove(t);
        return t;
    }

    private boolean remove(Tensor t) {
        for (int i = size - 1; i >= 0; i--) {
            if (tensors[i] == t) {
                System.arraycopy(tensors, i + 1, tensors, i, size - i - 1);
                tensors[--size] = null;
                t.scope = null;
                return true;
            }
        }
        return false;
    }

    private void add(Tensor t) {
        if (size == tensors.length) tensors = Arrays.copyOf(tensors, size * 2);
        tensors[size++] = t;
    }

    /**
     * Takes {@code t} out of this scope so closing the scope leaves it open; it joins the enclosing scope
     * if there is one. Returns {@code t}.
     */
    public <T extends Tensor> T keep(T t) {
        checkOwner();
        if (closed) throw new IllegalStateException("scope is closed");
        if (!remove(t)) throw new IllegalArgumentException("keep: tensor was not created in this scope");
        if (parent != null && !parent.closed) {
            parent.add(t);
            t.scope = parent;
        }
        return t;
    }

    /** Number of tensors this scope will close. */
    public int size() {
        return size;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner.thread)
            throw new IllegalStateException("scope belongs to thread '" + owner.thread.getName() + "', used from '"
                    + Thread.currentThread().getName() + "'");
    }

    @Override
    public void close() {
        if (closed) return;
        checkOwner();
        // Inner scopes left open (an exception skipped their close) go first.
        while (owner.current != null && owner.current != this) {
            Scope inner = owner.current;
            inner.close();
            if (owner.current == inner) break; // inner was not on this thread's chain
        }
        closed = true;
        Tensor[] ts = tensors;
        for (int i = size - 1; i >= 0; i--) {
            ts[i].close();
            ts[i] = null;
        }
        size = 0;
        tensors = null;
        owner.giveArray(ts);
        if (owner.current == this) owner.current = parent;
    }
}
