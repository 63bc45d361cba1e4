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
 * {@link Kernels#int8Linear} against LibTorch's float32 linear, the layer the models ran for prompts before the VNNI
 * path: {@code rows} x {@code shape} ({@code in x out}: GPT-2 small's c_fc and c_proj, MiniLM's intermediate), with
 * {@code threads} threads on both sides. {@code int8Vnni} is {@link Int8Weights#quantize} (VNNI where the CPU has it),
 * {@code int8Exact} the same weights without the packed layout (exact dequantization).
 *
 * <p>The float32 side has a state of its own, so its fork runs no quantization: in one fork, LibTorch reductions
 * on a 3072 x 768 tensor (abs, amax, div, round: what quantize runs) made the later float32 GEMV 10-50x slower and
 * erratic on the shared 2-core machine, with no torch4j kernel involved (not understood; see RESULTS-kernels.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
public class Int8LinearBench {
    @State(Scope.Thread)
    public static class Shape {
        @Param({"1", "64", "1024"})
        public int rows;

        @Param({"768x3072", "3072x768", "384x1536"})
        public String shape;

        @Param({"2"})
        public int threads;

        Tensor x, w, bias;

        @Setup(Level.Trial)
        public void setup() {
            Torch.setNumThreads(threads);
            Torch.manualSeed(0);
            String[] io = shape.split("x");
            long in = Long.parseLong(io[0]), out = Long.parseLong(io[1]);
            x = Torch.randn(rows, in);
            bias = Torch.randn(out);
            w = Torch.randn(out, in).mul(0.02);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Tensor t : new Tensor[] {x, w, bias}) t.close();
        }
    }

    @State(Scope.Thread)
    public static class Quantized {
        Int8Weights vnni, exact;

        @Setup(Level.Trial)
        public void setup(Shape s) {
            vnni = Int8Weights.quantize(s.w);
            exact = Int8Weights.of(vnni.weight().clone(), vnni.scales().clone());
            System.out.println("\nisa " + Kernels.cpuIsa() + ", int8Vnni quantizes activations: " + vnni.quantizesActivations());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            vnni.close();
            exact.close();
        }
    }

    @Benchmark
    public void int8Vnni(Shape s, Quantized q, Blackhole bh) {
        try (Tensor y = Kernels.int8Linear(s.x, q.vnni, s.bias)) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void int8Exact(Shape s, Quantized q, Blackhole bh) {
        try (Tensor y = Kernels.int8Linear(s.x, q.exact, s.bias)) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void float32LibTorch(Shape s, Blackhole bh) {
        try (Tensor y = F.linear(s.x, s.w, s.bias)) {
            bh.consume(y);
        }
    }
}
