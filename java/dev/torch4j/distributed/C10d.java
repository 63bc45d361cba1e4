package dev.torch4j.distributed;

import java.time.Duration;
import java.util.regex.Pattern;

import org.bytedeco.javacpp.chrono.Milliseconds;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * The one place where this package meets the Bytedeco c10d mapping: loading, durations, and turning the
 * plain {@code RuntimeException}s JavaCPP makes of C++ exceptions into {@link DistributedException}s.
 */
final class C10d {
    static {
        // Loads LibTorch the torch4j way (dev.torch4j.Native) before any c10d class is touched.
        Torch.isGradEnabled();
    }

    private static final Pattern BACKTRACE = Pattern.compile("\\n?Exception raised from .*", Pattern.DOTALL);
    /** Gloo prefixes its messages with the C++ source location: {@code [/path/to/pair.cc:547] }. */
    private static final Pattern SOURCE_LOCATION = Pattern.compile("\\[/[^\\]]*\\.(cc|cpp|h):\\d+\\] ");

    private C10d() {}

    static void init() {}

    static Milliseconds millis(Duration d) {
        return new Milliseconds(Math.max(1, d.toMillis()));
    }

    /** The native message without backtrace or source locations. */
    static String clean(String message) {
        if (message == null) return "(no message)";
        String m = BACKTRACE.matcher(message).replaceFirst("");
        m = SOURCE_LOCATION.matcher(m).replaceAll("");
        return m.strip();
    }

    /** True for the exceptions JavaCPP raises for C++ exceptions (plain RuntimeException). */
    static boolean isNative(RuntimeException e) {
        return e.getClass() == RuntimeException.class;
    }

    /** Adds a hint for the causes users meet most: a dead peer, a timeout. */
    static String hint(String nativeMessage) {
        String m = nativeMessage.toLowerCase(java.util.Locale.ROOT);
        if (m.contains("closed by peer") || m.contains("connection reset") || m.contains("broken pipe")
                || m.contains("connection refused"))
            return " (a peer process probably died or closed its process group)";
        if (m.contains("timed out") || m.contains("timeout"))
            return " (a peer did not take part in time: it may have died, hung, or be running a different collective)";
        return "";
    }

    /** A new 1-d tensor of {@code n} elements with the dtype and device of {@code like}. */
    static Tensor emptyLike(Tensor like, long n) {
        Tensor cpu = Torch.empty(new long[] {n}, like.dtype());
        if (!like.device().isCuda()) return cpu;
        try (cpu) {
            return cpu.to(like.device());
        }
    }

    static void checkTimeout(Duration timeout) {
        if (timeout == null) throw new NullPointerException("timeout must not be null");
        if (timeout.isNegative() || timeout.isZero())
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
}
