package dev.torch4j.kernels;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.TorchException;

import org.bytedeco.javacpp.Pointer;

/**
 * torch4j's own native kernels on LibTorch tensors. Every argument is checked here (dtype, device,
 * contiguity, closed handles) before native code runs; a failing kernel raises {@link TorchException}
 * with its message.
 */
public final class Kernels {
    private static final int ABI_VERSION = 4;

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

    /**
     * The CPU code path chosen at load time: {@code "avx512_vnni"} (AVX-512 with VNNI: {@link #int8Linear} quantizes
     * activations, see {@link Int8Weights}), {@code "avx512"}, {@code "avx2"} or {@code "scalar"}. The environment
     * variable {@code T4J_CPU_ISA} (avx512, avx2, scalar) lowers it.
     */
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
            Tensor out = Torch.emptyLike(src);
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

    // ------------------------------------------------------------------ fused bias + GELU

    /**
     * Fused {@code gelu(x + bias)}: x float32 {@code [..., cols]}, bias float32 {@code [cols]}, on one device;
     * approximate {@code "none"} (exact, {@code z Phi(z)}) or {@code "tanh"}, as {@code x.add(bias).gelu(approximate)}.
     * Returns a new contiguous tensor of x's shape. Large CPU inputs are split by rows over up to
     * {@link Torch#getNumThreads()} threads of the kernels' own pool. Inference only: when x or bias requires grad this throws
     * {@link IllegalArgumentException}; training code uses the LibTorch composite {@code x.add(bias).gelu(approximate)}
     * or calls {@link #biasGeluBackward} itself.
     */
    public static Tensor biasGelu(Tensor x, Tensor bias, String approximate) {
        int approx = approximateCode(approximate);
        long cols = checkRowsAndVector("biasGelu", x, "x", bias, "bias");
        noGrad("biasGelu", x, "x", "x.add(bias).gelu(approximate)");
        noGrad("biasGelu", bias, "bias", "x.add(bias).gelu(approximate)");
        Tensor xc = contiguous(x), bc = null;
        try {
            bc = contiguous(bias);
            long rows = rowsOf(xc);
            Tensor y = Torch.emptyLike(xc);
            Pointer xp = ptr(xc), bp = ptr(bc), yp = ptr(y);
            return guarded(y, () -> status("biasGelu", isCuda(xc)
                    ? NativeKernels.t4j_bias_gelu_f32_cuda(xp, bp, yp, rows, cols, approx, 1, CudaStreams.current(xc))
                    : NativeKernels.t4j_bias_gelu_f32_cpu(xp, bp, yp, rows, cols, approx, threads(), null)));
        } finally {
            closeCopy(xc, x);
            closeCopy(bc, bias);
        }
    }

    /**
     * Backward of {@link #biasGelu}: {@code dx = dy * gelu'(x + bias)}, of x's shape (dy has x's shape).
     * The bias gradient is the sum of dx over all leading dimensions; use {@link #biasGeluBackwardWithBiasGrad}
     * to get it from the same pass.
     */
    public static Tensor biasGeluBackward(Tensor dy, Tensor x, Tensor bias, String approximate) {
        try (BiasGeluGrads g = biasGeluBackward(dy, x, bias, approximate, false)) {
            return g.takeDx();
        }
    }

    /** As {@link #biasGeluBackward}, also returning {@code dbias = dx.sum over leading dims} ({@code [cols]}). */
    public static BiasGeluGrads biasGeluBackwardWithBiasGrad(Tensor dy, Tensor x, Tensor bias, String approximate) {
        return biasGeluBackward(dy, x, bias, approximate, true);
    }

    private static BiasGeluGrads biasGeluBackward(Tensor dy, Tensor x, Tensor bias, String approximate, boolean withBias) {
        int approx = approximateCode(approximate);
        long cols = checkRowsAndVector("biasGeluBackward", x, "x", bias, "bias");
        checkFloat(dy, "dy", DType.FLOAT32);
        sameShape("biasGeluBackward", dy, "dy", x, "x");
        sameDevice("biasGeluBackward", dy, "dy", x, "x");
        for (Tensor t : new Tensor[] {dy, x, bias})
            noGrad("biasGeluBackward", t, t == dy ? "dy" : t == x ? "x" : "bias", "autograd on x.add(bias).gelu(approximate)");
        Tensor dyc = contiguous(dy), xc = null, bc = null;
        try {
            xc = contiguous(x);
            bc = contiguous(bias);
            long rows = rowsOf(xc);
            Tensor dx = Torch.emptyLike(xc);
            Tensor db = null;
            try {
                db = withBias ? Torch.emptyLike(bc) : null;
                Pointer dbp = db == null ? null : ptr(db);
                status("biasGeluBackward", isCuda(xc)
                        ? NativeKernels.t4j_bias_gelu_backward_f32_cuda(ptr(dyc), ptr(xc), ptr(bc), ptr(dx), dbp, rows, cols, approx,
                                CudaStreams.current(xc))
                        : NativeKernels.t4j_bias_gelu_backward_f32_cpu(ptr(dyc), ptr(xc), ptr(bc), ptr(dx), dbp, rows, cols, approx,
                                null));
                return new BiasGeluGrads(dx, db);
            } catch (RuntimeException e) {
                dx.close();
                if (db != null) db.close();
                throw e;
            }
        } finally {
            closeCopy(dyc, dy);
            closeCopy(xc, x);
            closeCopy(bc, bias);
        }
    }

