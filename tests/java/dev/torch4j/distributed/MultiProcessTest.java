package dev.torch4j.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.MSELoss;
import dev.torch4j.nn.Module;
import dev.torch4j.optim.SGD;

/**
 * Worker JVMs started with {@link LocalLauncher}. The 4-process case can be skipped on slow machines with
 * {@code -Dtorch4j.dist.skipFourProcesses=true}.
 */
class MultiProcessTest {
    static final float TOL = 2e-5f;

    static LocalLauncher launcher(int n) {
        return new LocalLauncher(n).jvmArgs("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
                .timeout(Duration.ofSeconds(100));
    }

    @Test
    void ddpOnTwoProcessesMatchesOneProcessOnTheFullBatch(@TempDir Path dir) throws IOException {
        parity(2, dir, "plain");
    }

    @Test
    void noSyncAccumulationMatchesTheFullBatch(@TempDir Path dir) throws IOException {
        parity(2, dir, "accum");
    }

    @Test
    void ddpOnFourProcesses(@TempDir Path dir) throws IOException {
        Assumptions.assumeFalse(Boolean.getBoolean("torch4j.dist.skipFourProcesses"),
                "skipped by -Dtorch4j.dist.skipFourProcesses=true (4 worker JVMs; about 5 s on 2 cores, much more on a loaded machine)");
        parity(4, dir, "plain");
    }

    private static void parity(int n, Path dir, String mode) throws IOException {
        String prefix = dir.resolve("params").toString();
        LocalLauncher.Result r = launcher(n).launch(Workers.Parity.class, prefix, mode);
        r.throwIfFailed();
        for (int q = 0; q < n; q++) assertTrue(r.worker(q).output().contains("rank " + q + " collectives ok"), r.worker(q).output());
        Map<String, float[]> expected = referenceTraining();
        for (int q = 0; q < n; q++) {
            Map<String, float[]> got = read(Path.of(prefix + "." + q));
            assertEquals(expected.keySet(), got.keySet());
            for (String k : expected.keySet()) {
                float[] e = expected.get(k), g = got.get(k);
                assertEquals(e.length, g.length, k);
                for (int i = 0; i < e.length; i++)
                    assertEquals(e[i], g[i], TOL * (1 + Math.abs(e[i])), "rank " + q + " " + k + "[" + i + "] (" + mode + ", " + n + " processes)");
            }
        }
    }

    /** One process, the full batch, the same initial weights (rank 0's) and optimizer. */
    static Map<String, float[]> referenceTraining() {
        int threads = Torch.getNumThreads();
        Torch.setNumThreads(1);
        try (Scope s = Torch.scope()) {
            Tensor[] xy = Workers.data();
            Torch.manualSeed(Workers.MODEL_SEED);
            try (Module m = Workers.mlp(); SGD opt = Workers.sgd(m)) {
                MSELoss mse = new MSELoss();
                for (int step = 0; step < Workers.STEPS; step++) {
                    try (Scope st = Torch.scope()) {
                        opt.zeroGrad();
                        mse.forward(m.forward(xy[0]), xy[1]).backward();
                        opt.step();
                    }
                }
                Map<String, float[]> out = new LinkedHashMap<>();
                m.namedParameters().forEach((k, v) -> out.put(k, v.toFloatArray()));
                return out;
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }

    @Test
    void ddpTrainsATinyGpt2LikeOneProcessOnTheFullBatch(@TempDir Path dir) throws IOException {
        String prefix = dir.resolve("gpt2").toString();
        LocalLauncher.Result r = launcher(2).launch(Workers.GPT2Parity.class, prefix);
        r.throwIfFailed();
        Map<String, float[]> expected = gpt2ReferenceTraining();
        assertTrue(expected.size() > 10, expected.keySet().toString());
        for (int q = 0; q < 2; q++) {
            assertTrue(r.worker(q).output().contains("rank " + q + " gpt2 done"), r.worker(q).output());
            Map<String, float[]> got = read(Path.of(prefix + "." + q));
            assertEquals(expected.keySet(), got.keySet());
            for (String k : expected.keySet()) {
                float[] e = expected.get(k), g = got.get(k);
                assertEquals(e.length, g.length, k);
                for (int i = 0; i < e.length; i++)
                    assertEquals(e[i], g[i], TOL * (1 + Math.abs(e[i])), "rank " + q + " " + k + "[" + i + "] (gpt2)");
            }
        }
    }

    /** The tiny GPT-2 trained in this JVM on the full token batch from rank 0's initial weights. */
    static Map<String, float[]> gpt2ReferenceTraining() {
        int threads = Torch.getNumThreads();
        Torch.setNumThreads(1);
        try (Tensor ids = Workers.tokens()) {
            Torch.manualSeed(Workers.MODEL_SEED);
            try (Module m = Workers.gpt2(); SGD opt = Workers.lmSgd(m)) {
                m.train();
                float[] initial = m.namedParameters().values().iterator().next().toFloatArray();
                for (int step = 0; step < Workers.LM_STEPS; step++) {
                    try (Scope st = Torch.scope()) {
                        opt.zeroGrad();
                        Workers.lmLoss(m, ids).backward();
                        opt.step();
                    }
                }
                Map<String, float[]> out = new LinkedHashMap<>();
                m.namedParameters().forEach((k, v) -> out.put(k, v.toFloatArray()));
                float[] last = out.values().iterator().next();
                assertFalse(java.util.Arrays.equals(initial, last), "training must change the weights");
                return out;
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }

    static Map<String, float[]> read(Path file) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String k = in.readUTF();
                float[] v = new float[in.readInt()];
                for (int j = 0; j < v.length; j++) v[j] = in.readFloat();
                out.put(k, v);
            }
        }
        return out;
    }

    @Test
    void aDeadWorkerMakesTheOthersFailFastWithAClearError() {
        LocalLauncher.Result r = launcher(2).launch(Workers.Dying.class, "30");
        assertFalse(r.timedOut(), "no worker may hang:\n" + r + r.worker(0).output());
        assertEquals(3, r.worker(1).exitCode(), r.worker(1).output());
        LocalLauncher.Worker w0 = r.worker(0);
        assertEquals(7, w0.exitCode(), w0.output());
        assertTrue(w0.output().contains("CAUGHT allReduce(SUM) failed on rank 0 of 2 (gloo"), w0.output());
        assertTrue(w0.output().contains("peer"), w0.output());
        assertTrue(w0.output().contains("AGAIN barrier on rank 0: process group is unusable"), w0.output());
        // Well within the 30 s collective timeout: a dead peer is detected by its closed connection.
        assertTrue(r.elapsed().toSeconds() < 30, "took " + r.elapsed());
    }

    @Test
    void distributedTrainingSampleRuns() {
        sampleRuns("mlp");
    }

    @Test
    void distributedTrainingSampleTrainsTheTransformerLanguageModel() {
        sampleRuns("lm");
    }

    private static void sampleRuns(String model) {
        LocalLauncher.Result r = launcher(2).launch(dev.torch4j.samples.DistributedTraining.Worker.class, "2", model);
        r.throwIfFailed();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("rank (\\d) epoch (\\d) loss ([0-9.]+) \\(mean over ranks ([0-9.]+)\\)");
        double[][] mean = new double[2][2];
        double[][] own = new double[2][2];
        for (int q = 0; q < 2; q++) {
            java.util.regex.Matcher m = line.matcher(r.worker(q).output());
            int found = 0;
            while (m.find()) {
                int e = Integer.parseInt(m.group(2));
                own[q][e] = Double.parseDouble(m.group(3));
                mean[q][e] = Double.parseDouble(m.group(4));
                found++;
            }
            assertEquals(2, found, r.worker(q).output());
        }
        assertEquals(mean[0][1], mean[1][1], 1e-4, "both ranks see the same mean loss");
        assertTrue(mean[0][1] < mean[0][0], "the loss must fall: " + mean[0][0] + " -> " + mean[0][1]);
        assertTrue(own[0][0] != own[1][0], "ranks train on different samples");
    }

    @Test
    void launcherPassesTheEnvironmentAndKillsWorkersAtTheTimeout() {
        LocalLauncher.Result r = new LocalLauncher(2).jvmArgs("-Xmx32m").timeout(Duration.ofSeconds(4)).launch(Workers.Sleeper.class, "x");
        LocalLauncher.Worker w0 = r.worker(0), w1 = r.worker(1);
        assertTrue(w0.succeeded(), r + w0.output());
        assertTrue(w0.output().contains("rank 0 of 2 at 127.0.0.1:" + r.masterPort() + " arg x omp 1"), w0.output());
        assertTrue(w1.killed(), r.toString());
        assertTrue(w1.output().contains("rank 1 of 2"), w1.output());
        assertTrue(r.timedOut());
        assertFalse(r.succeeded());
        assertTrue(r.elapsed().toSeconds() < 20, "took " + r.elapsed());
    }
}
