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

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.kernels.Kernels;
import dev.torch4j.nn.functional.F;

/**
 * torch4j's float32 linear and attention kernels against the LibTorch ops they replace in BERT and GPT-2, at 2 threads
 * on both sides. {@code shape}: {@code bertFfnIn} 1024 x 384 -> 1536 + GELU (MiniLM batch 8 x 128),
 * {@code bertFfnOut} 1024 x 1536 -> 384, {@code gpt2FcDecode} 1 x 768 -> 3072 + tanh GELU ({@code [in, out]} Conv1D
 * weights), {@code gpt2LmHeadDecode} 1 x 768 -> 50257 (the tied {@code wte}, 154 MB: read from memory each call).
 * (AttentionBench covers the attention kernel.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
@State(Scope.Thread)
public class LinearBench {
    @Param({"bertFfnIn", "bertFfnOut", "gpt2FcDecode", "gpt2LmHeadDecode"})
    public String shape;

    private Tensor x, w, wt, bias;
    private Kernels.WeightLayout layout;
    private Kernels.Activation act;

    @Setup(Level.Trial)
    public void setup() {
        Torch.setNumThreads(2);
        Torch.manualSeed(0);
        long rows, in, out;
        switch (shape) {
            case "bertFfnIn" -> { rows = 1024; in = 384; out = 1536; layout = Kernels.WeightLayout.OUT_IN; act = Kernels.Activation.GELU; }
            case "bertFfnOut" -> { rows = 1024; in = 1536; out = 384; layout = Kernels.WeightLayout.OUT_IN; act = Kernels.Activation.NONE; }
            case "gpt2FcDecode" -> { rows = 1; in = 768; out = 3072; layout = Kernels.WeightLayout.IN_OUT; act = Kernels.Activation.GELU_TANH; }
            default -> { rows = 1; in = 768; out = 50257; layout = Kernels.WeightLayout.OUT_IN; act = Kernels.Activation.NONE; }
        }
        x = Torch.randn(rows, in);
        w = Torch.randn(out, in).mul_(0.02);                 // [out, in]
        wt = w.t().contiguous();                              // [in, out]
        bias = shape.equals("gpt2LmHeadDecode") ? null : Torch.randn(out);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, w, wt, bias}) if (t != null) t.close();
    }

    @Benchmark
    public long[] linear_kernel() {
        try (Tensor y = Kernels.linear(x, layout == Kernels.WeightLayout.OUT_IN ? w : wt, bias, layout, act)) {
            return y.shape();
        }
    }

    /** What the models ran before: LibTorch's matmul (OpenBLAS) plus the bias and the activation. */
    @Benchmark
    public long[] linear_libtorch() {
        try (Tensor y = layout == Kernels.WeightLayout.OUT_IN ? F.linear(x, w, bias) : x.matmul(wt).add_(bias);
             Tensor z = switch (act) {
                 case NONE -> y.detach();
                 case GELU -> y.gelu();
                 case GELU_TANH -> y.gelu("tanh");
             }) {
            return z.shape();
        }
    }
}