    // ------------------------------------------------------------------ fused residual add + LayerNorm

    /**
     * Fused {@code layerNorm(x + residual)} over the last dimension: {@code (s - mean) / sqrt(var + eps) * gamma + beta}
     * with {@code s = x + residual} and the biased variance, as
     * {@code F.layerNorm(x.add(residual), new long[] {cols}, gamma, beta, eps)}. x and residual are {@code [..., cols]},
     * gamma and beta {@code [cols]}, all float32 or all bfloat16 (bf16 in and out, float32 math) on one device.
     * Large CPU inputs are split by rows over up to {@link Torch#getNumThreads()} threads of the kernels' own pool.
     * Inference only: no argument may require grad (training uses the composite).
     */
    public static Tensor addLayerNorm(Tensor x, Tensor residual, Tensor gamma, Tensor beta, double eps) {
        try (AddLayerNormResult r = addLayerNorm(x, residual, gamma, beta, eps, false)) {
            return r.takeOut();
        }
    }

    /** As {@link #addLayerNorm}, also returning {@code sum = x + residual} (the next block's residual). */
    public static AddLayerNormResult addLayerNormWithSum(Tensor x, Tensor residual, Tensor gamma, Tensor beta, double eps) {
        return addLayerNorm(x, residual, gamma, beta, eps, true);
    }

    private static AddLayerNormResult addLayerNorm(Tensor x, Tensor residual, Tensor gamma, Tensor beta, double eps,
                                                   boolean withSum) {
        long[] xs = plainFloat32CpuShape(x, residual, gamma, beta, eps);
        DType dt = DType.FLOAT32;
        if (xs == null) {
            if (x == null) throw new NullPointerException("x must not be null");
            if (x.isClosed()) throw new IllegalStateException("x is a closed tensor");
            dt = isFloat32(x) ? DType.FLOAT32 : x.dtype();
            if (dt != DType.FLOAT32 && dt != DType.BFLOAT16)
                throw new IllegalArgumentException("x: expected dtype torch.float32 or torch.bfloat16, got " + dt.pytorchName());
            checkFloat(residual, "residual", dt);
            long cols = checkRowsAndVector("addLayerNorm", x, "x", gamma, "gamma", dt);
            checkFloat(beta, "beta", dt);
            sameShape("addLayerNorm", residual, "residual", x, "x");
            if (beta.dim() != 1 || beta.size(0) != cols) sameShape("addLayerNorm", beta, "beta", gamma, "gamma");
            sameDevice("addLayerNorm", residual, "residual", x, "x");
            sameDevice("addLayerNorm", beta, "beta", x, "x");
            if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("eps: expected a finite value >= 0, got " + eps);
            String composite = "F.layerNorm(x.add(residual), ...)";
            noGrad("addLayerNorm", x, "x", composite);
            noGrad("addLayerNorm", residual, "residual", composite);
            noGrad("addLayerNorm", gamma, "gamma", composite);
            noGrad("addLayerNorm", beta, "beta", composite);
            xs = x.shape();
        }
        long cols = xs[xs.length - 1], rows = numelOf(java.util.Arrays.copyOf(xs, xs.length - 1));
        Tensor xc = contiguous(x), rc = null, gc = null, bc = null;
        try {
            rc = contiguous(residual);
            gc = contiguous(gamma);
            bc = contiguous(beta);
            Tensor out = Torch.emptyLike(xc);
            Tensor sum = null;
            try {
                sum = withSum ? Torch.emptyLike(xc) : null;
                Pointer xp = ptr(xc), rp = ptr(rc), gp = ptr(gc), bp = ptr(bc), op = ptr(out), sp = sum == null ? null : ptr(sum);
                boolean cuda = isCuda(xc);
                Pointer stream = cuda ? CudaStreams.current(xc) : null;
                int threads = cuda ? 1 : threads();
                float e = (float) eps;
                int st;
                if (dt == DType.FLOAT32)
                    st = cuda ? NativeKernels.t4j_add_layernorm_f32_cuda(xp, rp, gp, bp, op, sp, rows, cols, e, threads, stream)
                              : NativeKernels.t4j_add_layernorm_f32_cpu(xp, rp, gp, bp, op, sp, rows, cols, e, threads, null);
                else
                    st = cuda ? NativeKernels.t4j_add_layernorm_bf16_cuda(xp, rp, gp, bp, op, sp, rows, cols, e, threads, stream)
                              : NativeKernels.t4j_add_layernorm_bf16_cpu(xp, rp, gp, bp, op, sp, rows, cols, e, threads, null);
                status("addLayerNorm", st);
                return new AddLayerNormResult(out, sum);
            } catch (RuntimeException ex) {
                out.close();
                if (sum != null) sum.close();
                throw ex;
            }
        } finally {
            closeCopy(xc, x);
            closeCopy(rc, residual);
            closeCopy(gc, gamma);
            closeCopy(bc, beta);
        }
    }

