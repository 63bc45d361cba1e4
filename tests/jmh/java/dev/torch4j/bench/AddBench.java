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
import org.openjdk.jmh.infra.Blackhole;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Per-op overhead of a tiny (4-element float32) add: torch4j's wrapper versus raw Bytedeco calls.
 * Compare with tests/jmh/python_add_bench.py; tests/jmh/run-add-bench.sh runs both.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Bytedeco's GC-driven deallocator thread would add noise; every tensor here is closed explicitly.
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
@State(Scope.Thread)
public class AddBench {
    private Tensor a;
    private Tensor b;
    private org.bytedeco.pytorch.Tensor ra;
    private org.bytedeco.pytorch.Tensor rb;

    @Setup(Level.Trial)
    public void setup() {
        // Touching Torch first runs torch4j's loader (OMP env, library extraction) before any raw Bytedeco use.
        Torch.setNumThreads(1);
        a = Torch.ones(4);
        b = Torch.ones(4);
        ra = org.bytedeco.pytorch.global.torch.ones(4);
        rb = org.bytedeco.pytorch.global.torch.ones(4);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        ra.close();
        rb.close();
    }

    @Benchmark
    public void torch4j_add_scoped(Blackhole bh) {
        try (dev.torch4j.Scope s = Torch.scope()) {
            Tensor z = a.add(b);
            bh.consume(z);
        }
    }

    @Benchmark
    public void torch4j_add_close(Blackhole bh) {
        try (Tensor z = a.add(b)) {
            bh.consume(z);
        }
    }

    // Accumulates without reset: in float32 the sum saturates at 2^24 (never inf or denormal), so cost is steady.
    @Benchmark
    public Tensor torch4j_add_inplace() {
        return a.add_(b);
    }

    @Benchmark
    public void bytedeco_add(Blackhole bh) {
        org.bytedeco.pytorch.Tensor z = ra.add(rb);
        bh.consume(z);
        z.close();
    }

    @Benchmark
    public org.bytedeco.pytorch.Tensor bytedeco_add_inplace() {
        return ra.add_(rb);
    }
}
