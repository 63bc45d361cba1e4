package dev.torch4j.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.kernels.Kernels;
import dev.torch4j.nn.functional.F;

/**
 * torch4j's fused attention kernel against LibTorch's scaled-dot-product attention (plus the transpose/reshape BERT
 * needs after it), at 2 threads: MiniLM self-attention, 8 x 12 heads x 128 tokens x 32, with a key-padding mask, on
 * head views of a fused {@code [8, 128, 3 * 384]} projection.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
@State(Scope.Thread)
public class AttentionBench {
    private Tensor qkv, q, k, v, mask, mask4;

    @Setup(Level.Trial)
    public void setup() {
        Torch.setNumThreads(2);
        Torch.manualSeed(0);
        qkv = Torch.randn(8, 128, 3 * 384);
        q = qkv.narrow(2, 0, 384).view(8, 128, 12, 32).transpose(1, 2);
        k = qkv.narrow(2, 384, 384).view(8, 128, 12, 32).transpose(1, 2);
        v = qkv.narrow(2, 768, 384).view(8, 128, 12, 32).transpose(1, 2);
        mask = Torch.ones(8, 128).to(DType.BOOL);
        mask4 = mask.view(8, 1, 1, 128);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {q, k, v, qkv, mask4, mask}) t.close();
    }

    @Benchmark
    public long[] attention_kernel() {
        try (Tensor y = Kernels.attention(q, k, v, mask, 1.0 / Math.sqrt(32), false)) {
            return y.shape();
        }
    }

    @Benchmark
    public long[] attention_libtorch() {
        try (Tensor y = F.scaledDotProductAttention(q, k, v, mask4, 0.0, false); Tensor z = y.transpose(1, 2).reshape(8, 128, 384)) {
            return z.shape();
        }
    }
}
