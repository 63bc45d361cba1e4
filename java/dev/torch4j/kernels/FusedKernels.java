package dev.torch4j.kernels;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * The switch that lets models use torch4j's fused kernels ({@link Kernels}) on their inference paths, and the rule
 * for when they apply. Models (GPT-2, BERT) take a fused path only when {@link #enabled()} and
 * {@link #applies(Tensor...)} both hold; otherwise the LibTorch composite runs, exactly as without this class.
 *
 * <p>Default: enabled, unless the system property {@code torch4j.fusedKernels} is {@code false} when this class
 * loads. {@link #setEnabled(boolean)} changes it for the whole process (a volatile flag, read once per fused site).
 */
public final class FusedKernels {
    /** The system property read once at class load ({@code -Dtorch4j.fusedKernels=false} turns the kernels off). */
    public static final String PROPERTY = "torch4j.fusedKernels";

    private static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());

    private FusedKernels() {}

    /** Whether models may use the fused kernels. Default: true (see {@link #PROPERTY}). */
    public static boolean enabled() {
        return enabled;
    }

    /** Turns the fused inference kernels on or off for the whole process; returns the previous setting. */
    public static boolean setEnabled(boolean on) {
        boolean old = enabled;
        enabled = on;
        return old;
    }

    /**
     * True when the switch is on and a fused CPU kernel may replace the composite on these tensors: all are CPU
     * float32 and contiguous, and no autograd graph is being recorded (grad mode off, or none of them requires grad).
     * Null entries are skipped.
     */
    public static boolean applies(Tensor... tensors) {
        return enabled && cpuFloat32WithoutGraph(true, tensors);
    }

    /**
     * As {@link #applies(Tensor...)}, for {@link Kernels#linear}: also requires the CPU path that is faster than
     * LibTorch's matmul ({@link Kernels#linearIsFast()}).
     */
    public static boolean appliesToLinear(Tensor... tensors) {
        return applies(tensors) && Kernels.linearIsFast();
    }

    /**
     * Whether {@link Kernels#attention} may replace LibTorch's attention on these CPU float32 tensors: the switch is on,
     * the CPU has the fast path ({@link Kernels#linearIsFast()}), each tensor's last dimension is contiguous (views are
     * fine) and no autograd graph is being recorded.
     */
    public static boolean appliesToAttention(Tensor... tensors) {
        return enabled && Kernels.linearIsFast() && cpuFloat32WithoutGraph(false, tensors);
    }

    // Every non-null tensor is CPU float32, contiguous (or, when !whole, with a contiguous last dimension), and none
    // requires grad while grad mode records.
    private static boolean cpuFloat32WithoutGraph(boolean whole, Tensor... tensors) {
        boolean recording = Torch.isGradEnabled();
        for (Tensor t : tensors) {
            if (t == null) continue;
            if (t.dtype() != DType.FLOAT32 || t.device().isCuda()) return false;
            if (whole ? !t.isContiguous() : t.numel() > 0 && t.strides()[t.dim() - 1] != 1) return false;
            if (recording && t.requiresGrad()) return false;
        }
        return true;
    }
}
