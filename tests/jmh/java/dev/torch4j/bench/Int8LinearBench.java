package dev.torch4j.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.kernels.Int8Weights;
import dev.torch4j.kernels.Kernels;
import dev.torch4j.nn.functional.F;

/**
 * {@link Kernels#int8Linear} against LibTorch's float32 linear on the dequantized weights, the layer the models ran
 * for prompts before the VNNI path: {@code rows} x {@code shape} ({@code in x out}: GPT-2 small's c_fc and c_proj,
 * MiniLM's intermediate), {@code threads} for both sides. {@code int8Vnni} is {@link Int8Weights#quantize} (VNNI
 * where the CPU has it), {@code int8Exact} the same weights without the packed layout (exact dequantization).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
@State(Scope.Thread)
public class Int8LinearBench {
    @Param({"1", "64", "1024"})
    public int rows;

    @Param({"768x3072", "3072x768", "384x1536"})
    public String shape;

    @Param({"2"})
    public int threads;

    private Tensor x, w, bias;
    private Int8Weights vnni, exact;

    @Setup(Level.Trial)
    public void setup() {
        Torch.setNumThreads(threads);
        Torch.manualSeed(0);
        String[] io = shape.split("x");
        long in = Long.parseLong(io[0]), out = Long.parseLong(io[1]);
        x = Torch.randn(rows, in);
        bias = Torch.randn(out);
        vnni = Int8Weights.quantize(Torch.randn(out, in).mul(0.02));
        w = vnni.dequantize();
        exact = Int8Weights.of(vnni.weight().clone(), vnni.scales().clone());
        System.out.println("\nisa " + Kernels.cpuIsa() + ", int8Vnni quantizes activations: " + vnni.quantizesActivations());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, w, bias}) t.close();
        vnni.close();
        exact.close();
    }

    @Benchmark
    public void int8Vnni(Blackhole bh) {
        try (Tensor y = Kernels.int8Linear(x, vnni, bias)) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void int8Exact(Blackhole bh) {
        try (Tensor y = Kernels.int8Linear(x, exact, bias)) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void float32LibTorch(Blackhole bh) {
        try (Tensor y = F.linear(x, w, bias)) {
            bh.consume(y);
        }
    }
}
