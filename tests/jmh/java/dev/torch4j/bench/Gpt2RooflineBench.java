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

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.generation.GenerationConfig;
import dev.torch4j.models.gpt2.GPT2Config;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;

/**
 * GPT-2 124M (n_layer 12, n_head 12, n_embd 768, vocab 50257; random weights, as no real ones are available offline)
 * fp32 greedy decoding with the KV cache on 2 threads, against the memory-bandwidth roofline measured in the same run.
 *
 * <ul>
 *   <li>{@code decode_1} / {@code decode_17}: {@code generate} of 1 and 17 new tokens after an 8-token prompt; their
 *       difference / 16 is the time per new token with the prompt's prefill cancelled out.
 *   <li>{@code readBandwidth_sum512MiB}: {@code sum()} over a 512 MiB float32 tensor (far beyond the caches), 2 threads.
 * </ul>
 * tests/jmh/run-model-bench.sh turns these into ms/token, the roofline {@code parameter bytes / bandwidth} (every
 * weight, the tied {@code wte} included as lm_head, read once per token) and the fraction of it achieved.
 * (Gpt2DecodeBench compares the composite, fused and int8 paths at the default thread count.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
public class Gpt2RooflineBench {
    static final int THREADS = 2, PROMPT = 8;
    static final long BANDWIDTH_FLOATS = 512L * 1024 * 1024 / Float.BYTES;

    /** The model; its parameter count is printed for the roofline. */
    @State(Scope.Benchmark)
    public static class Model {
        GPT2LMHeadModel model;
        Tensor prompt;

        @Setup(Level.Trial)
        public void setup() {
            Torch.setNumThreads(THREADS);
            Torch.manualSeed(0);
            model = new GPT2LMHeadModel(new GPT2Config().vocabSize(50257).nPositions(1024).nEmbd(768).nLayer(12).nHead(12));
            model.eval();
            long[] ids = new long[PROMPT];
            for (int i = 0; i < PROMPT; i++) ids[i] = 464 + 37L * i;
            prompt = Torch.tensor(ids, 1, PROMPT);
            System.out.println("\nGPT2_PARAMETERS " + model.numParameters() + " THREADS " + Torch.getNumThreads());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            prompt.close();
            model.close();
        }

        long[] generate(int n) {
            // No EOS: greedy decoding over random weights must not stop early.
            try (Tensor out = model.generate(prompt, new GenerationConfig().maxNewTokens(n).eosTokenIds(new long[0]))) {
                if (out.size(1) != n) throw new IllegalStateException("expected " + n + " new tokens, got " + out.size(1));
                return out.shape();
            }
        }
    }

    /** A 512 MiB float32 tensor of ones. */
    @State(Scope.Benchmark)
    public static class Big {
        Tensor x;

        @Setup(Level.Trial)
        public void setup() {
            Torch.setNumThreads(THREADS);
            x = Torch.ones(BANDWIDTH_FLOATS);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            x.close();
        }
    }

    @Benchmark
    public long[] decode_1(Model m) {
        return m.generate(1);
    }

    @Benchmark
    public long[] decode_17(Model m) {
        return m.generate(17);
    }

    @Benchmark
    public double readBandwidth_sum512MiB(Big b) {
        try (Tensor s = b.x.sum()) {
            return s.item();
        }
    }
}