    // ------------------------------------------------------------------ int8 weight-only linear

    /**
     * {@code x @ dequantized(w)^T + bias} with int8 weights (see {@link Int8Weights}): x float32 {@code [..., in]},
     * bias float32 {@code [out]} or null; returns float32 {@code [..., out]}. Two CPU paths: when
     * {@link Int8Weights#quantizesActivations()} (packed weights on a CPU with AVX-512 VNNI) each row of x is quantized
     * to uint8 and multiplied in int32, within {@code scales[o] sx[r] / 2 sum_k |q[o, k]|} of the exact result (see
     * {@link Int8Weights} for the error model); otherwise weights are dequantized exactly and accumulated in float32,
     * so the result differs from {@code x.matmul(w.dequantize().t())} only by summation order (CUDA always does this).
     * The CPU kernel uses up to {@link Torch#getNumThreads()} threads of its own persistent pool.
     * Inference only: x and bias must not require grad while grad mode is on.
     */
    public static Tensor int8Linear(Tensor x, Int8Weights w, Tensor bias) {
        if (w == null) throw new NullPointerException("w must not be null");
        checkFloat(x, "x", DType.FLOAT32);
        Tensor q = w.weight(), scales = w.scales(), packed = w.packed();
        long in = w.inFeatures(), out = w.outFeatures();
        if (x.dim() < 1 || x.size(-1) != in)
            throw new IllegalArgumentException("x: expected shape [..., " + in + "] (in_features), got " + java.util.Arrays.toString(x.shape()));
        sameDevice("int8Linear", q, "w", x, "x");
        if (bias != null) {
            checkFloat(bias, "bias", DType.FLOAT32);
            if (bias.dim() != 1 || bias.size(0) != out)
                throw new IllegalArgumentException("bias: expected shape [" + out + "] (out_features), got " + java.util.Arrays.toString(bias.shape()));
            sameDevice("int8Linear", bias, "bias", x, "x");
            noGrad("int8Linear", bias, "bias", "x.matmul(w.dequantize().t()).add(bias)");
        }
        noGrad("int8Linear", x, "x", "x.matmul(w.dequantize().t())");
        long[] shape = x.shape();
        shape[shape.length - 1] = out;
        long rows = numelOf(java.util.Arrays.copyOf(shape, shape.length - 1));
        try (Tensor xc = x.contiguous(); Tensor bc = bias == null ? null : bias.contiguous()) {
            Tensor y = newTensor(shape, DType.FLOAT32, x);
            Pointer bp = bc == null ? null : ptr(bc);
            int threads = Math.max(1, Torch.getNumThreads());
            return guarded(y, () -> status("int8Linear", xc.device().isCuda()
                    ? NativeKernels.t4j_int8_linear_f32_cuda(ptr(xc), ptr(q), null, ptr(scales), bp, ptr(y), rows, in, out,
                            threads, CudaStreams.current(xc))
                    : NativeKernels.t4j_int8_linear_f32_cpu(ptr(xc), ptr(q), packed == null ? null : ptr(packed), ptr(scales), bp,
                            ptr(y), rows, in, out, threads, null)));
        }
    }

    // ------------------------------------------------------------------ float32 linear

    /** How a linear layer stores its weight matrix. */
    public enum WeightLayout {
        /** {@code [out, in]}, as {@code torch.nn.Linear}: {@code y = x W^T}. */
        OUT_IN,
        /** {@code [in, out]}, as GPT-2's {@code Conv1D}: {@code y = x W}. */
        IN_OUT
    }

