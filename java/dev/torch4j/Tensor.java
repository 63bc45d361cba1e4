package dev.torch4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Node;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.TensorIndex;
import org.bytedeco.pytorch.TensorIndexVector;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * An n-dimensional array in native (LibTorch) memory, with autograd. Methods follow PyTorch's names in
 * camelCase ({@code logSoftmax}, {@code maskedFill}); a trailing underscore marks in-place variants
 * ({@code add_}), which return {@code this}.
 *
 * <p>Ownership: every tensor owns one native handle and frees it exactly once in {@link #close()} (or when
 * the {@link Scope} it was created in closes). Views ({@link #view}, {@link #slice}, ...) are tensors of
 * their own that share storage: closing the base does not invalidate a view. After close every method
 * throws {@link IllegalStateException}; closing again does nothing.
 *
 * <p>Not thread-safe for mutation; concurrent reads of one tensor are safe.
 */
public final class Tensor implements AutoCloseable {
    static {
        Native.init();
    }

    private org.bytedeco.pytorch.Tensor h;
    /** The scope that will close this tensor, or null (maintained by {@link Scope}). */
    Scope scope;

    Tensor(org.bytedeco.pytorch.Tensor handle) {
        this.h = handle;
        Scope.register(this);
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    interface NativeOp {
        org.bytedeco.pytorch.Tensor run();
    }

    /** Runs a native op that returns a new tensor, translating LibTorch errors. */
    static Tensor call(NativeOp op) {
        org.bytedeco.pytorch.Tensor r;
        try {
            r = op.run();
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
        return new Tensor(r);
    }

    /** Runs a native in-place op and returns this. */
    private Tensor inPlace(Runnable op) {
        try {
            op.run();
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
        return this;
    }

    /** The live handle; throws if closed. */
    org.bytedeco.pytorch.Tensor h() {
        org.bytedeco.pytorch.Tensor x = h;
        if (x == null) throw new IllegalStateException("tensor is closed");
        return x;
    }

    /** The live handle of an argument; names it when null or closed. */
    static org.bytedeco.pytorch.Tensor h(Tensor t, String name) {
        if (t == null) throw new NullPointerException(name + " must not be null");
        org.bytedeco.pytorch.Tensor x = t.h;
        if (x == null) throw new IllegalStateException(name + " is a closed tensor");
        return x;
    }

    /** Copies a borrowed (non-owning) handle into a new owning one, sharing the same TensorImpl. */
    static org.bytedeco.pytorch.Tensor own(org.bytedeco.pytorch.Tensor borrowed) {
        return new org.bytedeco.pytorch.Tensor(borrowed);
    }

    /**
     * Escape hatch: the underlying Bytedeco tensor, still owned by this object. Valid until this tensor is
     * closed. Not part of the stable API.
     */
    public org.bytedeco.pytorch.Tensor unwrap() {
        return h();
    }

    /**
     * Escape hatch: takes ownership of a Bytedeco tensor (it is closed with the returned tensor and is
     * registered in the current scope). Not part of the stable API.
     */
    public static Tensor adopt(org.bytedeco.pytorch.Tensor handle) {
        Objects.requireNonNull(handle, "handle");
        if (handle.isNull() || !handle.defined()) throw new IllegalArgumentException("handle: expected a defined tensor");
        return new Tensor(handle);
    }

    /** Frees the native handle. Idempotent. */
    @Override
    public void close() {
        org.bytedeco.pytorch.Tensor x = h;
        if (x != null) {
            h = null;
            x.close();
        }
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return h == null;
    }

    // ------------------------------------------------------------------ metadata

    /** Sizes of each dimension (a copy). */
    public long[] shape() {
        org.bytedeco.pytorch.Tensor x = h();
        int n = (int) x.dim();
        long[] s = new long[n];
        for (int i = 0; i < n; i++) s[i] = x.size(i);
        return s;
    }

    /** Size of dimension {@code dim} (negative counts from the end). */
    public long size(int dim) {
        return h().size(normDim(dim, dim(), "dim"));
    }

    /** Element strides of each dimension. */
    public long[] strides() {
        org.bytedeco.pytorch.Tensor x = h();
        int n = (int) x.dim();
        long[] s = new long[n];
        for (int i = 0; i < n; i++) s[i] = x.stride(i);
        return s;
    }

    public int dim() {
        return (int) h().dim();
    }

    public long numel() {
        return h().numel();
    }

    public DType dtype() {
        return DType.of(h().scalar_type());
    }

    public Device device() {
        try (org.bytedeco.pytorch.Device d = h().device()) {
            return Devices.fromNative(d);
        }
    }

    public boolean isContiguous() {
        return h().is_contiguous();
    }

    public boolean isFloatingPoint() {
        return h().is_floating_point();
    }

    /** Bytes of data ({@code numel * dtype.byteSize}). */
    public long nbytes() {
        return h().nbytes();
    }

    static int normDim(long dim, int ndim, String name) {
        int n = Math.max(ndim, 1);
        if (dim < -n || dim >= n)
            throw new IllegalArgumentException(name + ": dimension out of range (expected in [" + -n + ", " + (n - 1)
                    + "], got " + dim + ")");
        return (int) (dim < 0 ? dim + n : dim);
    }

    // ------------------------------------------------------------------ data out

    /** Elements as float in row-major order (converting dtype and device as needed). */
    public float[] toFloatArray() {
        try (org.bytedeco.pytorch.Tensor c = hostCopy(DType.FLOAT32)) {
            float[] out = new float[checkedLength(c.numel())];
            if (out.length > 0) c.data_ptr_float().get(out);
            return out;
        }
    }

    public double[] toDoubleArray() {
        try (org.bytedeco.pytorch.Tensor c = hostCopy(DType.FLOAT64)) {
            double[] out = new double[checkedLength(c.numel())];
            if (out.length > 0) c.data_ptr_double().get(out);
            return out;
        }
    }

    public long[] toLongArray() {
        try (org.bytedeco.pytorch.Tensor c = hostCopy(DType.INT64)) {
            long[] out = new long[checkedLength(c.numel())];
            if (out.length > 0) c.data_ptr_long().get(out);
            return out;
        }
    }

    public int[] toIntArray() {
        try (org.bytedeco.pytorch.Tensor c = hostCopy(DType.INT32)) {
            int[] out = new int[checkedLength(c.numel())];
            if (out.length > 0) c.data_ptr_int().get(out);
            return out;
        }
    }

    public boolean[] toBooleanArray() {
        try (org.bytedeco.pytorch.Tensor c = hostCopy(DType.BOOL)) {
            byte[] bytes = new byte[checkedLength(c.numel())];
            if (bytes.length > 0) new org.bytedeco.javacpp.BytePointer(c.data_ptr()).get(bytes);
            boolean[] out = new boolean[bytes.length];
            for (int i = 0; i < bytes.length; i++) out[i] = bytes[i] != 0;
            return out;
        }
    }

    /** The raw bytes (native byte order, row-major) in a new direct buffer. */
    public ByteBuffer toByteBuffer() {
        try (org.bytedeco.pytorch.Tensor c = hostCopy(dtype())) {
            long n = c.nbytes();
            ByteBuffer out = ByteBuffer.allocateDirect(checkedLength(n)).order(ByteOrder.nativeOrder());
            if (n > 0) out.put(c.data_ptr().capacity(n).asByteBuffer());
            out.flip();
            return out;
        }
    }

    private static int checkedLength(long n) {
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException("tensor too large for a Java array: " + n + " elements");
        return (int) n;
    }

    /** A new contiguous CPU handle of the given dtype with this tensor's values (detached). */
    private org.bytedeco.pytorch.Tensor hostCopy(DType d) {
        org.bytedeco.pytorch.Tensor x = h();
        try {
            try (org.bytedeco.pytorch.Tensor det = x.detach();
                 org.bytedeco.pytorch.Tensor cpu = det.to(Devices.CPU_NATIVE, d.scalarType)) {
                return cpu.contiguous();
            }
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
    }

    /** The value of a one-element tensor, as double. */
    public double item() {
        checkOneElement("item");
        try (org.bytedeco.pytorch.Tensor c = hostCopy(DType.FLOAT64)) {
            return c.data_ptr_double().get();
        }
    }

    /** The value of a one-element tensor, as long (exact for integer dtypes). */
    public long itemLong() {
        checkOneElement("itemLong");
        try (org.bytedeco.pytorch.Tensor c = hostCopy(DType.INT64)) {
            return c.data_ptr_long().get();
        }
    }

    public boolean itemBoolean() {
        checkOneElement("itemBoolean");
        try (org.bytedeco.pytorch.Tensor c = hostCopy(DType.BOOL)) {
            return c.data_ptr_bool().get();
        }
    }

    private void checkOneElement(String what) {
        long n = numel();
        if (n != 1) throw new IllegalStateException(what + ": expected a tensor with one element, got " + n
                + " elements (shape " + Arrays.toString(shape()) + ")");
    }

    // ------------------------------------------------------------------ conversion

    public Tensor to(DType dtype) {
        Objects.requireNonNull(dtype, "dtype");
        return call(() -> h().to(dtype.scalarType));
    }

    public Tensor to(Device device) {
        Objects.requireNonNull(device, "device");
        Devices.checkAvailable(device);
        org.bytedeco.pytorch.Tensor x = h();
        return call(() -> x.to(Devices.toNative(device), x.scalar_type()));
    }

    public Tensor to(Device device, DType dtype) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(dtype, "dtype");
        Devices.checkAvailable(device);
        return call(() -> h().to(Devices.toNative(device), dtype.scalarType));
    }

    /** A copy with the same dtype and device as {@code other}. */
    public Tensor typeAs(Tensor other) {
        return call(() -> h().type_as(h(other, "other")));
    }

    public Tensor cpu() {
        return to(Device.CPU);
    }

    public Tensor clone() {
        return call(() -> h().clone());
    }

    /** A tensor sharing storage but outside the autograd graph. */
    public Tensor detach() {
        return call(() -> h().detach());
    }

    public Tensor detach_() {
        return inPlace(() -> h().detach_());
    }

    public Tensor contiguous() {
        return call(() -> h().contiguous());
    }

    // ------------------------------------------------------------------ arithmetic

    public Tensor add(Tensor other) {
        org.bytedeco.pytorch.Tensor a = h(), b = h(other, "other");
        org.bytedeco.pytorch.Tensor r;
        try {
            r = a.add(b);
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
        return new Tensor(r);
    }

    /** {@code this + alpha * other}. */
    public Tensor add(Tensor other, double alpha) {
        try (Scalar s = new Scalar(alpha)) {
            return call(() -> h().add(h(other, "other"), s));
        }
    }

    public Tensor add(double value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().add(s));
        }
    }

    public Tensor add(long value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().add(s));
        }
    }

    public Tensor sub(Tensor other) {
        return call(() -> h().sub(h(other, "other")));
    }

    public Tensor sub(double value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().sub(s));
        }
    }

    public Tensor sub(long value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().sub(s));
        }
    }

    public Tensor mul(Tensor other) {
        return call(() -> h().mul(h(other, "other")));
    }

    public Tensor mul(double value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().mul(s));
        }
    }

    public Tensor mul(long value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().mul(s));
        }
    }

    /** True division (integer inputs give a floating result, as in PyTorch). */
    public Tensor div(Tensor other) {
        return call(() -> h().div(h(other, "other")));
    }

    public Tensor div(double value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().div(s));
        }
    }

    /** {@code value - this}. */
    public Tensor rsub(double value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> torch.rsub(h(), s));
        }
    }

    public Tensor pow(double exponent) {
        try (Scalar s = new Scalar(exponent)) {
            return call(() -> h().pow(s));
        }
    }

    public Tensor pow(Tensor exponent) {
        return call(() -> h().pow(h(exponent, "exponent")));
    }

    public Tensor remainder(double divisor) {
        try (Scalar s = new Scalar(divisor)) {
            return call(() -> h().remainder(s));
        }
    }

    public Tensor maximum(Tensor other) {
        return call(() -> h().maximum(h(other, "other")));
    }

    public Tensor minimum(Tensor other) {
        return call(() -> h().minimum(h(other, "other")));
    }

    public Tensor clamp(double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp: min (" + min + ") must be <= max (" + max + ")");
        try (Scalar lo = new Scalar(min); Scalar hi = new Scalar(max);
             ScalarOptional l = new ScalarOptional(lo); ScalarOptional u = new ScalarOptional(hi)) {
            return call(() -> h().clamp(l, u));
        }
    }

    public Tensor clampMin(double min) {
        try (Scalar lo = new Scalar(min)) {
            return call(() -> h().clamp_min(lo));
        }
    }

    public Tensor clampMax(double max) {
        try (Scalar hi = new Scalar(max)) {
            return call(() -> h().clamp_max(hi));
        }
    }

    // ------------------------------------------------------------------ in place

    public Tensor add_(Tensor other) {
        org.bytedeco.pytorch.Tensor a = h(), b = h(other, "other");
        try {
            a.add_(b);
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
        return this;
    }

    /** {@code this += alpha * other}. */
    public Tensor add_(Tensor other, double alpha) {
        try (Scalar s = new Scalar(alpha)) {
            return inPlace(() -> h().add_(h(other, "other"), s));
        }
    }

    public Tensor add_(double value) {
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().add_(s));
        }
    }

    public Tensor add_(long value) {
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().add_(s));
        }
    }

    public Tensor sub_(Tensor other) {
        return inPlace(() -> h().sub_(h(other, "other")));
    }

    public Tensor sub_(double value) {
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().sub_(s));
        }
    }

    public Tensor mul_(Tensor other) {
        return inPlace(() -> h().mul_(h(other, "other")));
    }

    public Tensor mul_(double value) {
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().mul_(s));
        }
    }

    public Tensor div_(Tensor other) {
        return inPlace(() -> h().div_(h(other, "other")));
    }

    public Tensor div_(double value) {
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().div_(s));
        }
    }

    public Tensor pow_(double exponent) {
        try (Scalar s = new Scalar(exponent)) {
            return inPlace(() -> h().pow_(s));
        }
    }

    public Tensor clamp_(double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp_: min (" + min + ") must be <= max (" + max + ")");
        try (Scalar lo = new Scalar(min); Scalar hi = new Scalar(max);
             ScalarOptional l = new ScalarOptional(lo); ScalarOptional u = new ScalarOptional(hi)) {
            return inPlace(() -> h().clamp_(l, u));
        }
    }

    /** Fills with samples of U(from, to) from the default generator (see {@link Torch#manualSeed}). */
    public Tensor uniform_(double from, double to) {
        if (!(from <= to)) throw new IllegalArgumentException("uniform_: expected from <= to, got from=" + from + ", to=" + to);
        return inPlace(() -> h().uniform_(from, to, Native.NO_GENERATOR));
    }

    /** Fills with samples of N(mean, std^2). */
    public Tensor normal_(double mean, double std) {
        if (!(std >= 0)) throw new IllegalArgumentException("normal_: expected std >= 0, got " + std);
        return inPlace(() -> h().normal_(mean, std, Native.NO_GENERATOR));
    }

    public Tensor zero_() {
        return inPlace(() -> h().zero_());
    }

    public Tensor fill_(double value) {
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().fill_(s));
        }
    }

    /** Copies {@code src} (broadcast, converted) into this tensor. */
    public Tensor copy_(Tensor src) {
        return inPlace(() -> h().copy_(h(src, "src")));
    }

    public Tensor relu_() {
        return inPlace(() -> h().relu_());
    }

    public Tensor exp_() {
        return inPlace(() -> h().exp_());
    }

    public Tensor neg_() {
        return inPlace(() -> h().neg_());
    }

    public Tensor sqrt_() {
        return inPlace(() -> h().sqrt_());
    }

    /** {@code this += value * t1 * t2}. */
    public Tensor addcmul_(Tensor t1, Tensor t2, double value) {
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().addcmul_(h(t1, "tensor1"), h(t2, "tensor2"), s));
        }
    }

    /** {@code this += value * t1 / t2}. */
    public Tensor addcdiv_(Tensor t1, Tensor t2, double value) {
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().addcdiv_(h(t1, "tensor1"), h(t2, "tensor2"), s));
        }
    }

    /** {@code this += weight * (end - this)}. */
    public Tensor lerp_(Tensor end, double weight) {
        try (Scalar s = new Scalar(weight)) {
            return inPlace(() -> h().lerp_(h(end, "end"), s));
        }
    }

    public Tensor maskedFill_(Tensor mask, double value) {
        checkBoolMask(mask);
        try (Scalar s = new Scalar(value)) {
            return inPlace(() -> h().masked_fill_(h(mask, "mask"), s));
        }
    }

    // ------------------------------------------------------------------ unary math

    public Tensor neg() { return call(() -> h().neg()); }
    public Tensor abs() { return call(() -> h().abs()); }
    public Tensor exp() { return call(() -> h().exp()); }
    public Tensor log() { return call(() -> h().log()); }
    public Tensor log1p() { return call(() -> h().log1p()); }
    public Tensor sqrt() { return call(() -> h().sqrt()); }
    public Tensor rsqrt() { return call(() -> h().rsqrt()); }
    public Tensor square() { return call(() -> h().square()); }
    public Tensor reciprocal() { return call(() -> h().reciprocal()); }
    public Tensor sin() { return call(() -> h().sin()); }
    public Tensor cos() { return call(() -> h().cos()); }
    public Tensor tanh() { return call(() -> h().tanh()); }
    public Tensor sigmoid() { return call(() -> h().sigmoid()); }
    public Tensor relu() { return call(() -> h().relu()); }
    public Tensor erf() { return call(() -> h().erf()); }
    public Tensor erfinv() { return call(() -> h().erfinv()); }
    public Tensor erfinv_() { return inPlace(() -> h().erfinv_()); }
    public Tensor floor() { return call(() -> h().floor()); }
    public Tensor ceil() { return call(() -> h().ceil()); }
    public Tensor round() { return call(() -> h().round()); }
    public Tensor sign() { return call(() -> h().sign()); }
    public Tensor isnan() { return call(() -> h().isnan()); }
    public Tensor isinf() { return call(() -> h().isinf()); }
    public Tensor logicalNot() { return call(() -> h().logical_not()); }

    /** SiLU / swish: {@code x * sigmoid(x)}. */
    public Tensor silu() { return call(() -> torch.silu(h())); }

    /** Exact (erf) GELU. */
    public Tensor gelu() { return call(() -> torch.gelu(h())); }

    /** GELU with {@code approximate} = {@code "none"} (exact) or {@code "tanh"}. */
    public Tensor gelu(String approximate) {
        if (!"none".equals(approximate) && !"tanh".equals(approximate))
            throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        return call(() -> torch.gelu(h(), approximate));
    }

    // ------------------------------------------------------------------ linear algebra

    /** Matrix product with PyTorch's broadcasting rules (1-D, 2-D and batched). */
    public Tensor matmul(Tensor other) {
        return call(() -> h().matmul(h(other, "other")));
    }

    public Tensor mm(Tensor other) {
        return call(() -> h().mm(h(other, "other")));
    }

    /** Batched matrix product of {@code [B, n, m]} and {@code [B, m, p]}. */
    public Tensor bmm(Tensor other) {
        return call(() -> h().bmm(h(other, "other")));
    }

    public Tensor dot(Tensor other) {
        return call(() -> h().dot(h(other, "other")));
    }

    public Tensor outer(Tensor other) {
        return call(() -> h().outer(h(other, "other")));
    }

    /** Transpose of a tensor of at most 2 dimensions. */
    public Tensor t() {
        return call(() -> h().t());
    }

    /** Transpose of the last two dimensions. */
    public Tensor mT() {
        return call(() -> h().mT());
    }

    /** Frobenius / 2-norm over all elements. */
    public Tensor norm() {
        return call(() -> h().norm());
    }

    /** p-norm over all elements. */
    public Tensor norm(double p) {
        try (Scalar s = new Scalar(p)) {
            return call(() -> h().norm(s));
        }
    }

    public Tensor tril(long diagonal) {
        return call(() -> h().tril(diagonal));
    }

    public Tensor triu(long diagonal) {
        return call(() -> h().triu(diagonal));
    }

    // ------------------------------------------------------------------ reductions

    public Tensor sum() {
        return call(() -> h().sum());
    }

    public Tensor sum(long dim) {
        return sum(new long[] {dim}, false);
    }

    public Tensor sum(long dim, boolean keepdim) {
        return sum(new long[] {dim}, keepdim);
    }

    public Tensor sum(long[] dims, boolean keepdim) {
        return call(() -> h().sum(dims, keepdim, Native.NO_DTYPE));
    }

    public Tensor mean() {
        return call(() -> h().mean());
    }

    public Tensor mean(long dim) {
        return mean(new long[] {dim}, false);
    }

    public Tensor mean(long dim, boolean keepdim) {
        return mean(new long[] {dim}, keepdim);
    }

    public Tensor mean(long[] dims, boolean keepdim) {
        return call(() -> h().mean(dims, keepdim, Native.NO_DTYPE));
    }

    public Tensor prod() {
        return call(() -> h().prod());
    }

    public Tensor prod(long dim, boolean keepdim) {
        return call(() -> h().prod(dim, keepdim, Native.NO_DTYPE));
    }

    /** Largest element. */
    public Tensor max() {
        return call(() -> h().max());
    }

    /** Smallest element. */
    public Tensor min() {
        return call(() -> h().min());
    }

    /** Largest values along {@code dim} and their indices (first occurrence on ties). */
    public ValuesIndices max(long dim, boolean keepdim) {
        return pair(() -> h().max(dim, keepdim));
    }

    public ValuesIndices min(long dim, boolean keepdim) {
        return pair(() -> h().min(dim, keepdim));
    }

    /** The {@code k} largest (or smallest) values along {@code dim}, sorted. */
    public ValuesIndices topk(long k, long dim, boolean largest) {
        if (k < 0) throw new IllegalArgumentException("topk: k must be >= 0, got " + k);
        return pair(() -> h().topk(k, dim, largest, true));
    }

    /** Values sorted along {@code dim} and the permutation that sorts them (stable). */
    public ValuesIndices sort(long dim, boolean descending) {
        try (org.bytedeco.pytorch.BoolOptional stable = new org.bytedeco.pytorch.BoolOptional(true)) {
            return pair(() -> h().sort(stable, dim, descending));
        }
    }

    private static ValuesIndices pair(java.util.function.Supplier<T_TensorTensor_T> op) {
        T_TensorTensor_T t;
        try {
            t = op.get();
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
        try (T_TensorTensor_T tuple = t) {
            return new ValuesIndices(new Tensor(own(tuple.get0())), new Tensor(own(tuple.get1())));
        }
    }

    /** Maximum over the given dims. */
    public Tensor amax(long[] dims, boolean keepdim) {
        return call(() -> h().amax(dims, keepdim));
    }

    public Tensor amin(long[] dims, boolean keepdim) {
        return call(() -> h().amin(dims, keepdim));
    }

    /** Index of the largest element of the flattened tensor. */
    public Tensor argmax() {
        return call(() -> h().argmax());
    }

    public Tensor argmax(long dim, boolean keepdim) {
        try (LongOptional d = new LongOptional(dim)) {
            return call(() -> h().argmax(d, keepdim));
        }
    }

    public Tensor argmin() {
        return call(() -> h().argmin());
    }

    public Tensor argmin(long dim, boolean keepdim) {
        try (LongOptional d = new LongOptional(dim)) {
            return call(() -> h().argmin(d, keepdim));
        }
    }

    /** Variance of all elements (Bessel-corrected when {@code unbiased}). */
    public Tensor var(boolean unbiased) {
        return call(() -> h().var(unbiased));
    }

    public Tensor var() {
        return var(true);
    }

    public Tensor var(long[] dims, boolean unbiased, boolean keepdim) {
        return call(() -> h().var(dims, unbiased, keepdim));
    }

    public Tensor std(boolean unbiased) {
        return call(() -> h().std(unbiased));
    }

    public Tensor std() {
        return std(true);
    }

    public Tensor std(long[] dims, boolean unbiased, boolean keepdim) {
        return call(() -> h().std(dims, unbiased, keepdim));
    }

    public Tensor logsumexp(long[] dims, boolean keepdim) {
        return call(() -> h().logsumexp(dims, keepdim));
    }

    public Tensor cumsum(long dim) {
        return call(() -> h().cumsum(dim));
    }

    public Tensor softmax(long dim) {
        return call(() -> h().softmax(dim));
    }

    public Tensor logSoftmax(long dim) {
        return call(() -> h().log_softmax(dim));
    }

    /** True if any element is non-zero. */
    public Tensor any() {
        return call(() -> h().any());
    }

    public Tensor all() {
        return call(() -> h().all());
    }

    // ------------------------------------------------------------------ comparisons

    public Tensor eq(Tensor other) { return call(() -> h().eq(h(other, "other"))); }
    public Tensor ne(Tensor other) { return call(() -> h().ne(h(other, "other"))); }
    public Tensor lt(Tensor other) { return call(() -> h().lt(h(other, "other"))); }
    public Tensor le(Tensor other) { return call(() -> h().le(h(other, "other"))); }
    public Tensor gt(Tensor other) { return call(() -> h().gt(h(other, "other"))); }
    public Tensor ge(Tensor other) { return call(() -> h().ge(h(other, "other"))); }

    public Tensor eq(double v) { try (Scalar s = new Scalar(v)) { return call(() -> h().eq(s)); } }
    public Tensor ne(double v) { try (Scalar s = new Scalar(v)) { return call(() -> h().ne(s)); } }
    public Tensor lt(double v) { try (Scalar s = new Scalar(v)) { return call(() -> h().lt(s)); } }
    public Tensor le(double v) { try (Scalar s = new Scalar(v)) { return call(() -> h().le(s)); } }
    public Tensor gt(double v) { try (Scalar s = new Scalar(v)) { return call(() -> h().gt(s)); } }
    public Tensor ge(double v) { try (Scalar s = new Scalar(v)) { return call(() -> h().ge(s)); } }

    public Tensor logicalAnd(Tensor other) { return call(() -> h().logical_and(h(other, "other"))); }
    public Tensor logicalOr(Tensor other) { return call(() -> h().logical_or(h(other, "other"))); }

    /** Same shape and elements (exactly). */
    public boolean equal(Tensor other) {
        try {
            return torch.equal(h(), h(other, "other"));
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
    }

    /** {@code |this - other| <= atol + rtol * |other|} everywhere (NaNs unequal). */
    public boolean allclose(Tensor other, double rtol, double atol) {
        try {
            return torch.allclose(h(), h(other, "other"), rtol, atol, false);
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
    }

    // ------------------------------------------------------------------ shape

    /** A view with a new shape (one dim may be -1); fails if the memory layout does not allow a view. */
    public Tensor view(long... shape) {
        checkShapeArg(shape, "view");
        return call(() -> h().view(shape));
    }

    /** Like {@link #view} but copies when needed. */
    public Tensor reshape(long... shape) {
        checkShapeArg(shape, "reshape");
        return call(() -> h().reshape(shape));
    }

    private static void checkShapeArg(long[] shape, String op) {
        int inferred = 0;
        for (long s : shape) {
            if (s == -1) inferred++;
            else if (s < 0) throw new IllegalArgumentException(op + ": invalid size " + s + " in shape " + Arrays.toString(shape));
        }
        if (inferred > 1) throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + Arrays.toString(shape));
    }

    public Tensor permute(long... dims) {
        return call(() -> h().permute(dims));
    }

    public Tensor transpose(long dim0, long dim1) {
        return call(() -> h().transpose(dim0, dim1));
    }

    /** Removes all dimensions of size 1. */
    public Tensor squeeze() {
        return call(() -> h().squeeze());
    }

    public Tensor squeeze(long dim) {
        return call(() -> h().squeeze(dim));
    }

    public Tensor unsqueeze(long dim) {
        return call(() -> h().unsqueeze(dim));
    }

    /** Broadcasts to {@code shape} without copying (-1 keeps a size). */
    public Tensor expand(long... shape) {
        return call(() -> h().expand(shape));
    }

    public Tensor expandAs(Tensor other) {
        return call(() -> h().expand_as(h(other, "other")));
    }

    public Tensor flatten() {
        return call(() -> h().flatten());
    }

    public Tensor flatten(long startDim, long endDim) {
        return call(() -> h().flatten(startDim, endDim));
    }

    public Tensor unflatten(long dim, long... sizes) {
        return call(() -> h().unflatten(dim, sizes));
    }

    public Tensor narrow(long dim, long start, long length) {
        return call(() -> h().narrow(dim, start, length));
    }

    public Tensor repeat(long... repeats) {
        return call(() -> h().repeat(repeats));
    }

    public Tensor flip(long... dims) {
        return call(() -> h().flip(dims));
    }

    /** Splits into chunks of {@code splitSize} along {@code dim} (the last may be smaller). */
    public List<Tensor> split(long splitSize, long dim) {
        if (splitSize <= 0) throw new IllegalArgumentException("split: splitSize must be > 0, got " + splitSize);
        return list(() -> h().split(splitSize, dim));
    }

    /** Splits into pieces of the given sizes along {@code dim}. */
    public List<Tensor> split(long[] sizes, long dim) {
        return list(() -> h().split_with_sizes(sizes, dim));
    }

    /** Splits into {@code chunks} nearly equal pieces along {@code dim}. */
    public List<Tensor> chunk(long chunks, long dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: chunks must be > 0, got " + chunks);
        return list(() -> h().chunk(chunks, dim));
    }

    /** Removes dimension {@code dim}, returning each slice. */
    public List<Tensor> unbind(long dim) {
        return list(() -> h().unbind(dim));
    }

    /** A native vector of the live handles of {@code ts}; names the offending element when one is null or closed. */
    static TensorVector vector(List<Tensor> ts, String name) {
        org.bytedeco.pytorch.Tensor[] hs = new org.bytedeco.pytorch.Tensor[ts.size()];
        for (int i = 0; i < hs.length; i++) hs[i] = h(ts.get(i), name + "[" + i + "]");
        return new TensorVector(hs);
    }

    static List<Tensor> list(java.util.function.Supplier<TensorVector> op) {
        TensorVector v;
        try {
            v = op.get();
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
        try (TensorVector vec = v) {
            long n = vec.size();
            List<Tensor> out = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) out.add(new Tensor(own(vec.get(i))));
            return out;
        }
    }

    // ------------------------------------------------------------------ indexing

    /** The slice {@code start:end:step} of dimension {@code dim} (a view; bounds are clamped as in Python). */
    public Tensor slice(long dim, long start, long end, long step) {
        if (step <= 0) throw new IllegalArgumentException("slice: step must be > 0, got " + step);
        try (LongOptional s = new LongOptional(start); LongOptional e = new LongOptional(end)) {
            return call(() -> h().slice(dim, s, e, step));
        }
    }

    public Tensor slice(long dim, long start, long end) {
        return slice(dim, start, end, 1);
    }

    /** Index {@code index} of dimension {@code dim}, removing that dimension (a view). */
    public Tensor select(long dim, long index) {
        return call(() -> h().select(dim, index));
    }

    /** Rows {@code index} (1-D int64) of dimension {@code dim} (a copy). */
    public Tensor indexSelect(long dim, Tensor index) {
        return call(() -> h().index_select(dim, h(index, "index")));
    }

    public Tensor gather(long dim, Tensor index) {
        return call(() -> h().gather(dim, h(index, "index")));
    }

    /** Out-of-place scatter: a copy with {@code src} values written at {@code index} along {@code dim}. */
    public Tensor scatter(long dim, Tensor index, Tensor src) {
        return call(() -> h().scatter(dim, h(index, "index"), h(src, "src")));
    }

    public Tensor scatter(long dim, Tensor index, double value) {
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().scatter(dim, h(index, "index"), s));
        }
    }

    public Tensor scatterAdd(long dim, Tensor index, Tensor src) {
        return call(() -> h().scatter_add(dim, h(index, "index"), h(src, "src")));
    }

    /** A copy with {@code value} where {@code mask} (bool, broadcastable) is true. */
    public Tensor maskedFill(Tensor mask, double value) {
        checkBoolMask(mask);
        try (Scalar s = new Scalar(value)) {
            return call(() -> h().masked_fill(h(mask, "mask"), s));
        }
    }

    /** 1-D tensor of the elements where {@code mask} is true. */
    public Tensor maskedSelect(Tensor mask) {
        checkBoolMask(mask);
        return call(() -> h().masked_select(h(mask, "mask")));
    }

    private void checkBoolMask(Tensor mask) {
        h();
        DType d = mask.dtype();
        if (d != DType.BOOL) throw new IllegalArgumentException("mask: expected dtype bool, got " + d.pytorchName());
    }

    /** {@code condition ? this : other}, elementwise with broadcasting. */
    public Tensor where(Tensor condition, Tensor other) {
        checkBoolMask(condition);
        return call(() -> h().where(h(condition, "condition"), h(other, "other")));
    }

    /** Indices of non-zero elements, {@code [count, dim]} int64. */
    public Tensor nonzero() {
        return call(() -> h().nonzero());
    }

    /**
     * Advanced indexing {@code x[index]}: a bool mask selects elements (like {@link #maskedSelect} when
     * shapes match, or rows when it covers the leading dims); an int64 tensor picks along dimension 0.
     */
    public Tensor index(Tensor index) {
        h();
        DType d = index.dtype();
        if (d != DType.BOOL && d != DType.INT64 && d != DType.INT32 && d != DType.UINT8)
            throw new IllegalArgumentException("index: expected a bool or integer tensor, got " + d.pytorchName());
        org.bytedeco.pytorch.Tensor idx = h(index, "index");
        try (TensorIndex ti = new TensorIndex(idx); TensorIndexVector v = new TensorIndexVector(ti)) {
            return call(() -> h().index(v));
        }
    }

    /** {@code x.index_copy_(dim, index, source)}: copies the slices of source into the positions index (int64) along dim. */
    public Tensor indexCopy_(long dim, Tensor index, Tensor source) {
        return inPlace(() -> h().index_copy_(dim, h(index, "index"), h(source, "source")));
    }

    /** Writes {@code value} at the positions picked by {@code index} (as in {@link #index(Tensor)}). */
    public Tensor indexPut_(Tensor index, Tensor value) {
        org.bytedeco.pytorch.Tensor idx = h(index, "index");
        try (TensorIndex ti = new TensorIndex(idx); TensorIndexVector v = new TensorIndexVector(ti)) {
            return inPlace(() -> h().index_put_(v, h(value, "value")));
        }
    }

    /**
     * Compact index syntax as in Python, e.g. {@code x.index("1:3, ::2, None, ..., -1")}: comma-separated
     * integers, slices {@code start:stop:step}, {@code None} (new axis) and one {@code ...}. Integer
     * indices remove their dimension; the result is a view.
     */
    public Tensor index(String spec) {
        h();
        return IndexSpec.parse(spec).apply(this);
    }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() {
        return h().requires_grad();
    }

    /** Sets whether autograd records operations on this (leaf) tensor; returns this. */
    public Tensor requiresGrad_(boolean requiresGrad) {
        if (requiresGrad && !isFloatingPoint())
            throw new IllegalArgumentException("requiresGrad_: only floating point tensors can require gradients, got "
                    + dtype().pytorchName());
        return inPlace(() -> h().requires_grad_(requiresGrad));
    }

    public Tensor requiresGrad_() {
        return requiresGrad_(true);
    }

    public boolean isLeaf() {
        return h().is_leaf();
    }

    /** Keeps {@link #grad()} for this non-leaf tensor after backward. */
    public void retainGrad() {
        try {
            h().retain_grad();
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
    }

    /** Name of the autograd node that made this tensor ({@code "AddBackward0"}), or null for leaves. */
    public String gradFnName() {
        Node n = h().grad_fn();
        if (n == null || n.isNull()) return null;
        return n.name().getString();
    }

    /** Backpropagates from this scalar tensor. */
    public void backward() {
        org.bytedeco.pytorch.Tensor x = h();
        if (x.numel() != 1)
            throw new IllegalStateException("backward: grad can be implicitly created only for scalar outputs, got shape "
                    + Arrays.toString(shape()) + "; pass a gradient");
        try {
            x.backward();
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
    }

    /** Backpropagates with {@code gradient} = d(loss)/d(this). */
    public void backward(Tensor gradient) {
        backward(gradient, false, false);
    }

    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        org.bytedeco.pytorch.Tensor g = h(gradient, "gradient");
        try (org.bytedeco.pytorch.BoolOptional retain = new org.bytedeco.pytorch.BoolOptional(retainGraph)) {
            h().backward(g, retain, createGraph, Native.NO_TENSORS);
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
    }

    /** The accumulated gradient (a new handle on it), or null if none. */
    public Tensor grad() {
        org.bytedeco.pytorch.Tensor g = h().grad();
        if (g == null || g.isNull() || !g.defined()) return null;
        return new Tensor(own(g));
    }

    /** Drops the accumulated gradient (PyTorch's {@code x.grad = None}). */
    public void zeroGrad() {
        org.bytedeco.pytorch.Tensor g = h().mutable_grad();
        if (g != null && !g.isNull() && g.defined()) g.reset();
    }

    // ------------------------------------------------------------------ printing

    /** PyTorch's print format, e.g. {@code tensor([[1., 2.], [3., 4.]], dtype=torch.float64)}. */
    @Override
    public String toString() {
        if (h == null) return "tensor(<closed>)";
        return TensorFormatter.format(this);
    }

    // ------------------------------------------------------------------ ownership across threads

    /**
     * Hands this tensor to the calling thread's innermost open scope, which will then close it as if the
     * tensor had been created there; with no scope open, the caller owns it. Meant for tensors made on
     * another thread outside any scope (a data loader's prefetch thread) and passed to this one; a tensor
     * still held by a scope must not be handed over. Returns this.
     */
    public Tensor joinCurrentScope() {
        h();
        Scope.register(this);
        return this;
    }

    // ------------------------------------------------------------------ sampling

    /**
     * Draws {@code numSamples} indices per row from the (unnormalised, non-negative) weights in the last
     * dimension, as {@code torch.multinomial}: input {@code [V]} or {@code [B, V]}, output int64
     * {@code [numSamples]} or {@code [B, numSamples]}. Uses the default generator ({@link Torch#manualSeed}).
     */
    public Tensor multinomial(long numSamples, boolean replacement) {
        if (numSamples <= 0) throw new IllegalArgumentException("multinomial: numSamples must be > 0, got " + numSamples);
        try (org.bytedeco.pytorch.GeneratorOptional g = new org.bytedeco.pytorch.GeneratorOptional()) {
            return call(() -> h().multinomial(numSamples, replacement, g));
        }
    }
}
