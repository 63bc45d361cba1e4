package dev.torch4j.kernels;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.TorchException;

import org.bytedeco.javacpp.Pointer;

/**
 * torch4j's own native kernels on LibTorch tensors. Every argument is checked here (dtype, device,
 * contiguity, closed handles) before native code runs; a failing kernel raises {@link TorchException}
 * with its message.
 */
public final class Kernels {
    private static final int ABI_VERSION = 1;

    static {
        int v = NativeKernels.t4j_abi_version();
        if (v != ABI_VERSION)
            throw new TorchException("libtorch4j ABI version " + v + " does not match the Java binding (" + ABI_VERSION + ")");
    }

    private Kernels() {}

    /** True when the native library was compiled with its CUDA kernels. */
    public static boolean builtWithCuda() {
        return NativeKernels.t4j_built_with_cuda() != 0;
    }

    /** The CPU code path chosen at load time: {@code "avx512"}, {@code "avx2"} or {@code "scalar"}. */
    public static String cpuIsa() {
        return NativeKernels.t4j_cpu_isa();
    }

    /**
     * tanh-approximated GELU, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, the same function as
     * {@code x.gelu("tanh")}; float32, any shape. Returns a new contiguous tensor on x's device. Runs
     * outside autograd: x must not require grad (use {@code x.gelu("tanh")} when training).
     */
    public static Tensor geluTanh(Tensor x) {
        check(x, "x");
        if (x.requiresGrad())
            throw new IllegalArgumentException("x: geluTanh has no backward; x must not require grad (use x.gelu(\"tanh\"))");
        try (Tensor src = x.contiguous()) {
            Tensor out = dev.torch4j.Torch.emptyLike(src);
            try {
                run(src, out);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
    }

    /** In-place tanh-GELU on a contiguous float32 tensor; returns x. */
    public static Tensor geluTanh_(Tensor x) {
        check(x, "x");
        if (!x.isContiguous()) throw new IllegalArgumentException("x: expected a contiguous tensor for the in-place kernel");
        if (x.requiresGrad()) throw new IllegalArgumentException("x: in-place kernel on a tensor that requires grad");
        run(x, x);
        return x;
    }

    private static void check(Tensor x, String name) {
        if (x == null) throw new NullPointerException(name + " must not be null");
        if (x.isClosed()) throw new IllegalStateException(name + " is a closed tensor");
        if (x.dtype() != DType.FLOAT32)
            throw new IllegalArgumentException(name + ": expected dtype torch.float32, got " + x.dtype().pytorchName());
    }

    private static void run(Tensor src, Tensor dst) {
        long n = src.numel();
        if (n == 0) return;
        Pointer in = src.unwrap().data_ptr();
        Pointer out = dst.unwrap().data_ptr();
        int status = src.device().isCuda()
                ? NativeKernels.t4j_gelu_tanh_f32_cuda(in, out, n, CudaStreams.current(src))
                : NativeKernels.t4j_gelu_tanh_f32_cpu(in, out, n, null);
        if (status != 0) throw new TorchException("geluTanh: " + NativeKernels.t4j_last_error() + " (status " + status + ")");
    }
}