    /** The activation fused into {@link #linear}'s epilogue. */
    public enum Activation {
        /** The plain linear. */
        NONE,
        /** Exact GELU, {@code z Phi(z)} ({@code approximate = "none"}). */
        GELU,
        /** tanh-approximated GELU ({@code approximate = "tanh"}). */
        GELU_TANH;

        /** The activation of a GELU's {@code approximate} argument ({@code "none"} or {@code "tanh"}). */
        public static Activation gelu(String approximate) {
            return approximateCode(approximate) == 0 ? GELU : GELU_TANH;
        }
    }

    /**
     * Whether {@link #linear} runs its fast code path on this CPU (AVX-512). Without it the CPU kernel is a slow
     * reference loop, so models keep LibTorch's matmul there.
     */
    public static boolean linearIsFast() {
        return LINEAR_FAST;
    }

    private static final boolean LINEAR_FAST = NativeKernels.t4j_cpu_isa().startsWith("avx512");  // "avx512" or "avx512_vnni"

    /**
     * {@code act(x W^T + bias)} ({@link WeightLayout#OUT_IN}) or {@code act(x W + bias)} ({@link WeightLayout#IN_OUT}) in
     * one pass: x float32 {@code [..., in]}, weight float32 2-D in the given layout, bias float32 {@code [out]} or null;
     * returns a new float32 {@code [..., out]}. Equals {@code F.linear(x, W, bias)} (then the activation) up to float32
     * summation order. The CPU kernel streams the weights once for up to 4 rows (decode) and otherwise runs a packed,
     * register-blocked GEMM, on up to {@link Torch#getNumThreads()} threads of its own pool. Inference only: no argument
     * may require grad while grad mode is on.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias, WeightLayout layout, Activation activation) {
        if (layout == null || activation == null) throw new NullPointerException("layout and activation must not be null");
        checkFloat(x, "x", DType.FLOAT32);
        checkFloat(weight, "weight", DType.FLOAT32);
        if (weight.dim() != 2)
            throw new IllegalArgumentException("weight: expected a 2-D tensor (" + (layout == WeightLayout.OUT_IN ? "[out, in]" : "[in, out]")
                    + "), got shape " + java.util.Arrays.toString(weight.shape()));
        long in = layout == WeightLayout.OUT_IN ? weight.size(1) : weight.size(0);
        long out = layout == WeightLayout.OUT_IN ? weight.size(0) : weight.size(1);
        if (x.dim() < 1 || x.size(-1) != in)
            throw new IllegalArgumentException("x: expected shape [..., " + in + "] (in_features of weight " + java.util.Arrays.toString(weight.shape())
                    + ", " + layout + "), got " + java.util.Arrays.toString(x.shape()));
        sameDevice("linear", weight, "weight", x, "x");
        checkLinearBias(x, bias, out);
        noGrad("linear", x, "x", "F.linear(x, weight, bias)");
        noGrad("linear", weight, "weight", "F.linear(x, weight, bias)");
        Tensor wc = contiguous(weight);
        try {
            return runLinear(x, wc, layout.ordinal(), bias, in, out, activation);
        } finally {
            closeCopy(wc, weight);
        }
    }

    /**
     * {@link #linear(Tensor, Tensor, Tensor, WeightLayout, Activation)} on weights packed once
     * ({@link PackedLinearWeight#pack}): x float32 {@code [..., in]} on the CPU, bias float32 {@code [out]} or null.
     * For more than 4 rows the result is bit-identical to the unpacked call's; up to 4 rows stream the packed panels
     * (float32 summation order differs). The caller checks {@link PackedLinearWeight#isCurrentFor} against the weight
     * it was made from. Inference only, as the unpacked form.
     */
    public static Tensor linear(Tensor x, PackedLinearWeight weight, Tensor bias, Activation activation) {
        if (weight == null || activation == null) throw new NullPointerException("weight and activation must not be null");
        Tensor packed = weight.packed();
        checkFloat(x, "x", DType.FLOAT32);
        long in = weight.inFeatures(), out = weight.outFeatures();
        if (x.dim() < 1 || x.size(-1) != in)
            throw new IllegalArgumentException("x: expected shape [..., " + in + "] (in_features of the packed weight), got "
                    + java.util.Arrays.toString(x.shape()));
        if (isCuda(x)) throw new IllegalArgumentException("x: packed weights are for the CPU kernel; got a tensor on " + x.device());
        checkLinearBias(x, bias, out);
        noGrad("linear", x, "x", "F.linear(x, weight, bias)");
        return runLinear(x, packed, 2, bias, in, out, activation);
    }

