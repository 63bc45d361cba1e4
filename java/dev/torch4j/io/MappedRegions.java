package dev.torch4j.io;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.concurrent.ConcurrentHashMap;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.PointerConsumer;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.torch4j.DType;
import dev.torch4j.Tensor;

/**
 * Zero-copy tensors over memory-mapped file regions. Each tensor gets its own mapping (so no region exceeds
 * 2 GiB per tensor and no mapping is shared); LibTorch's storage deleter, called once when the last tensor or
 * view on that storage dies, unmaps it. Package-private.
 *
 * <p>One {@link PointerConsumer} serves every tensor (JavaCPP callbacks are a scarce native resource); it
 * finds the mapping by the data address it is handed. Addresses are unique while a mapping lives, because
 * mappings never overlap and empty tensors never come here.
 */
final class MappedRegions {
    private MappedRegions() {}

    private record Region(MappedByteBuffer buffer, BytePointer pointer) {}

    private static final ConcurrentHashMap<Long, Region> LIVE = new ConcurrentHashMap<>();

    /** Called by LibTorch (any thread) when a mapped storage is freed; must never throw into C++. */
    private static final PointerConsumer DELETER = new PointerConsumer() {
        @Override
        public void call(Pointer data) {
            try {
                release(data.address());
            } catch (Throwable t) {
                // Nothing can be reported from inside a C++ destructor; the mapping is left to the GC.
            }
        }
    };

    // Shared, immutable, never closed (like dev.torch4j.Native's cached options).
    private static final TensorOptions[] OPTIONS = new TensorOptions[DType.values().length];

    static {
        for (DType d : DType.values()) OPTIONS[d.ordinal()] = new TensorOptions(scalarType(d));
    }

    private static ScalarType scalarType(DType d) {
        return switch (d) {
            case BOOL -> ScalarType.Bool;
            case UINT8 -> ScalarType.Byte;
            case INT8 -> ScalarType.Char;
            case INT16 -> ScalarType.Short;
            case INT32 -> ScalarType.Int;
            case INT64 -> ScalarType.Long;
            case FLOAT16 -> ScalarType.Half;
            case BFLOAT16 -> ScalarType.BFloat16;
            case FLOAT32 -> ScalarType.Float;
            case FLOAT64 -> ScalarType.Double;
        };
    }

    /**
     * A CPU tensor over {@code buffer} (a fresh, non-empty mapping of exactly the tensor's bytes), which it
     * then owns: the mapping is released when LibTorch frees the storage, or here if wrapping fails.
     */
    static Tensor wrap(MappedByteBuffer buffer, DType dtype, long[] shape) {
        BytePointer p = new BytePointer(buffer);
        long address = p.address();
        LIVE.put(address, new Region(buffer, p));
        org.bytedeco.pytorch.Tensor h = null;
        try {
            h = torch.from_blob(p, shape, DELETER, OPTIONS[dtype.ordinal()]);
            return Tensor.adopt(h);
        } catch (RuntimeException | Error e) {
            if (h != null) h.close(); // runs the deleter
            release(address);         // a no-op if the deleter already ran
            throw e;
        }
    }

    /** Number of mappings that live tensors still hold (for tests). */
    static int live() {
        return LIVE.size();
    }

    private static void release(long address) {
        Region r = LIVE.remove(address);
        if (r == null) return;
        r.pointer.close();
        Unmapper.unmap(r.buffer);
    }

    /** Unmaps at once where the JDK allows it ({@code sun.misc.Unsafe.invokeCleaner}); else the GC does, later. */
    private static final class Unmapper {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static {
            Object unsafe = null;
            Method invoke = null;
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                unsafe = f.get(null);
                invoke = c.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                unsafe = null;
                invoke = null;
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = invoke;
        }

        static void unmap(MappedByteBuffer b) {
            if (INVOKE_CLEANER == null) return;
            try {
                INVOKE_CLEANER.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Left to the GC's cleaner.
            }
        }
    }
}
