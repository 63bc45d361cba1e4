package dev.torch4j;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Factories, global settings and functional forms of tensor ops, as the {@code torch} module in Python.
 *
 * <pre>{@code
 * try (var scope = Torch.scope()) {
 *     Tensor x = Torch.tensor(new float[] {1, 2, 3, 4}, 2, 2);
 *     Tensor y = x.matmul(x).add(1);
 *     System.out.println(y);
 * }
 * }</pre>
 */
public final class Torch {
    private Torch() {}

    static {
        Native.init();
    }

    /** Functional autograd: {@code Torch.autograd.grad(output, inputs)}. */
    public static final Autograd autograd = new Autograd();

    // ------------------------------------------------------------------ settings

    /** Seeds LibTorch's default generators (CPU and CUDA). */
    public static void manualSeed(long seed) {
        torch.manual_seed(seed);
    }

    /** Threads LibTorch uses for intra-op parallelism. */
    public static void setNumThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("setNumThreads: expected n >= 1, got " + n);
        torch.set_num_threads(n);
    }

    public static int getNumThreads() {
        return torch.get_num_threads();
    }

    /** True when LibTorch has CUDA and at least one GPU is visible. */
    public static boolean cudaIsAvailable() {
        return Devices.cudaAvailable();
    }

    public static int cudaDeviceCount() {
        return Devices.cudaDeviceCount();
    }

    /** {@link Device#cuda(int) cuda:0} when available, else {@link Device#CPU}. */
    public static Device defaultDevice() {
        return cudaIsAvailable() ? Device.cuda(0) : Device.CPU;
    }

    /** Opens a memory scope on this thread; see {@link Scope}. */
    public static Scope scope() {
        return Scope.open();
    }

    /** Turns autograd recording off on this thread until the guard is closed (as {@code torch.no_grad()}). */
    public static GradMode noGrad() {
        return new GradMode(false);
    }

    /** Turns autograd recording on on this thread until the guard is closed. */
    public static GradMode enableGrad() {
        return new GradMode(true);
    }

    public static boolean isGradEnabled() {
        return GradMode.isEnabled();
    }

    // ------------------------------------------------------------------ from Java data

    /** A float32 tensor holding {@code data} in row-major order; no shape means 1-D. */
    public static Tensor tensor(float[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        long[] s = checkData(data.length, shape);
        Tensor t = empty(s, DType.FLOAT32);
        if (data.length > 0) t.h().data_ptr_float().put(data);
        return t;
    }

    /** A float64 tensor. */
    public static Tensor tensor(double[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        long[] s = checkData(data.length, shape);
        Tensor t = empty(s, DType.FLOAT64);
        if (data.length > 0) t.h().data_ptr_double().put(data);
        return t;
    }

    /** An int64 tensor. */
    public static Tensor tensor(long[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        long[] s = checkData(data.length, shape);
        Tensor t = empty(s, DType.INT64);
        if (data.length > 0) t.h().data_ptr_long().put(data);
        return t;
    }

    /** An int32 tensor. */
    public static Tensor tensor(int[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        long[] s = checkData(data.length, shape);
        Tensor t = empty(s, DType.INT32);
        if (data.length > 0) t.h().data_ptr_int().put(data);
        return t;
    }

    /** A bool tensor. */
    public static Tensor tensor(boolean[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        long[] s = checkData(data.length, shape);
        Tensor t = empty(s, DType.BOOL);
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) bytes[i] = (byte) (data[i] ? 1 : 0);
        if (bytes.length > 0) new BytePointer(t.h().data_ptr()).put(bytes);
        return t;
    }

    /** A 0-dimensional float32 tensor. */
    public static Tensor scalarTensor(double value) {
        return scalarTensor(value, DType.FLOAT32);
    }

    public static Tensor scalarTensor(double value, DType dtype) {
        return full(new long[0], value, dtype);
    }

    /**
     * A tensor copied from the remaining elements of a NIO buffer (float, double, int, long, or a byte
     * buffer read as {@code dtype} in the buffer's byte order).
     */
    public static Tensor fromBuffer(Buffer buffer, DType dtype, long... shape) {
        Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(dtype, "dtype");
        if (buffer instanceof ByteBuffer bb) {
            int n = bb.remaining();
            if (n % dtype.byteSize() != 0)
                throw new IllegalArgumentException("buffer: " + n + " bytes is not a multiple of " + dtype.byteSize()
                        + " (" + dtype.pytorchName() + ")");
            long[] s = checkData(n / dtype.byteSize(), shape);
            byte[] bytes = new byte[n];
            bb.duplicate().get(bytes);
            if (bb.order() != ByteOrder.nativeOrder() && dtype.byteSize() > 1) swapBytes(bytes, dtype.byteSize());
            Tensor t = empty(s, dtype);
            if (n > 0) new BytePointer(t.h().data_ptr()).put(bytes);
            return t;
        }
        DType expected = buffer instanceof FloatBuffer ? DType.FLOAT32 : buffer instanceof DoubleBuffer ? DType.FLOAT64
                : buffer instanceof IntBuffer ? DType.INT32 : buffer instanceof LongBuffer ? DType.INT64 : null;
        if (expected == null) throw new IllegalArgumentException("buffer: unsupported type " + buffer.getClass().getName());
        if (expected != dtype)
            throw new IllegalArgumentException("dtype: a " + buffer.getClass().getSimpleName() + " holds "
                    + expected.pytorchName() + ", got " + dtype.pytorchName());
        long[] s = checkData(buffer.remaining(), shape);
        Tensor t = empty(s, dtype);
        if (buffer.remaining() == 0) return t;
        org.bytedeco.javacpp.Pointer p = t.h().data_ptr();
        if (buffer instanceof FloatBuffer fb) new FloatPointer(p).put(copy(fb));
        else if (buffer instanceof DoubleBuffer db) new DoublePointer(p).put(copy(db));
        else if (buffer instanceof IntBuffer ib) new IntPointer(p).put(copy(ib));
        else new LongPointer(p).put(copy((LongBuffer) buffer));
        return t;
    }

    private static float[] copy(FloatBuffer b) { float[] a = new float[b.remaining()]; b.duplicate().get(a); return a; }
    private static double[] copy(DoubleBuffer b) { double[] a = new double[b.remaining()]; b.duplicate().get(a); return a; }
    private static int[] copy(IntBuffer b) { int[] a = new int[b.remaining()]; b.duplicate().get(a); return a; }
    private static long[] copy(LongBuffer b) { long[] a = new long[b.remaining()]; b.duplicate().get(a); return a; }

    private static void swapBytes(byte[] b, int width) {
        for (int i = 0; i + width <= b.length; i += width)
            for (int j = 0; j < width / 2; j++) {
                byte tmp = b[i + j];
                b[i + j] = b[i + width - 1 - j];
                b[i + width - 1 - j] = tmp;
            }
    }

    /** Validates a shape for {@code length} elements; an empty shape means 1-D of that length. */
    private static long[] checkData(long length, long[] shape) {
        if (shape == null || shape.length == 0) return new long[] {length};
        long n = numelOf(shape, "shape");
        if (n != length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " elements, data has "
                    + length);
        return shape.clone();
    }

    /** Product of sizes; rejects negative sizes and overflow. */
    static long numelOf(long[] shape, String name) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException(name + ": sizes must be non-negative, got " + Arrays.toString(shape));
            try {
                n = Math.multiplyExact(n, s);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(name + ": number of elements overflows 64 bits: " + Arrays.toString(shape));
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ factories

    public static Tensor empty(long... shape) {
        return empty(shape, DType.FLOAT32);
    }

    public static Tensor empty(long[] shape, DType dtype) {
        numelOf(shape, "shape");
        TensorOptions o = Native.cpuOptions(dtype);
        return Tensor.call(() -> torch.empty(shape, o, Native.NO_MEMORY_FORMAT));
    }

    public static Tensor zeros(long... shape) {
        return zeros(shape, DType.FLOAT32);
    }

    public static Tensor zeros(long[] shape, DType dtype) {
        numelOf(shape, "shape");
        TensorOptions o = Native.cpuOptions(dtype);
        return Tensor.call(() -> torch.zeros(shape, o));
    }

    public static Tensor ones(long... shape) {
        return ones(shape, DType.FLOAT32);
    }

    public static Tensor ones(long[] shape, DType dtype) {
        numelOf(shape, "shape");
        TensorOptions o = Native.cpuOptions(dtype);
        return Tensor.call(() -> torch.ones(shape, o));
    }

    public static Tensor full(long[] shape, double value) {
        return full(shape, value, DType.FLOAT32);
    }

    public static Tensor full(long[] shape, double value, DType dtype) {
        numelOf(shape, "shape");
        TensorOptions o = Native.cpuOptions(dtype);
        try (Scalar s = new Scalar(value)) {
            return Tensor.call(() -> torch.full(shape, s, o));
        }
    }

    /** Uniform samples in [0, 1). */
    public static Tensor rand(long... shape) {
        return rand(shape, DType.FLOAT32);
    }

    public static Tensor rand(long[] shape, DType dtype) {
        checkFloat(dtype, "rand");
        numelOf(shape, "shape");
        TensorOptions o = Native.cpuOptions(dtype);
        return Tensor.call(() -> torch.rand(shape, o));
    }

    /** Standard normal samples. */
    public static Tensor randn(long... shape) {
        return randn(shape, DType.FLOAT32);
    }

    public static Tensor randn(long[] shape, DType dtype) {
        checkFloat(dtype, "randn");
        numelOf(shape, "shape");
        TensorOptions o = Native.cpuOptions(dtype);
        return Tensor.call(() -> torch.randn(shape, o));
    }

    /** Integers uniform in [low, high), int64. */
    public static Tensor randint(long low, long high, long... shape) {
        if (low >= high) throw new IllegalArgumentException("randint: expected low < high, got low=" + low + ", high=" + high);
        numelOf(shape, "shape");
        TensorOptions o = Native.cpuOptions(DType.INT64);
        return Tensor.call(() -> torch.randint(low, high, shape, o));
    }

    /** A random permutation of 0..n-1, int64. */
    public static Tensor randperm(long n) {
        if (n < 0) throw new IllegalArgumentException("randperm: n must be >= 0, got " + n);
        TensorOptions o = Native.cpuOptions(DType.INT64);
        return Tensor.call(() -> torch.randperm(n, o));
    }

    private static void checkFloat(DType d, String op) {
        if (!d.isFloatingPoint()) throw new IllegalArgumentException(op + ": dtype must be floating point, got " + d.pytorchName());
    }

    /** 0, 1, ..., end-1 as int64. */
    public static Tensor arange(long end) {
        return arange(0, end, 1);
    }

    public static Tensor arange(long start, long end) {
        return arange(start, end, 1);
    }

    public static Tensor arange(long start, long end, long step) {
        if (step == 0) throw new IllegalArgumentException("arange: step must be non-zero");
        TensorOptions o = Native.cpuOptions(DType.INT64);
        try (Scalar a = new Scalar(start); Scalar b = new Scalar(end); Scalar c = new Scalar(step)) {
            return Tensor.call(() -> torch.arange(a, b, c, o));
        }
    }

    /** start, start+step, ... below end, as float32. */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || !Double.isFinite(step)) throw new IllegalArgumentException("arange: step must be finite and non-zero, got " + step);
        TensorOptions o = Native.cpuOptions(DType.FLOAT32);
        try (Scalar a = new Scalar(start); Scalar b = new Scalar(end); Scalar c = new Scalar(step)) {
            return Tensor.call(() -> torch.arange(a, b, c, o));
        }
    }

    /** {@code steps} evenly spaced float32 values from start to end inclusive. */
    public static Tensor linspace(double start, double end, long steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        TensorOptions o = Native.cpuOptions(DType.FLOAT32);
        try (Scalar a = new Scalar(start); Scalar b = new Scalar(end)) {
            return Tensor.call(() -> torch.linspace(a, b, steps, o));
        }
    }

    /** The n×n identity. */
    public static Tensor eye(long n) {
        return eye(n, n);
    }

    public static Tensor eye(long n, long m) {
        if (n < 0 || m < 0) throw new IllegalArgumentException("eye: sizes must be >= 0, got " + n + "x" + m);
        TensorOptions o = Native.cpuOptions(DType.FLOAT32);
        return Tensor.call(() -> torch.eye(n, m, o));
    }

    public static Tensor zerosLike(Tensor t) {
        return Tensor.call(() -> torch.zeros_like(Tensor.h(t, "t"), Native.NO_DTYPE, Native.NO_LAYOUT, Native.NO_DEVICE,
                Native.NO_BOOL, Native.NO_MEMORY_FORMAT));
    }

    public static Tensor onesLike(Tensor t) {
        return Tensor.call(() -> torch.ones_like(Tensor.h(t, "t"), Native.NO_DTYPE, Native.NO_LAYOUT, Native.NO_DEVICE,
                Native.NO_BOOL, Native.NO_MEMORY_FORMAT));
    }

    public static Tensor emptyLike(Tensor t) {
        return Tensor.call(() -> torch.empty_like(Tensor.h(t, "t"), Native.NO_DTYPE, Native.NO_LAYOUT, Native.NO_DEVICE,
                Native.NO_BOOL, Native.NO_MEMORY_FORMAT));
    }

    public static Tensor randLike(Tensor t) {
        return Tensor.call(() -> torch.rand_like(Tensor.h(t, "t"), Native.NO_DTYPE, Native.NO_LAYOUT, Native.NO_DEVICE,
                Native.NO_BOOL, Native.NO_MEMORY_FORMAT));
    }

    public static Tensor randnLike(Tensor t) {
        return Tensor.call(() -> torch.randn_like(Tensor.h(t, "t"), Native.NO_DTYPE, Native.NO_LAYOUT, Native.NO_DEVICE,
                Native.NO_BOOL, Native.NO_MEMORY_FORMAT));
    }

    public static Tensor fullLike(Tensor t, double value) {
        try (Scalar s = new Scalar(value)) {
            return Tensor.call(() -> torch.full_like(Tensor.h(t, "t"), s));
        }
    }

    // ------------------------------------------------------------------ functional ops

    public static Tensor add(Tensor a, Tensor b) { return a.add(b); }
    public static Tensor sub(Tensor a, Tensor b) { return a.sub(b); }
    public static Tensor mul(Tensor a, Tensor b) { return a.mul(b); }
    public static Tensor div(Tensor a, Tensor b) { return a.div(b); }
    public static Tensor matmul(Tensor a, Tensor b) { return a.matmul(b); }

    /** Writes {@code a + b} into {@code out} (resized if needed) and returns {@code out}: no allocation in hot loops. */
    public static Tensor addOut(Tensor out, Tensor a, Tensor b) {
        return outOp(out, () -> torch.add_out(Tensor.h(out, "out"), Tensor.h(a, "a"), Tensor.h(b, "b")));
    }

    public static Tensor subOut(Tensor out, Tensor a, Tensor b) {
        try (Scalar one = new Scalar(1.0)) {
            return outOp(out, () -> torch.sub_out(Tensor.h(out, "out"), Tensor.h(a, "a"), Tensor.h(b, "b"), one));
        }
    }

    public static Tensor mulOut(Tensor out, Tensor a, Tensor b) {
        return outOp(out, () -> torch.mul_out(Tensor.h(out, "out"), Tensor.h(a, "a"), Tensor.h(b, "b")));
    }

    public static Tensor divOut(Tensor out, Tensor a, Tensor b) {
        return outOp(out, () -> torch.div_out(Tensor.h(out, "out"), Tensor.h(a, "a"), Tensor.h(b, "b")));
    }

    public static Tensor matmulOut(Tensor out, Tensor a, Tensor b) {
        return outOp(out, () -> torch.matmul_out(Tensor.h(out, "out"), Tensor.h(a, "a"), Tensor.h(b, "b")));
    }

    private static Tensor outOp(Tensor out, Tensor.NativeOp op) {
        try {
            // The returned handle is a reference to out's own at::Tensor; nothing new to own.
            op.run();
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
        return out;
    }

    /** Concatenates along an existing dimension. */
    public static Tensor cat(List<Tensor> tensors, long dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        try (TensorVector v = Tensor.vector(tensors, "tensors"); TensorArrayRef r = new TensorArrayRef(v)) {
            return Tensor.call(() -> torch.cat(r, dim));
        }
    }

    /** Stacks along a new dimension. */
    public static Tensor stack(List<Tensor> tensors, long dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        try (TensorVector v = Tensor.vector(tensors, "tensors"); TensorArrayRef r = new TensorArrayRef(v)) {
            return Tensor.call(() -> torch.stack(r, dim));
        }
    }

    /** {@code condition ? x : y} elementwise with broadcasting. */
    public static Tensor where(Tensor condition, Tensor x, Tensor y) {
        return x.where(condition, y);
    }

    /** Einstein summation, e.g. {@code einsum("bij,bjk->bik", a, b)}. */
    public static Tensor einsum(String equation, Tensor... operands) {
        Objects.requireNonNull(equation, "equation");
        try (TensorVector v = Tensor.vector(Arrays.asList(operands), "operands"); TensorArrayRef r = new TensorArrayRef(v)) {
            return Tensor.call(() -> torch.einsum(equation, r));
        }
    }

}
