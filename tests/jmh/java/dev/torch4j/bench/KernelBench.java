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
 * Our fused kernels against the LibTorch composites they replace, at GPT-2 small sizes (hidden 768, MLP 3072):
 * {@code rows} = 1 is a decode step, 64 a short prompt. Single-threaded on both sides (Torch.setNumThreads(1)).
 * The decodeAttention pair does not depend on {@code rows} (run it with {@code -p rows=1}): one GPT-2 small decode
 * step's attention, 12 heads of 64 against a cache of {@link DecodeState#len} positions (capacity 1024), fused kernel
 * vs what the model ran before ({@code F.scaledDotProductAttention} on narrowed cache views).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
@State(Scope.Thread)
public class KernelBench {
    @Param({"1", "64"})
    public int rows;

    private Tensor x3072, b3072, dy3072, x768, r768, g768, beta768, w, bias768;
    private Int8Weights wq;

    @Setup(Level.Trial)
    public void setup() {
        Torch.setNumThreads(1);
        Torch.manualSeed(0);
        x3072 = Torch.randn(rows, 3072);
        b3072 = Torch.randn(3072);
        dy3072 = Torch.randn(rows, 3072);
        x768 = Torch.randn(rows, 768);
        r768 = Torch.randn(rows, 768);
        g768 = Torch.ones(768);
        beta768 = Torch.zeros(768);
        w = Torch.randn(3072, 768).mul(0.02);
        bias768 = Torch.randn(3072);
        wq = Int8Weights.quantize(w);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x3072, b3072, dy3072, x768, r768, g768, beta768, w, bias768}) t.close();
        wq.close();
    }

    /** A KV cache of one layer: batch 1, 12 heads, capacity 1024, head size 64, the first {@code len} slots valid. */
    @State(Scope.Thread)
    public static class DecodeState {
        @Param({"128", "512"})
        public int len;

        Tensor q, q4, kBuf, vBuf, lengths;

        @Setup(Level.Trial)
        public void setup() {
            Torch.setNumThreads(1);
            Torch.manualSeed(1);
            q = Torch.randn(1, 12, 64);
            q4 = q.unsqueeze(2);
            kBuf = Torch.randn(1, 12, 1024, 64);
            vBuf = Torch.randn(1, 12, 1024, 64);
            lengths = Torch.tensor(new long[] {len}, 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Tensor t : new Tensor[] {q, q4, kBuf, vBuf, lengths}) t.close();
        }
    }

    @Benchmark
    public void decodeAttention_kernel(DecodeState d, Blackhole bh) {
        try (Tensor y = Kernels.decodeAttention(d.q, d.kBuf, d.vBuf, d.lengths, 0.125)) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void decodeAttention_composite(DecodeState d, Blackhole bh) {
        try (Tensor k = d.kBuf.narrow(2, 0, d.len); Tensor v = d.vBuf.narrow(2, 0, d.len);
             Tensor y = F.scaledDotProductAttention(d.q4, k, v, null, 0.0, false)) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void biasGelu_kernel(Blackhole bh) {
        try (Tensor y = Kernels.biasGelu(x3072, b3072, "none")) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void biasGelu_composite(Blackhole bh) {
        try (Tensor z = x3072.add(b3072); Tensor y = z.gelu("none")) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void biasGeluBackward_kernel(Blackhole bh) {
        try (var g = Kernels.biasGeluBackwardWithBiasGrad(dy3072, x3072, b3072, "tanh")) {
            bh.consume(g);
        }
    }

    @Benchmark
    public void biasGeluBackward_composite(Blackhole bh) {
        try (Tensor z = x3072.add(b3072);
             Tensor dx = Tensor.adopt(org.bytedeco.pytorch.global.torch.gelu_backward(dy3072.unwrap(), z.unwrap(), "tanh"));
             Tensor db = dx.sum(0)) {
            bh.consume(db);
        }
    }

    @Benchmark
    public void addLayerNorm_kernel(Blackhole bh) {
        try (var r = Kernels.addLayerNormWithSum(x768, r768, g768, beta768, 1e-5)) {
            bh.consume(r);
        }
    }

    @Benchmark
    public void addLayerNorm_composite(Blackhole bh) {
        try (Tensor s = x768.add(r768); Tensor y = F.layerNorm(s, new long[] {768}, g768, beta768, 1e-5)) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void linear768x3072_int8Kernel(Blackhole bh) {
        try (Tensor y = Kernels.int8Linear(x768, wq, bias768)) {
            bh.consume(y);
        }
    }

    @Benchmark
    public void linear768x3072_float32LibTorch(Blackhole bh) {
        try (Tensor y = F.linear(x768, w, bias768)) {
            bh.consume(y);
        }
    }
}