    private static void checkLinearBias(Tensor x, Tensor bias, long out) {
        if (bias == null) return;
        checkFloat(bias, "bias", DType.FLOAT32);
        if (bias.dim() != 1 || bias.size(0) != out)
            throw new IllegalArgumentException("bias: expected shape [" + out + "] (out_features), got " + java.util.Arrays.toString(bias.shape()));
        sameDevice("linear", bias, "bias", x, "x");
        noGrad("linear", bias, "bias", "F.linear(x, weight, bias)");
    }

    // The checked call of the linear kernel: w is contiguous (layout 0 or 1) or packed (layout 2).
    private static Tensor runLinear(Tensor x, Tensor w, int layout, Tensor bias, long in, long out, Activation activation) {
        long[] shape = x.shape();
        shape[shape.length - 1] = out;
        long rows = numelOf(java.util.Arrays.copyOf(shape, shape.length - 1));
        Tensor xc = contiguous(x), bc = null;
        try {
            bc = bias == null ? null : contiguous(bias);
            boolean cuda = isCuda(xc);
            Tensor y = newTensor(shape, DType.FLOAT32, xc);
            Pointer xp = ptr(xc), wp = ptr(w), bp = bc == null ? null : ptr(bc), yp = ptr(y);
            int act = activation.ordinal();
            return guarded(y, () -> status("linear", cuda
                    ? NativeKernels.t4j_linear_f32_cuda(xp, wp, bp, yp, rows, in, out, layout, act, 1, CudaStreams.current(xc))
                    : NativeKernels.t4j_linear_f32_cpu(xp, wp, bp, yp, rows, in, out, layout, act, threads(), null)));
        } finally {
            closeCopy(xc, x);
            closeCopy(bc, bias);
        }
    }

    // ------------------------------------------------------------------ fused attention (encoders, prompts)

