package dev.torch4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.ReLU;
import dev.torch4j.nn.Sequential;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.Adam;
import dev.torch4j.optim.AdamOptions;
import dev.torch4j.optim.lr.StepLR;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resuming from a checkpoint gives exactly the trajectory of an uninterrupted run. */
class CheckpointTest {
    @TempDir
    Path dir;

    private static Sequential model() {
        return new Sequential(new Linear(5, 16), new ReLU(), new Linear(16, 1));
    }

    private static void steps(Sequential m, Adam opt, StepLR sched, Tensor x, Tensor y, int n) {
        for (int i = 0; i < n; i++) {
            try (Scope s = Torch.scope()) {
                opt.zeroGrad();
                F.mseLoss(m.forward(x), y).backward();
                opt.step();
                sched.step();
            }
        }
    }

    @Test
    void resumeMatchesAnUninterruptedRunExactly() throws Exception {
        Torch.manualSeed(3);
        try (Scope s = Torch.scope(); Sequential a = model(); Sequential b = model()) {
            Tensor x = Torch.randn(32, 5), y = Torch.randn(32, 1);
            b.loadStateDict(a.stateDict());
            try (Adam optA = new Adam(a.parameters(), new AdamOptions(1e-2).amsgrad(true));
                 Adam optB = new Adam(b.parameters(), new AdamOptions(1e-2).amsgrad(true))) {
                StepLR schedA = new StepLR(optA, 4, 0.5), schedB = new StepLR(optB, 4, 0.5);
                steps(a, optA, schedA, x, y, 20);

                steps(b, optB, schedB, x, y, 10);
                Path ckpt = dir.resolve("ckpt.safetensors");
                Checkpoint.save(ckpt, b, optB, schedB, 10);
                Map<String, String> meta = SafeTensors.loadMetadata(ckpt);
                assertEquals("10", meta.get("step"));
                assertTrue(meta.get("optimizer").contains("param_groups"));

                try (Sequential c = model(); Adam optC = new Adam(c.parameters(), new AdamOptions(1e-2).amsgrad(true))) {
                    StepLR schedC = new StepLR(optC, 4, 0.5);
                    assertEquals(10, Checkpoint.load(ckpt, c, optC, schedC));
                    assertEquals(optB.getLr(0), optC.getLr(0), 0.0);
                    steps(c, optC, schedC, x, y, 10);
                    for (Map.Entry<String, Tensor> e : a.namedParameters().entrySet())
                        assertTrue(e.getValue().equal(c.namedParameters().get(e.getKey())), e.getKey() + " differs after resume");
                    assertEquals(optA.getLr(0), optC.getLr(0), 0.0);
                }
            }
        }
    }

    @Test
    void rejectsFilesThatAreNotCheckpoints() throws Exception {
        Path plain = dir.resolve("plain.safetensors");
        try (Scope s = Torch.scope(); Sequential m = model()) {
            SafeTensors.save(plain, m.stateDict());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(plain, m, null, null));
            assertTrue(e.getMessage().contains("not a torch4j checkpoint"), e.getMessage());
            Path ckpt = dir.resolve("model-only.safetensors");
            Checkpoint.save(ckpt, m, null, null, 0);
            try (Adam opt = new Adam(m.parameters(), new AdamOptions(1e-3))) {
                assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(ckpt, m, opt, null));
            }
            assertTrue(Files.size(ckpt) > 0);
        }
    }
}
