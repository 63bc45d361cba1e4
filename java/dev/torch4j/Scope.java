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
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final Thread owner;
    private Tensor[] tensors = new Tensor[16];
    private int size;
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
        this.owner = Thread.currentThread();
    }

    static Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static Scope current() {
        return CURRENT.get();
    }

    static void register(Tensor t) {
        Scope s = CURRENT.get();
        if (s != null) s.add(t);
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
        for (int i = size - 1; i >= 0; i--) {
            if (tensors[i] == t) {
                System.arraycopy(tensors, i + 1, tensors, i, size - i - 1);
                tensors[--size] = null;
                if (parent != null && !parent.closed) parent.add(t);
                return t;
            }
        }
        throw new IllegalArgumentException("keep: tensor was not created in this scope");
    }

    /** Number of tensors this scope will close. */
    public int size() {
        return size;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner)
            throw new IllegalStateException("scope belongs to thread '" + owner.getName() + "', used from '"
                    + Thread.currentThread().getName() + "'");
    }

    @Override
    public void close() {
        if (closed) return;
        checkOwner();
        // Inner scopes left open (an exception skipped their close) go first.
        Scope cur = CURRENT.get();
        while (cur != null && cur != this) {
            cur.close();
            cur = CURRENT.get();
        }
        closed = true;
        for (int i = size - 1; i >= 0; i--) {
            tensors[i].close();
            tensors[i] = null;
        }
        size = 0;
        if (CURRENT.get() == this) {
            if (parent == null) CURRENT.remove();
            else CURRENT.set(parent);
        }
    }
}