    /**
     * Fused multi-head attention, {@code softmax(scale q k^T + mask) v} in one pass per (batch, head):
     * q float32 {@code [B, H, T, D]}, k and v float32 {@code [B, H, S, D]}, each with any strides whose last one is 1
     * (head views of a {@code [B, T, H * D]} projection or of a KV cache are read in place, without copies).
     * keyMask bool or uint8 {@code [B, S]} (true = may attend) or null; when causal, query i sees keys
     * {@code j <= i + S - T}. Returns a new contiguous {@code [B, T, H, D]} tensor, which is
     * {@code F.scaledDotProductAttention(q, k, v, mask, 0, causal).transpose(1, 2)} for every row that sees at least
     * one key; a row that sees no key gets zeros (where LibTorch gives NaN). Inference only: no argument may require
     * grad while grad mode is on. The CUDA kernel needs {@code S <= 8192}.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, double scale, boolean causal) {
        checkFloat(q, "q", DType.FLOAT32);
        checkFloat(k, "k", DType.FLOAT32);
        checkFloat(v, "v", DType.FLOAT32);
        if (q.dim() != 4) throw new IllegalArgumentException("q: expected shape [B, H, T, D], got " + java.util.Arrays.toString(q.shape()));
        long b = q.size(0), h = q.size(1), t = q.size(2), d = q.size(3);
        if (k.dim() != 4 || k.size(0) != b || k.size(1) != h || k.size(3) != d)
            throw new IllegalArgumentException("k: expected shape [" + b + ", " + h + ", S, " + d + "] (B, H, D of q), got "
                    + java.util.Arrays.toString(k.shape()));
        sameShape("attention", v, "v", k, "k");
        long sLen = k.size(2);
        sameDevice("attention", k, "k", q, "q");
        sameDevice("attention", v, "v", q, "q");
        for (Tensor x : new Tensor[] {q, k, v})
            if (x.numel() > 0 && x.strides()[3] != 1)
                throw new IllegalArgumentException((x == q ? "q" : x == k ? "k" : "v") + ": expected a contiguous last dimension (stride 1), got strides "
                        + java.util.Arrays.toString(x.strides()));
        if (!(Math.abs(scale) <= Float.MAX_VALUE))
            throw new IllegalArgumentException("scale: expected a finite float32 value, got " + scale);
        if (keyMask != null) {
            if (keyMask.isClosed()) throw new IllegalStateException("keyMask is a closed tensor");
            if (keyMask.dtype() != DType.BOOL && keyMask.dtype() != DType.UINT8)
                throw new IllegalArgumentException("keyMask: expected dtype torch.bool or torch.uint8, got " + keyMask.dtype().pytorchName());
            if (keyMask.dim() != 2 || keyMask.size(0) != b || keyMask.size(1) != sLen)
                throw new IllegalArgumentException("keyMask: expected shape [" + b + ", " + sLen + "] (B of q, S of k), got "
                        + java.util.Arrays.toString(keyMask.shape()));
            sameDevice("attention", keyMask, "keyMask", q, "q");
        }
        if (q.device().isCuda() && sLen > 8192) throw new IllegalArgumentException("k: S = " + sLen + " exceeds 8192, the CUDA kernel's limit");
        String composite = "F.scaledDotProductAttention(q, k, v, mask, 0, causal)";
        noGrad("attention", q, "q", composite);
        noGrad("attention", k, "k", composite);
        noGrad("attention", v, "v", composite);
        long[] qs = q.strides(), ks = k.strides(), vs = v.strides();
        Tensor mc = keyMask == null ? null : contiguous(keyMask);
        try {
            Tensor out = newTensor(new long[] {b, t, h, d}, DType.FLOAT32, q);
            Pointer mp = mc == null ? null : ptr(mc);
            int threads = threads();
            float sc = (float) scale;
            int c = causal ? 1 : 0;
            return guarded(out, () -> status("attention", q.device().isCuda()
                    ? NativeKernels.t4j_attention_f32_cuda(ptr(q), ptr(k), ptr(v), mp, ptr(out), b, h, t, sLen, d, qs[0], qs[2], qs[1], ks[0], ks[2],
                            ks[1], vs[0], vs[2], vs[1], sc, c, threads, CudaStreams.current(q))
                    : NativeKernels.t4j_attention_f32_cpu(ptr(q), ptr(k), ptr(v), mp, ptr(out), b, h, t, sLen, d, qs[0], qs[2], qs[1], ks[0], ks[2],
                            ks[1], vs[0], vs[2], vs[1], sc, c, threads, null)));
        } finally {
            closeCopy(mc, keyMask);
        }
    }

    /**
     * The VNNI layout of int8 CPU weights {@code q [out, in]} as a new uint8 tensor, or null when this CPU path does
     * not use one (no AVX-512 VNNI, or {@code in} outside [1, 65536]). Its owner keeps it with q (see
     * {@link Int8Weights}).
     */
    static Tensor int8Pack(Tensor q) {
        if (q.device().isCuda() || !"avx512_vnni".equals(cpuIsa())) return null;
        long bytes = NativeKernels.t4j_int8_linear_packed_bytes(q.size(1), q.size(0));
        if (bytes < 0) return null;
        Tensor packed = Torch.empty(new long[] {bytes}, DType.UINT8);
        return guarded(packed, () -> status("int8Pack", NativeKernels.t4j_int8_linear_pack(ptr(q), ptr(packed), q.size(1), q.size(0))));
    }

    // ------------------------------------------------------------------ decode attention

