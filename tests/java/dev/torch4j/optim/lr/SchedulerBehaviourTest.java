package dev.torch4j.optim.lr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.optim.Adagrad;
import dev.torch4j.optim.AdagradOptions;
import dev.torch4j.optim.Adam;
import dev.torch4j.optim.AdamOptions;
import dev.torch4j.optim.OptimizerStateDict;

class SchedulerBehaviourTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> viaJson(Map<String, Object> m) throws Exception {
        return JSON.readValue(JSON.writeValueAsString(m), Map.class);
    }

    /** Stop after 12 steps, save optimizer + scheduler state, restore into fresh objects: the rest is identical. */
    @ParameterizedTest
    @ValueSource(strings = {"step", "multistep", "cosine", "linear", "lambda", "onecycle_linear", "sequential_three"})
    void stateDictRoundTripContinuesTheSchedule(String name) throws Exception {
        double[][] want = new double[31][];
        try (SchedulerParityTest.Opt o = new SchedulerParityTest.Opt()) {
            LRScheduler s = SchedulerParityTest.make(name, o.sgd);
            for (int i = 1; i <= 30; i++) {
                s.step();
                want[i] = s.getLastLr();
            }
        }
        Map<String, Object> schedState, optHyper;
        try (SchedulerParityTest.Opt o = new SchedulerParityTest.Opt()) {
            LRScheduler s = SchedulerParityTest.make(name, o.sgd);
            for (int i = 1; i <= 12; i++) s.step();
            schedState = viaJson(s.stateDict());
            try (OptimizerStateDict sd = o.sgd.stateDict()) {
                optHyper = viaJson(sd.hyper());
            }
        }
        try (SchedulerParityTest.Opt o = new SchedulerParityTest.Opt()) {
            LRScheduler s = SchedulerParityTest.make(name, o.sgd);
            try (OptimizerStateDict sd = new OptimizerStateDict(Map.of(), optHyper)) {
                o.sgd.loadStateDict(sd);
            }
            s.loadStateDict(schedState);
            assertArrayEquals(want[12], s.getLastLr(), name + ": getLastLr restored");
            for (int i = 13; i <= 30; i++) {
                s.step();
                assertArrayEquals(want[i], s.getLastLr(), name + ": step " + i + " after resume");
            }
        }
    }

    @Test
    void plateauStateDictRoundTrip() throws Exception {
        double[] metrics = {1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
        try (SchedulerParityTest.Opt a = new SchedulerParityTest.Opt(); SchedulerParityTest.Opt b = new SchedulerParityTest.Opt()) {
            var opts = new ReduceLROnPlateauOptions().patience(1).factor(0.5).cooldown(1);
            ReduceLROnPlateau ra = new ReduceLROnPlateau(a.sgd, opts);
            ReduceLROnPlateau rb = new ReduceLROnPlateau(b.sgd, opts);
            for (int i = 0; i < 4; i++) ra.step(metrics[i]);
            Map<String, Object> st = viaJson(ra.stateDict());
            try (OptimizerStateDict sd = a.sgd.stateDict()) {
                b.sgd.loadStateDict(sd);
            }
            rb.loadStateDict(st);
            assertEquals(0.9, rb.best());
            for (int i = 4; i < metrics.length; i++) {
                ra.step(metrics[i]);
                rb.step(metrics[i]);
                assertArrayEquals(ra.getLastLr(), rb.getLastLr(), "step " + i);
            }
            assertTrue(ra.getLastLr()[0] < 0.1, "the plateau did reduce the lr");
        }
    }

    @Test
    void oneCycleCyclesAdamBeta1AndRefusesMomentumlessOptimizers() {
        try (Tensor p = Torch.zeros(2).requiresGrad_();
             Adam adam = new Adam(List.of(p), new AdamOptions(1e-3).betas(0.9, 0.99))) {
            OneCycleLR s = new OneCycleLR(adam, new OneCycleLROptions(0.01, 10));
            assertEquals(0.95, adam.paramGroups().get(0).options().beta1(), 1e-15);
            assertEquals(0.01 / 25, adam.getLr(0), 1e-15);
            for (int i = 0; i < 2; i++) s.step(); // the peak is at step pctStart * 10 - 1 = 2
            assertEquals(0.85, adam.paramGroups().get(0).options().beta1(), 1e-12, "beta1 at the lr peak");
            assertEquals(0.99, adam.paramGroups().get(0).options().beta2());
            for (int i = 2; i < 10; i++) s.step();
            var e = assertThrows(IllegalStateException.class, s::step);
            assertTrue(e.getMessage().contains("Tried to step 12 times. The specified number of total steps is 10"), e.getMessage());
        }
        try (Tensor p = Torch.zeros(2).requiresGrad_(); Adagrad ada = new Adagrad(List.of(p), new AdagradOptions(0.1))) {
            var e = assertThrows(IllegalArgumentException.class, () -> new OneCycleLR(ada, new OneCycleLROptions(0.1, 10)));
            assertTrue(e.getMessage().contains("momentum"), e.getMessage());
            new OneCycleLR(ada, new OneCycleLROptions(0.1, 10).cycleMomentum(false));
            assertEquals(0.1 / 25, ada.getLr(0), 1e-15);
        }
    }

    @Test
    void invalidArgumentsNameTheValue() {
        try (SchedulerParityTest.Opt o = new SchedulerParityTest.Opt()) {
            assertMessage("Invalid stepSize: 0", () -> new StepLR(o.sgd, 0));
            assertMessage("Invalid tMax: -1", () -> new CosineAnnealingLR(o.sgd, -1));
            assertMessage("Invalid startFactor: 1.5", () -> new LinearLR(o.sgd, 1.5, 1.0, 5));
            assertMessage("Invalid endFactor: -0.5", () -> new LinearLR(o.sgd, 0.5, -0.5, 5));
            assertMessage("Invalid totalIters: 0", () -> new LinearLR(o.sgd, 0.5, 1.0, 0));
            assertMessage("Expected 2 lrLambdas, but got 1", () -> new LambdaLR(o.sgd, List.of(e -> 1.0)));
            assertMessage("Expected positive integer totalSteps, but got 0", () -> new OneCycleLROptions(0.1, 0));
            assertMessage("pctStart, but got 1.5", () -> new OneCycleLROptions(0.1, 10).pctStart(1.5));
            assertMessage("Invalid factor: 1.0", () -> new ReduceLROnPlateauOptions().factor(1.0));
            assertMessage("Invalid patience: -1", () -> new ReduceLROnPlateauOptions().patience(-1));
            assertMessage("number of milestones to be equal to 2",
                    () -> new SequentialLR(o.sgd, List.of(new StepLR(o.sgd, 2), new StepLR(o.sgd, 3)), new int[] {1, 2}));
            try (SchedulerParityTest.Opt other = new SchedulerParityTest.Opt()) {
                assertMessage("to be different than the optimizer passed in",
                        () -> new SequentialLR(o.sgd, List.of(new StepLR(o.sgd, 2), new StepLR(other.sgd, 3)), new int[] {1}));
            }
        }
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "expected \"" + fragment + "\" in \"" + ex.getMessage() + "\"");
    }
}
