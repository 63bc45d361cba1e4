package dev.torch4j.kernels;

import java.lang.ref.WeakReference;
import java.util.Arrays;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * A float32 linear weight copied once into the CPU linear kernel's GEMM layout (panels of 32 output columns), for a
 * weight used many times: {@link Kernels#linear(Tensor, PackedLinearWeight, Tensor, Kernels.Activation)} then skips
 * the packing that {@link Kernels#linear(Tensor, Tensor, Tensor, Kernels.WeightLayout, Kernels.Activation)} does on
 * every call (same products in the same order: for more than 4 rows the results are bit-identical).
 *
 * <p>The copy remembers the tensor it was made from and that tensor's version counter, which LibTorch bumps on every
 * in-place change (optimizer steps, {@code copy_} from a loaded state dict, {@code add_}, ...). {@link #isCurrentFor}
 * is false once the weight has changed, and then the copy must not be used. It owns
 * {@code ceil(out / 32) * 32 * in} floats of native memory until {@link #close}d. Reading it from many threads at
 * once is safe; closing it is not, while others use it.
 */
public final class PackedLinearWeight implements AutoCloseable {
    private final Tensor packed;
    private final long inFeatures, outFeatures;
    // The source by identity (a replaced parameter is a new object even if its storage lands at the same address),
    // its storage and its version counter.
    private final WeakReference<Tensor> source;
    private final long sourceAddress, sourceVersion;
    private volatile boolean closed;

    private PackedLinearWeight(Tensor packed, long inFeatures, long outFeatures, Tensor source) {
        this.packed = packed;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.source = new WeakReference<>(source);
        this.sourceAddress = source.unwrap().data_ptr().address();
        this.sourceVersion = source.unwrap()._version();
    }

    /**
     * Packs {@code weight}: float32, 2-D, on the CPU, {@code [out, in]} for {@link Kernels.WeightLayout#OUT_IN}
     * ({@code torch.nn.Linear}) or {@code [in, out]} for {@link Kernels.WeightLayout#IN_OUT} (GPT-2's Conv1D). The
     * weight may require grad (only its data is read); it is left unchanged.
     */
    public static PackedLinearWeight pack(Tensor weight, Kernels.WeightLayout layout) {
        if (layout == null) throw new NullPointerException("layout must not be null");
        Kernels.checkFloat(weight, "weight", DType.FLOAT32);
        if (weight.dim() != 2)
            throw new IllegalArgumentException("weight: expected a 2-D tensor, got shape " + Arrays.toString(weight.shape()));
        if (weight.device().isCuda())
            throw new IllegalArgumentException("weight: packed weights are for the CPU kernel; got a tensor on " + weight.device());
        long in = layout == Kernels.WeightLayout.OUT_IN ? weight.size(1) : weight.size(0);
        long out = layout == Kernels.WeightLayout.OUT_IN ? weight.size(0) : weight.size(1);
        long floats = NativeKernels.t4j_linear_f32_packed_floats(in, out);
        if (floats < 0) throw new IllegalArgumentException("weight: packed size of " + Arrays.toString(weight.shape()) + " overflows");
        Tensor src = weight.isContiguous() ? weight : weight.contiguous();
        try {
            // Owned by this object, not by whatever scope is open on this thread.
            Tensor p = Scope.release(Torch.empty(new long[] {floats}, DType.FLOAT32));
            int threads = Math.max(1, Torch.getNumThreads());
            int st = NativeKernels.t4j_linear_f32_pack(src.unwrap().data_ptr(), p.unwrap().data_ptr(), in, out, layout.ordinal(), threads);
            if (st != 0) {
                p.close();
                throw new dev.torch4j.TorchException("linearPack: " + NativeKernels.t4j_last_error() + " (status " + st + ")");
            }
            return new PackedLinearWeight(p, in, out, weight);
        } finally {
            if (src != weight) src.close();
        }
    }

    /**
     * Whether this is still a copy of {@code weight}: not closed, made from this very tensor object and its storage, and
     * the weight has not been modified in place since (its version counter is unchanged).
     */
    public boolean isCurrentFor(Tensor weight) {
        return !closed && weight != null && source.get() == weight && !weight.isClosed()
                && weight.unwrap()._version() == sourceVersion && weight.unwrap().data_ptr().address() == sourceAddress;
    }

    public long inFeatures() {
        return inFeatures;
    }

    public long outFeatures() {
        return outFeatures;
    }

    public boolean isClosed() {
        return closed;
    }

    Tensor packed() {
        if (closed) throw new IllegalStateException("packed weight is closed");
        return packed;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        packed.close();
    }
}