    /**
     * Attention of one new query per (batch, head) against a key/value cache, fused (scores, softmax, weighted sum):
     * <pre>
     *   out[b, h, :] = sum_{t < lengths[b]} softmax_t(scale * q[b, h, :] . kCache[b, h, t, :]) vCache[b, h, t, :]
     * </pre>
     * q float32 {@code [B, H, D]}; kCache and vCache float32 {@code [B, H, Tmax, D]}; lengths int64 {@code [B]}, each in
     * {@code [0, Tmax]} (cache slots from {@code lengths[b]} on are never read, so stale or unwritten slots are harmless).
     * Equals {@code F.scaledDotProductAttention(q.unsqueeze(2), k[:, :, :len], v[:, :, :len], null, 0, false)} for a
     * row of length {@code len} (the newest query sees every cached position: causal by construction); a row of
     * length 0 gives zeros. All on one device; non-contiguous arguments are copied (pass the cache buffers
     * themselves, not narrowed views, to avoid copying the cache). Returns a new contiguous {@code [B, H, D]}.
     * Inference only: no argument may require grad. The CPU kernel uses up to {@link Torch#getNumThreads()} threads of
     * its own pool; the CUDA kernel needs {@code D <= 256}.
     */
    public static Tensor decodeAttention(Tensor q, Tensor kCache, Tensor vCache, Tensor lengths, double scale) {
        checkFloat(q, "q", DType.FLOAT32);
        checkFloat(kCache, "kCache", DType.FLOAT32);
        checkFloat(vCache, "vCache", DType.FLOAT32);
        if (lengths == null) throw new NullPointerException("lengths must not be null");
        if (lengths.isClosed()) throw new IllegalStateException("lengths is a closed tensor");
        if (lengths.dtype() != DType.INT64)
            throw new IllegalArgumentException("lengths: expected dtype torch.int64, got " + lengths.dtype().pytorchName());
        if (q.dim() != 3)
            throw new IllegalArgumentException("q: expected shape [B, H, D], got " + java.util.Arrays.toString(q.shape()));
        long b = q.size(0), h = q.size(1), d = q.size(2);
        if (kCache.dim() != 4 || kCache.size(0) != b || kCache.size(1) != h || kCache.size(3) != d)
            throw new IllegalArgumentException("kCache: expected shape [" + b + ", " + h + ", Tmax, " + d + "] (B, H, Tmax, D of q), got "
                    + java.util.Arrays.toString(kCache.shape()));
        sameShape("decodeAttention", vCache, "vCache", kCache, "kCache");
        if (lengths.dim() != 1 || lengths.size(0) != b)
            throw new IllegalArgumentException("lengths: expected shape [" + b + "] (B of q), got " + java.util.Arrays.toString(lengths.shape()));
        sameDevice("decodeAttention", kCache, "kCache", q, "q");
        sameDevice("decodeAttention", vCache, "vCache", q, "q");
        sameDevice("decodeAttention", lengths, "lengths", q, "q");
        if (!(Math.abs(scale) <= Float.MAX_VALUE))
            throw new IllegalArgumentException("scale: expected a finite float32 value, got " + scale);
        long tMax = kCache.size(2);
        if (q.device().isCuda() && d > 256) throw new IllegalArgumentException("q: head dimension " + d + " exceeds 256, the CUDA kernel's limit");
        String composite = "F.scaledDotProductAttention(q.unsqueeze(2), k, v, ...)";
        noGrad("decodeAttention", q, "q", composite);
        noGrad("decodeAttention", kCache, "kCache", composite);
        noGrad("decodeAttention", vCache, "vCache", composite);
        try (Tensor lc = lengths.contiguous(); Tensor qc = q.contiguous(); Tensor kc = kCache.contiguous();
             Tensor vc = vCache.contiguous()) {
            if (b > 0) {
                try (Tensor lo = lc.min(); Tensor hi = lc.max()) {
                    long min = lo.itemLong(), max = hi.itemLong();
                    if (min < 0 || max > tMax)
                        throw new IllegalArgumentException("lengths: expected values in [0, " + tMax + "] (Tmax of kCache), got min " + min
                                + ", max " + max);
                }
            }
            Tensor out = Torch.emptyLike(qc);
            int threads = Math.max(1, Torch.getNumThreads());
            float sc = (float) scale;
            return guarded(out, () -> status("decodeAttention", qc.device().isCuda()
                    ? NativeKernels.t4j_decode_attention_f32_cuda(ptr(qc), ptr(kc), ptr(vc), ptr(lc), ptr(out), b, h, tMax, d, sc, threads,
                            CudaStreams.current(qc))
                    : NativeKernels.t4j_decode_attention_f32_cpu(ptr(qc), ptr(kc), ptr(vc), ptr(lc), ptr(out), b, h, tMax, d, sc, threads,
                            null)));
        }
    }

    // ------------------------------------------------------------------ shared checks

    private static int approximateCode(String approximate) {
        if ("none".equals(approximate)) return 0;
        if ("tanh".equals(approximate)) return 1;
        throw new IllegalArgumentException("approximate: expected \"none\" or \"tanh\", got " + (approximate == null ? "null" : "\"" + approximate + "\""));
    }

    static void checkFloat(Tensor t, String name, DType dtype) {
        if (t == null) throw new NullPointerException(name + " must not be null");
        if (t.isClosed()) throw new IllegalStateException(name + " is a closed tensor");
        if (dtype == DType.FLOAT32 ? !isFloat32(t) : t.dtype() != dtype)
            throw new IllegalArgumentException(name + ": expected dtype " + dtype.pytorchName() + ", got " + t.dtype().pytorchName());
    }

    /**
     * x's shape when all four arguments are live float32 CPU tensors of matching shapes that autograd would not track
     * and eps is valid, else null. This is the usual inference call; it takes about half the native calls of the
     * named checks, which run whenever it returns null and say what is wrong.
     */
    private static long[] plainFloat32CpuShape(Tensor x, Tensor residual, Tensor gamma, Tensor beta, double eps) {
        if (!plainFloat32Cpu(x) || !plainFloat32Cpu(residual) || !plainFloat32Cpu(gamma) || !plainFloat32Cpu(beta)
                || !(eps >= 0) || Double.isInfinite(eps))
            return null;
        long[] xs = x.shape();
        if (xs.length == 0) return null;
        long cols = xs[xs.length - 1];
        org.bytedeco.pytorch.Tensor g = gamma.unwrap(), b = beta.unwrap();
        if (g.dim() != 1 || g.size(0) != cols || b.dim() != 1 || b.size(0) != cols) return null;
        return java.util.Arrays.equals(residual.shape(), xs) ? xs : null;
    }

