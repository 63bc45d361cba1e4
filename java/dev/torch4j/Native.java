package dev.torch4j;

import java.util.regex.Pattern;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.LayoutOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The one bridge between torch4j and the Bytedeco presets: loading, error translation and shared
 * immutable native constants. Package-private; nothing here reaches a public signature.
 */
final class Native {
    private Native() {}

    static {
        loadOwnKernels();
        preExtractLibTorch();
        Loader.load(torch.class);
    }

    /** Our kernel library loads first: it sets process defaults that LibTorch reads when it loads. */
    private static void loadOwnKernels() {
        try {
            Class.forName("dev.torch4j.kernels.NativeKernels", true, Native.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Immutable "empty" optionals passed where LibTorch takes c10::nullopt. Never closed: they live as
    // long as the class and are only read.
    static final ScalarTypeOptional NO_DTYPE = new ScalarTypeOptional();
    static final LayoutOptional NO_LAYOUT = new LayoutOptional();
    static final DeviceOptional NO_DEVICE = new DeviceOptional();
    static final BoolOptional NO_BOOL = new BoolOptional();
    static final MemoryFormatOptional NO_MEMORY_FORMAT = new MemoryFormatOptional();
    static final TensorArrayRefOptional NO_TENSORS = new TensorArrayRefOptional();
    static final GeneratorOptional NO_GENERATOR = new GeneratorOptional();

    private static final TensorOptions[] CPU_OPTIONS = new TensorOptions[DType.values().length];

    static {
        for (DType d : DType.values()) CPU_OPTIONS[d.ordinal()] = new TensorOptions(d.scalarType);
    }

    /** Forces the class initializer (library loading) to run. */
    static void init() {}

    /** Cached options for a CPU tensor of dtype d. */
    static TensorOptions cpuOptions(DType d) {
        return CPU_OPTIONS[d.ordinal()];
    }

    /**
     * JavaCPP extracts LibTorch's libraries one by one on first use and loads libtorch.so before
     * libtorch_cpu.so is in its cache; the dynamic linker then finds a system LibTorch instead (Debian's
     * python3-torch installs one), and the JVM crashes. Extracting the core libraries first avoids that.
     */
    private static void preExtractLibTorch() {
        String[] dirs = {Loader.getPlatform() + "-gpu", Loader.getPlatform()};
        String[] libs = {"libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"};
        for (String dir : dirs) {
            for (String lib : libs) {
                String path = "/org/bytedeco/pytorch/" + dir + "/" + lib;
                if (torch.class.getResource(path) == null) continue;
                try {
                    Loader.cacheResource(torch.class, path);
                } catch (java.io.IOException e) {
                    throw new TorchException("cannot extract " + path + " into the JavaCPP cache: " + e.getMessage(), e);
                }
            }
        }
    }

    private static final Pattern BACKTRACE = Pattern.compile("\\n?Exception raised from .*", Pattern.DOTALL);
    private static final Pattern FRAMES = Pattern.compile("\\n?frame #\\d+:.*", Pattern.DOTALL);

    /** The native message without LibTorch's C++ source location and stack frames. */
    static String cleanMessage(String msg) {
        if (msg == null) return "LibTorch error (no message)";
        String m = BACKTRACE.matcher(msg).replaceFirst("");
        m = FRAMES.matcher(m).replaceFirst("");
        return m.strip();
    }

    /**
     * Converts an exception thrown by a Bytedeco call. JavaCPP turns C++ exceptions into plain
     * {@link RuntimeException}s; our own exceptions (closed tensor, bad argument) pass through unchanged.
     */
    static RuntimeException translate(RuntimeException e) {
        if (e.getClass() == RuntimeException.class) return new TorchException(cleanMessage(e.getMessage()));
        return e;
    }
}
