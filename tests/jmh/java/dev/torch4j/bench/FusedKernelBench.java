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
import dev.torch4j.kernels.Kernels;
import dev.torch4j.nn.functional.F;

/**
 * The fused kernels against their LibTorch composites at transformer shapes and thread counts ({@link KernelBench}
 * keeps the single-threaded GPT-2 pairs). {@code shape} is rows x hidden, the MLP being 4 x hidden: {@code 1x768} a
 * GPT-2 small decode step, {@code 64x768} a short GPT-2 prompt, {@code 1024x384} a BERT-like batch (8 x 128 tokens,
 * hidden 384, MLP 1536). bias + GELU runs on [rows, 4 hidden], residual add + LayerNorm on [rows, hidden].
 * {@code threads} sets LibTorch's intra-op threads, which our CPU kernels also use as their limit.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
@State(Scope.Thread)
public class FusedKernelBench {
    @Param({"1x768", "64x768", "1024x384"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Tensor xMlp, bMlp, x, r, g, beta;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        long rows = Long.parseLong(p[0]), hidden = Long.parseLong(p[1]);
        Torch.setNumThreads(threads);
        Torch.manualSeed(0);
        xMlp = Torch.randn(rows, 4 * hidden);
        bMlp = Torch.randn(4 * hidden);
        x = Torch.randn(rows, hidden);
        r = Torch.randn(rows, hidden);
        g = Torch.randn(hidden);
        beta = Torch.randn(hidden);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {xMlp, bMlp, x, r, g, beta}) t.close();
    }

    @Benchmark
    public void biasGelu_kernel(Blackhole bh) {
        try (Tensor y = Kernels.biasGelu(xMlp, bMlp, "none")) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void biasGelu_composite(Blackhole bh) {
        try (Tensor z = xMlp.add(bMlp); Tensor y = z.gelu("none")) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void biasGeluTanh_kernel(Blackhole bh) {
        try (Tensor y = Kernels.biasGelu(xMlp, bMlp, "tanh")) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void biasGeluTanh_composite(Blackhole bh) {
        try (Tensor z = xMlp.add(bMlp); Tensor y = z.gelu("tanh")) {
            bh.consume(y);
        }
    }

    /** With the sum x + residual (the next block's residual), which the composite also produces. */
    @Benchmark
    public void addLayerNorm_kernel(Blackhole bh) {
        try (var out = Kernels.addLayerNormWithSum(x, r, g, beta, 1e-5)) {
            bh.consume(out);
        }
    }

    @Benchmark
    public void addLayerNorm_composite(Blackhole bh) {
        try (Tensor s = x.add(r); Tensor y = F.layerNorm(s, new long[] {x.size(-1)}, g, beta, 1e-5)) {
            bh.consume(y);
        }
    }
}