    private static boolean plainFloat32Cpu(Tensor t) {
        if (t == null || t.isClosed()) return false;
        org.bytedeco.pytorch.Tensor h = t.unwrap();
        return h.is_cpu() && h.element_size() == 4 && h.is_floating_point() && !(h.requires_grad() && Torch.isGradEnabled());
    }

    // float32 is the only 4-byte floating dtype; two primitive calls cost less than converting scalar_type() to DType.
    private static boolean isFloat32(Tensor t) {
        org.bytedeco.pytorch.Tensor h = t.unwrap();
        return h.element_size() == 4 && h.is_floating_point();
    }

    private static long checkRowsAndVector(String op, Tensor x, String xName, Tensor v, String vName) {
        checkFloat(x, xName, DType.FLOAT32);
        return checkRowsAndVector(op, x, xName, v, vName, DType.FLOAT32);
    }

    // x [..., cols] and v [cols] of one dtype and device; returns cols.
    private static long checkRowsAndVector(String op, Tensor x, String xName, Tensor v, String vName, DType dtype) {
        checkFloat(v, vName, dtype);
        if (x.dim() < 1) throw new IllegalArgumentException(xName + ": expected at least one dimension, got a scalar");
        long cols = x.size(-1);
        if (v.dim() != 1 || v.size(0) != cols)
            throw new IllegalArgumentException(vName + ": expected shape [" + cols + "] (last dimension of " + xName + "), got "
                    + java.util.Arrays.toString(v.shape()));
        sameDevice(op, v, vName, x, xName);
        return cols;
    }

    private static void sameShape(String op, Tensor a, String aName, Tensor b, String bName) {
        if (!java.util.Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(aName + ": expected shape " + java.util.Arrays.toString(b.shape()) + " (as " + bName
                    + "), got " + java.util.Arrays.toString(a.shape()));
    }

    private static void sameDevice(String op, Tensor a, String aName, Tensor b, String bName) {
        if (a.unwrap().is_cpu() && b.unwrap().is_cpu()) return;  // the common case, without building two Device objects
        if (!a.device().equals(b.device()))
            throw new IllegalArgumentException(aName + ": expected device " + b.device() + " (as " + bName + "), got " + a.device());
    }

    // Under no-grad mode nothing is recorded, so parameters (which require grad) may feed a kernel.
    private static void noGrad(String op, Tensor t, String name, String composite) {
        if (t.requiresGrad() && Torch.isGradEnabled())
            throw new IllegalArgumentException(name + ": " + op + " has no autograd graph; " + name
                    + " must not require grad (use the LibTorch composite " + composite + " when training)");
    }

    private static long numelOf(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    // A new contiguous tensor on like's device; LibTorch's CPU factory is the one torch4j exposes, so CUDA outputs are moved.
    private static Tensor newTensor(long[] shape, DType dtype, Tensor like) {
        Tensor t = Torch.empty(shape, dtype);
        if (!isCuda(like)) return t;
        try (Tensor cpu = t) {
            return cpu.to(like.device());
        }
    }

    private static boolean isCuda(Tensor t) {
        return t.unwrap().is_cuda();
    }

    // LibTorch's intra-op thread count, which the CPU kernels use as their own limit.
    private static int threads() {
        return Math.max(1, Torch.getNumThreads());
    }

    // t itself when it is contiguous (no second handle per call), else a contiguous copy; pair with closeCopy.
    private static Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : t.contiguous();
    }

    private static void closeCopy(Tensor copy, Tensor original) {
        if (copy != null && copy != original) copy.close();
    }

    // Product of all but the last dimension of a tensor with at least one dimension.
    private static long rowsOf(Tensor t) {
        return numelOf(java.util.Arrays.copyOf(t.shape(), t.dim() - 1));
    }

    private static Pointer ptr(Tensor t) {
        return t.unwrap().data_ptr();
    }

    private static void status(String op, int status) {
        if (status != 0) throw new TorchException(op + ": " + NativeKernels.t4j_last_error() + " (status " + status + ")");
    }

    // Runs the kernel writing into out; closes out if it fails.
    private static Tensor guarded(Tensor out, Runnable kernel) {
        try {
            kernel.run();
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }
}
