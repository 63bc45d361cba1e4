package dev.torch4j.distributed;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.MSELoss;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.Sequential;
import dev.torch4j.nn.Tanh;
import dev.torch4j.nn.functional.F;
import dev.torch4j.models.gpt2.GPT2Config;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;
import dev.torch4j.optim.SGD;
import dev.torch4j.optim.SGDOptions;

/** Worker mains started by {@link MultiProcessTest} through {@link LocalLauncher}, and the shared training setup. */
final class Workers {
    static final int N = 16;
    static final int STEPS = 6;
    static final long MODEL_SEED = 7;

    private Workers() {}

    static Module mlp() {
        return new Sequential(new Linear(6, 16), new Tanh(), new Linear(16, 3));
    }

    /** The full batch: x [N, 6], y [N, 3], the same in every JVM. */
    static Tensor[] data() {
        Torch.manualSeed(1234);
        return new Tensor[] {Torch.randn(N, 6), Torch.randn(N, 3)};
    }

    static SGD sgd(Module m) {
        return new SGD(m.parameters(), new SGDOptions(0.05).momentum(0.9));
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    /**
     * Trains {@link #mlp()} with DDP on this rank's rows of the batch and writes the final parameters to
     * {@code args[0] + "." + rank}. {@code args[1]} = "accum" splits each step into two micro-batches, the
     * first under noSync. Checks cross-process collectives first.
     */
    static final class Parity {
        public static void main(String[] args) throws Exception {
            Torch.setNumThreads(1);
            boolean accum = args.length > 1 && args[1].equals("accum");
            try (ProcessGroup pg = ProcessGroup.fromEnv(Backend.GLOO, Duration.ofSeconds(60))) {
                int r = pg.rank(), w = pg.worldSize();
                collectives(pg);
                Tensor[] xy = data();
                Torch.manualSeed(MODEL_SEED + r); // ranks start different: DDP must broadcast rank 0's weights
                try (DistributedDataParallel ddp = new DistributedDataParallel(mlp(), pg,
                        new DistributedDataParallelOptions().bucketCapMb(0.0005))) {
                    check(ddp.bucketCount() > 1, "expected several buckets, got " + ddp.bucketCount());
                    SGD opt = sgd(ddp);
                    MSELoss mse = new MSELoss();
                    long rows = N / w;
                    for (int step = 0; step < STEPS; step++) {
                        try (Scope s = Torch.scope()) {
                            Tensor x = xy[0].narrow(0, r * rows, rows), y = xy[1].narrow(0, r * rows, rows);
                            opt.zeroGrad();
                            Tensor loss;
                            if (accum) {
                                long h = rows / 2;
                                try (DistributedDataParallel.NoSync g = ddp.noSync()) {
                                    ddp.backward(mse.forward(ddp.forward(x.narrow(0, 0, h)), y.narrow(0, 0, h)).mul(0.5));
                                }
                                loss = mse.forward(ddp.forward(x.narrow(0, h, h)), y.narrow(0, h, h)).mul(0.5);
                            } else {
                                loss = mse.forward(ddp.forward(x), y);
                            }
                            ddp.backward(loss);
                            opt.step();
                            System.out.printf("rank %d step %d loss %.6f%n", r, step, loss.item());
                        }
                    }
                    write(Path.of(args[0] + "." + r), ddp.module().namedParameters());
                    opt.close();
                }
                xy[0].close();
                xy[1].close();
                pg.barrier();
            }
        }

        static void collectives(ProcessGroup pg) {
            int r = pg.rank(), w = pg.worldSize();
            try (Scope s = Torch.scope()) {
                Tensor t = Torch.full(new long[] {3}, r + 1);
                pg.allReduce(t, ReduceOp.SUM);
                check(t.toFloatArray()[0] == w * (w + 1) / 2f, "allReduce SUM " + t);
                Tensor m = Torch.full(new long[] {2}, r);
                check(pg.allReduce(m, ReduceOp.MAX).toFloatArray()[1] == w - 1, "allReduce MAX " + m);
                Tensor a = Torch.full(new long[] {2}, 2 * r);
                check(pg.allReduce(a, ReduceOp.AVG).toFloatArray()[0] == w - 1, "allReduce AVG " + a);
                Tensor b = Torch.full(new long[] {2}, r * 10);
                check(pg.broadcast(b, w - 1).toFloatArray()[0] == (w - 1) * 10, "broadcast " + b);
                List<Tensor> out = new ArrayList<>();
                for (int q = 0; q < w; q++) out.add(Torch.zeros(2));
                pg.allGather(out, Torch.full(new long[] {2}, r));
                for (int q = 0; q < w; q++) check(out.get(q).toFloatArray()[0] == q, "allGather from " + q + ": " + out.get(q));
                List<Tensor> in = new ArrayList<>();
                for (int q = 0; q < w; q++) in.add(Torch.full(new long[] {1}, q + r));
                Tensor rs = pg.reduceScatter(Torch.zeros(1), in, ReduceOp.SUM);
                check(rs.toFloatArray()[0] == w * r + w * (w - 1) / 2f, "reduceScatter " + rs);
                pg.barrier();
            }
            System.out.println("rank " + r + " collectives ok");
        }
    }

    // ------------------------------------------------------------------ tiny GPT-2 language model

    static final int LM_BATCH = 8, LM_LEN = 12, LM_VOCAB = 50, LM_STEPS = 4;

    /** A 2-layer GPT-2 with every dropout off, so that DDP and the single-process reference compute the same function. */
    static GPT2LMHeadModel gpt2() {
        return new GPT2LMHeadModel(new GPT2Config().vocabSize(LM_VOCAB).nPositions(16).nEmbd(16).nLayer(2).nHead(2)
                .residPdrop(0).embdPdrop(0).attnPdrop(0));
    }

    /** The full batch of token ids {@code [LM_BATCH, LM_LEN]}, the same in every JVM. */
    static Tensor tokens() {
        Torch.manualSeed(4321);
        return Torch.randint(0, LM_VOCAB, LM_BATCH, LM_LEN);
    }

    /** Next-token cross entropy: {@code logits[:, :-1]} against {@code ids[:, 1:]}, the mean over all predicted tokens. */
    static Tensor lmLoss(Module model, Tensor ids) {
        try (Scope s = Torch.scope()) {
            long b = ids.size(0), t = ids.size(1);
            Tensor logits = model.forward(ids);
            Tensor pred = logits.narrow(1, 0, t - 1).reshape(b * (t - 1), LM_VOCAB);
            Tensor target = ids.narrow(1, 1, t - 1).reshape(b * (t - 1));
            return s.keep(F.crossEntropy(pred, target));
        }
    }

    static SGD lmSgd(Module m) {
        return new SGD(m.parameters(), new SGDOptions(0.5));
    }

    /** Trains {@link #gpt2()} with DDP on this rank's rows of {@link #tokens()}; writes the parameters to {@code args[0] + "." + rank}. */
    static final class GPT2Parity {
        public static void main(String[] args) throws Exception {
            Torch.setNumThreads(1);
            try (ProcessGroup pg = ProcessGroup.fromEnv(Backend.GLOO, Duration.ofSeconds(60)); Tensor ids = tokens()) {
                int r = pg.rank(), w = pg.worldSize();
                Torch.manualSeed(MODEL_SEED + r); // ranks start different: DDP must broadcast rank 0's weights
                try (DistributedDataParallel ddp = new DistributedDataParallel(gpt2(), pg,
                        new DistributedDataParallelOptions().bucketCapMb(0.01));
                        SGD opt = lmSgd(ddp)) {
                    check(ddp.bucketCount() > 1, "expected several buckets, got " + ddp.bucketCount());
                    long rows = LM_BATCH / w;
                    for (int step = 0; step < LM_STEPS; step++) {
                        try (Scope s = Torch.scope()) {
                            opt.zeroGrad();
                            Tensor loss = lmLoss(ddp, ids.narrow(0, r * rows, rows));
                            ddp.backward(loss);
                            opt.step();
                            System.out.printf("rank %d step %d lm loss %.6f%n", r, step, loss.item());
                        }
                    }
                    write(Path.of(args[0] + "." + r), ddp.module().namedParameters());
                }
                pg.barrier();
                System.out.println("rank " + r + " gpt2 done");
            }
        }
    }

    /** Both ranks all-reduce once; then rank 1 exits with code 3 and rank 0 must fail with a clear error. */
    static final class Dying {
        public static void main(String[] args) {
            Torch.setNumThreads(1);
            try (ProcessGroup pg = ProcessGroup.fromEnv(Backend.GLOO, Duration.ofSeconds(Long.parseLong(args[0])));
                    Tensor t = Torch.ones(4)) {
                pg.allReduce(t, ReduceOp.SUM);
                System.out.println("rank " + pg.rank() + " first allReduce ok");
                if (pg.rank() == 1) {
                    System.out.flush();
                    System.exit(3);
                }
                try {
                    for (int i = 0; i < 100; i++) pg.allReduce(t, ReduceOp.SUM);
                    System.out.println("NO ERROR");
                    System.exit(0);
                } catch (DistributedException e) {
                    System.out.println("CAUGHT " + e.getMessage());
                }
                try {
                    pg.barrier();
                } catch (DistributedException e) {
                    System.out.println("AGAIN " + e.getMessage());
                }
                System.exit(7);
            }
        }
    }

    /** Prints its environment; rank 0 exits 0, the others sleep until killed. */
    static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Map<String, String> e = System.getenv();
            System.out.println("rank " + e.get("RANK") + " of " + e.get("WORLD_SIZE") + " at " + e.get("MASTER_ADDR") + ":"
                    + e.get("MASTER_PORT") + " arg " + args[0] + " omp " + e.get("OMP_NUM_THREADS"));
            if (!"0".equals(e.get("RANK"))) Thread.sleep(120_000);
        }
    }

    static void write(Path file, Map<String, Tensor> params) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(params.size());
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                out.writeUTF(e.getKey());
                float[] v = e.getValue().toFloatArray();
                out.writeInt(v.length);
                for (float f : v) out.writeFloat(f);
            }
        }
    }
}
