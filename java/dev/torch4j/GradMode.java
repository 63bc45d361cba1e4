package dev.torch4j;

import org.bytedeco.pytorch.AutoGradMode;

/**
 * A thread-local grad-mode guard from {@link Torch#noGrad()} or {@link Torch#enableGrad()}: while open,
 * autograd recording on this thread is off (or on); closing restores the previous mode. Must be closed
 * on the thread that opened it; closing twice is harmless.
 */
public final class GradMode implements AutoCloseable {
    private final Thread owner = Thread.currentThread();
    private AutoGradMode guard;

    GradMode(boolean enabled) {
        Native.init();
        this.guard = new AutoGradMode(enabled);
    }

    /** Whether autograd records operations on the calling thread. */
    public static boolean isEnabled() {
        Native.init();
        return org.bytedeco.pytorch.GradMode.is_enabled();
    }

    @Override
    public void close() {
        if (guard == null) return;
        if (Thread.currentThread() != owner)
            throw new IllegalStateException("grad-mode guard opened on thread '" + owner.getName()
                    + "' must be closed there, not on '" + Thread.currentThread().getName() + "'");
        AutoGradMode g = guard;
        guard = null;
        g.close();
    }
}
