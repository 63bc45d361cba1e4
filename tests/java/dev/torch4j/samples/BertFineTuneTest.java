package dev.torch4j.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.torch4j.Torch;

class BertFineTuneTest {
    @Test
    void lossFallsAndHeldOutAccuracyBeatsChance() {
        Torch.setNumThreads(2);
        long t0 = System.nanoTime();
        BertFineTune.Result r = BertFineTune.fineTune(4, 0, false);
        double[] l = r.epochLosses();
        System.out.printf("BertFineTune: epoch losses %s, test accuracy %.3f, %.1f s%n", Arrays.toString(l), r.testAccuracy(),
                (System.nanoTime() - t0) / 1e9);
        assertTrue(l[l.length - 1] < 0.7 * l[0], "loss should fall by 30%: " + Arrays.toString(l));
        assertTrue(r.testAccuracy() >= 0.75, "held-out accuracy should beat chance (0.5) clearly: " + r.testAccuracy());
    }
}
