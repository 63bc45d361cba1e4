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
import dev.torch4j.generation.GenerationConfig;
import dev.torch4j.kernels.FusedKernels;
import dev.torch4j.models.gpt2.GPT2Config;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;

/**
 * GPT-2 124M configuration (random weights, eval) greedy decoding: one op is {@code generate} of {@link #NEW_TOKENS}
 * tokens after an 8-token prompt, so ms/op / NEW_TOKENS is ms per token (the prompt is a few percent of it).
 * {@code mode}: {@code composite} (FusedKernels off: LibTorch only), {@code fused} (float32 with the fused kernels),
 * {@code int8} (fused + {@link GPT2LMHeadModel#quantizeInt8()}). LibTorch and our kernels use the default thread count.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
@State(Scope.Thread)
public class Gpt2DecodeBench {
    public static final int NEW_TOKENS = 32;

    @Param({"composite", "fused", "int8"})
    public String mode;

    private GPT2LMHeadModel model;
    private Tensor prompt;
    private GenerationConfig greedy;

    @Setup(Level.Trial)
    public void setup() {
        Torch.manualSeed(0);
        GPT2Config c = new GPT2Config().vocabSize(50257).nPositions(1024).nEmbd(768).nLayer(12).nHead(12);
        model = new GPT2LMHeadModel(c);
        model.eval();
        FusedKernels.setEnabled(!mode.equals("composite"));
        if (mode.equals("int8")) System.out.println("\nint8 report: " + model.quantizeInt8());
        prompt = Torch.tensor(new long[] {464, 2068, 7586, 21831, 18045, 625, 262, 16931}, 1, 8);
        // No EOS stop: always NEW_TOKENS tokens.
        greedy = new GenerationConfig().maxNewTokens(NEW_TOKENS).eosTokenIds(new long[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        prompt.close();
        model.close();
    }

    @Benchmark
    public long greedyDecode() {
        try (Tensor out = model.generate(prompt, greedy)) {
            return out.size(1);
        }
    }
}
