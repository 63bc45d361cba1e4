package dev.torch4j.data;

import java.nio.ByteBuffer;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.global.torch;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.TorchException;

/**
 * A private CPU generator ({@code torch.Generator()} in Python): LibTorch's mt19937 with its own state, so
 * seeded shuffles neither read nor disturb the global generator. The core API has no generator type yet,
 * so this class talks to the Bytedeco presets itself; nothing of it is public.
 */
final class Rng implements AutoCloseable {
    static {
        // Loads LibTorch the torch4j way (see dev.torch4j.Native) before any call below.
        Torch.isGradEnabled();
    }

    private final Generator generator;
    private final GeneratorOptional optional;

    private Rng(Generator generator) {
        this.generator = generator;
        this.optional = new GeneratorOptional(generator);
    }

    /** {@code torch.Generator().manual_seed(seed)}. */
    static Rng seeded(long seed) {
        return new Rng(native_(() -> torch.createCPUGenerator(seed)));
    }

    /** A generator continuing from a state saved by {@link #state()}. */
    static Rng restore(byte[] state) {
        Rng r = new Rng(native_(() -> torch.createCPUGenerator()));
        try (Tensor s = Torch.fromBuffer(ByteBuffer.wrap(state), DType.UINT8, state.length)) {
            run(() -> r.generator.set_state(s.unwrap()));
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** The full generator state ({@code g.get_state()}), to continue later with {@link #restore}. */
    byte[] state() {
        org.bytedeco.pytorch.Tensor s = native_(generator::get_state);
        try {
            byte[] b = new byte[Math.toIntExact(s.numel())];
            new BytePointer(s.data_ptr()).capacity(b.length).get(b);
            return b;
        } finally {
            s.close();
        }
    }

    /** {@code torch.empty((), dtype=torch.int64).random_(generator=g).item()}. */
    long random64() {
        try (Tensor t = Torch.empty(new long[0], DType.INT64)) {
            run(() -> t.unwrap().random_(optional));
            return t.itemLong();
        }
    }

    /** {@code torch.empty((), dtype=torch.int64).random_().item()}: one draw from the global CPU generator. */
    static long globalRandom64() {
        try (Tensor t = Torch.empty(new long[0], DType.INT64)) {
            run(() -> t.unwrap().random_());
            return t.itemLong();
        }
    }

    /** {@code torch.randperm(n, generator=g).tolist()}. */
    long[] randperm(long n) {
        try (Tensor p = Tensor.adopt(native_(() -> torch.randperm(n, optional)))) {
            return p.toLongArray();
        }
    }

    @Override
    public void close() {
        optional.close();
        generator.close();
    }

    private interface NativeCall<T> {
        T call();
    }

    /** JavaCPP turns C++ exceptions into plain RuntimeExceptions; they become TorchExceptions here. */
    private static <T> T native_(NativeCall<T> op) {
        try {
            return op.call();
        } catch (RuntimeException e) {
            if (e.getClass() == RuntimeException.class) throw new TorchException(e.getMessage(), e);
            throw e;
        }
    }

    private static void run(Runnable op) {
        native_(() -> {
            op.run();
            return null;
        });
    }
}
