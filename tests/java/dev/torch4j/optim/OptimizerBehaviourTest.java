package dev.torch4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

class OptimizerBehaviourTest {

    /** Configs whose state covers every buffer kind: momentum_buffer, exp_avg(_sq), max_exp_avg_sq, square_avg, grad_avg, sum. */
    @ParameterizedTest
    @ValueSource(strings = {"sgd_nesterov_wd", "adam_wd_amsgrad", "adamw_wd_amsgrad", "rmsprop_momentum_centered_wd",
            "adagrad_decay_wd_init"})
    void stateDictRoundTripResumesTheIdenticalTrajectory(String name) throws Exception {
        var config = OptimFixtures.config(name);
        int total = 24, split = 11;
        List<double[]> uninterrupted = new ArrayList<>();
        try (OptimFixtures.Problem p = new OptimFixtures.Problem(); Optimizer<?> opt = OptimFixtures.build(config, p)) {
            for (int s = 0; s < total; s++) {
                train(opt, p);
                uninterrupted.add(concat(p.w.toDoubleArray(), p.b.toDoubleArray()));
            }
        }
        Map<String, Tensor> savedTensors = new LinkedHashMap<>();
        Map<String, Object> savedHyper;
        double[] w, b;
        try (OptimFixtures.Problem p = new OptimFixtures.Problem(); Optimizer<?> opt = OptimFixtures.build(config, p)) {
            for (int s = 0; s < split; s++) train(opt, p);
            try (OptimizerStateDict sd = opt.stateDict()) {
                for (var e : sd.tensors().entrySet()) savedTensors.put(e.getKey(), e.getValue().clone());
                // Through JSON, as a checkpoint would store it.
                ObjectMapper json = new ObjectMapper();
                @SuppressWarnings("unchecked")
                Map<String, Object> h = json.readValue(json.writeValueAsString(sd.hyper()), Map.class);
                savedHyper = h;
            }
            w = p.w.toDoubleArray();
            b = p.b.toDoubleArray();
            // Keep stepping: the saved copies must not alias live state.
            train(opt, p);
        }
        try (OptimFixtures.Problem p = new OptimFixtures.Problem();
             OptimizerStateDict loaded = new OptimizerStateDict(savedTensors, savedHyper)) {
            try (Scope s = Torch.scope(); var ng = Torch.noGrad()) {
                p.w.copy_(Torch.tensor(w).reshape(3, 4));
                p.b.copy_(Torch.tensor(b));
            }
            var fresh = OptimFixtures.config(name);
            try (Optimizer<?> opt = OptimFixtures.build(fresh, p)) {
                opt.setLr(0, 123.0); // overwritten by the loaded hyper-parameters
                opt.loadStateDict(loaded);
                assertEquals(config.get("groups").get(0).get("lr").asDouble(), opt.getLr(0), name + ": lr restored");
                for (int s = split; s < total; s++) {
                    train(opt, p);
                    assertArrayEquals(uninterrupted.get(s), concat(p.w.toDoubleArray(), p.b.toDoubleArray()),
                            name + ": resumed step " + (s + 1) + " differs from uninterrupted training");
                }
            }
        }
    }

    private static void train(Optimizer<?> opt, OptimFixtures.Problem p) {
        opt.zeroGrad();
        p.lossBackward();
        opt.step();
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = new double[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void stateDictLayout() {
        try (OptimFixtures.Problem p = new OptimFixtures.Problem();
             Adam opt = new Adam(List.of(p.w, p.b), new AdamOptions(1e-3).betas(0.8, 0.9).amsgrad(true))) {
            p.lossBackward();
            opt.step();
            try (OptimizerStateDict sd = opt.stateDict()) {
                assertEquals(List.of("state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
                        "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq"), new ArrayList<>(sd.tensors().keySet()));
                assertArrayEquals(new long[] {3, 4}, sd.tensors().get("state.0.exp_avg").shape());
                @SuppressWarnings("unchecked")
                Map<String, Object> g = ((List<Map<String, Object>>) sd.hyper().get("param_groups")).get(0);
                assertEquals(1e-3, g.get("lr"));
                assertEquals(List.of(0.8, 0.9), g.get("betas"));
                assertEquals(true, g.get("amsgrad"));
                assertEquals(List.of(0, 1), g.get("params"));
                assertEquals(Map.of("0", Map.of("step", 1L), "1", Map.of("step", 1L)), sd.hyper().get("state"));
            }
        }
    }

    @Test
    void loadStateDictRejectsMismatches() {
        try (OptimFixtures.Problem p = new OptimFixtures.Problem();
             SGD opt = new SGD(List.of(p.w, p.b), new SGDOptions(0.1).momentum(0.9))) {
            p.lossBackward();
            opt.step();
            try (OptimizerStateDict sd = opt.stateDict(); Tensor wrong = Torch.zeros(4, 3)) {
                Map<String, Tensor> t = new LinkedHashMap<>(sd.tensors());
                t.put("state.0.momentum_buffer", wrong);
                var e = assertThrows(IllegalArgumentException.class,
                        () -> opt.loadStateDict(new OptimizerStateDict(t, sd.hyper())));
                assertTrue(e.getMessage().contains("state.0.momentum_buffer") && e.getMessage().contains("[3, 4]"), e.getMessage());

                Map<String, Tensor> t2 = new LinkedHashMap<>(sd.tensors());
                t2.put("state.7.momentum_buffer", wrong);
                e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(new OptimizerStateDict(t2, sd.hyper())));
                assertTrue(e.getMessage().contains("7"), e.getMessage());
            }
            try (SGD two = new SGD(List.of(p.w), new SGDOptions(0.1)); OptimizerStateDict sd = opt.stateDict()) {
                var e = assertThrows(IllegalArgumentException.class, () -> two.loadStateDict(sd));
                assertTrue(e.getMessage().contains("expected 1 parameters"), e.getMessage());
            }
            // Nothing changed after the failed loads: momentum buffers are still there.
            assertNotNull(opt.state(p.w).buffer("momentum_buffer"));
        }
    }

    @Test
    void invalidOptionsNameTheValue() {
        assertMessage("Invalid learning rate: -1.0", () -> new SGDOptions(-1.0));
        assertMessage("Invalid learning rate: NaN", () -> new AdamOptions(Double.NaN));
        assertMessage("Invalid momentum value: -0.5", () -> new SGDOptions(0.1).momentum(-0.5));
        assertMessage("Invalid weightDecay value: -0.01", () -> new SGDOptions(0.1).weightDecay(-0.01));
        assertMessage("Invalid beta parameter at index 0: 1.0", () -> new AdamOptions(0.1).betas(1.0, 0.9));
        assertMessage("Invalid beta parameter at index 1: -0.1", () -> new AdamWOptions(0.1).betas(0.9, -0.1));
        assertMessage("Invalid epsilon value: -1.0E-8", () -> new AdamOptions(0.1).eps(-1e-8));
        assertMessage("Invalid weightDecay value: -1.0", () -> new AdamWOptions(0.1).weightDecay(-1));
        assertMessage("Invalid alpha value: -0.9", () -> new RMSpropOptions(0.1).alpha(-0.9));
        assertMessage("Invalid momentum value: -1.0", () -> new RMSpropOptions(0.1).momentum(-1));
        assertMessage("Invalid epsilon value: -1.0", () -> new RMSpropOptions(0.1).eps(-1));
        assertMessage("Invalid lrDecay value: -0.1", () -> new AdagradOptions(0.1).lrDecay(-0.1));
        assertMessage("Invalid initialAccumulatorValue value: -2.0", () -> new AdagradOptions(0.1).initialAccumulatorValue(-2));
        assertMessage("Invalid learning rate: -3.0", () -> new AdagradOptions(0.1).lr(-3));
        try (Tensor w = Torch.zeros(2).requiresGrad_()) {
            assertMessage("Nesterov momentum requires a momentum and zero dampening, got momentum 0.0",
                    () -> new SGD(List.of(w), new SGDOptions(0.1).nesterov(true)));
            assertMessage("dampening 0.5", () -> new SGD(List.of(w), new SGDOptions(0.1).momentum(0.9).dampening(0.5).nesterov(true)));
        }
    }

    @Test
    void invalidParametersAreRejected() {
        assertMessage("empty parameter list", () -> new SGD(List.of(), new SGDOptions(0.1)));
        try (Tensor w = Torch.zeros(2).requiresGrad_(); Tensor v = Torch.zeros(3).requiresGrad_();
             Tensor ints = Torch.tensor(new long[] {1, 2}); Tensor nonLeaf = w.mul(2.0)) {
            assertMessage("params[1]: can only optimize floating point tensors, got dtype torch.int64",
                    () -> new SGD(List.of(w, ints), new SGDOptions(0.1)));
            assertMessage("params[0]: can't optimize a non-leaf tensor", () -> new Adam(List.of(nonLeaf), new AdamOptions(0.1)));
            assertMessage("params[1]: some parameters appear in more than one parameter group",
                    () -> new SGD(List.of(w, w), new SGDOptions(0.1)));
            try (SGD opt = new SGD(List.of(w), new SGDOptions(0.1))) {
                assertMessage("params[1]: some parameters appear in more than one parameter group",
                        () -> opt.addParamGroup(List.of(v, w), new SGDOptions(0.2)));
                assertEquals(1, opt.paramGroups().size(), "a rejected group is not added");
                opt.addParamGroup(List.of(v), new SGDOptions(0.2));
                assertEquals(0.2, opt.getLr(1));
            }
        }
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "expected \"" + fragment + "\" in \"" + ex.getMessage() + "\"");
    }

    @Test
    void optionsAreCopiedPerGroup() {
        try (Tensor w = Torch.zeros(2).requiresGrad_(); Tensor v = Torch.zeros(2).requiresGrad_()) {
            SGDOptions o = new SGDOptions(0.1).momentum(0.5);
            try (SGD opt = new SGD(List.of(w), o)) {
                opt.addParamGroup(List.of(v), o);
                o.lr(7.0);
                opt.setLr(1, 0.3);
                assertEquals(0.1, opt.getLr(0));
                assertEquals(0.3, opt.getLr(1));
                assertEquals(0.5, opt.paramGroups().get(1).options().momentum());
                opt.setLr(0.01);
                assertEquals(0.01, opt.getLr(0));
                assertEquals(0.01, opt.getLr(1));
            }
        }
    }

    @Test
    void zeroGradDropsGradients() {
        try (OptimFixtures.Problem p = new OptimFixtures.Problem();
             SGD opt = new SGD(List.of(p.w, p.b, p.unused), new SGDOptions(0.1))) {
            p.lossBackward();
            try (Tensor g = p.w.grad()) {
                assertNotNull(g);
            }
            opt.zeroGrad();
            assertNull(p.w.grad());
            assertNull(p.b.grad());
            assertNull(p.unused.grad());
            double[] w0 = p.w.toDoubleArray();
            opt.step();
            assertArrayEquals(w0, p.w.toDoubleArray(), "step after zeroGrad changes nothing");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd_momentum", "adam_amsgrad", "adamw_default", "rmsprop_momentum_centered_wd", "adagrad_default"})
    void stepWithoutGradientsIsANoOp(String name) {
        try (OptimFixtures.Problem p = new OptimFixtures.Problem(); Optimizer<?> opt = OptimFixtures.build(OptimFixtures.config(name), p)) {
            double[] w0 = p.w.toDoubleArray(), b0 = p.b.toDoubleArray();
            int before = opt.stateTensorCount();
            opt.step();
            opt.step();
            assertArrayEquals(w0, p.w.toDoubleArray(), name);
            assertArrayEquals(b0, p.b.toDoubleArray(), name);
            assertEquals(before, opt.stateTensorCount(), name + ": no state created");
            assertNull(p.w.grad());
            // With a gradient it does move, so the assertions above can fail.
            p.lossBackward();
            opt.step();
            assertFalse(Arrays.equals(w0, p.w.toDoubleArray()), name + ": a real step moves W");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd_nesterov_wd", "adam_wd_amsgrad", "adamw_wd_amsgrad", "rmsprop_momentum_centered_wd",
            "adagrad_decay_wd_init"})
    void longLoopsKeepStateAndScopesFlat(String name) {
        try (OptimFixtures.Problem p = new OptimFixtures.Problem(); Optimizer<?> opt = OptimFixtures.build(OptimFixtures.config(name), p)) {
            opt.setLr(0, 1e-4);
            opt.setLr(1, 1e-4);
            train(opt, p);
            int stateCount = opt.stateTensorCount();
            assertTrue(stateCount > 0, name + ": has state");
            for (int s = 0; s < 2000; s++) {
                try (Scope scope = Torch.scope()) {
                    opt.zeroGrad();
                    p.lossBackward();
                    int inScope = scope.size();
                    opt.step();
                    assertEquals(inScope, scope.size(), name + ": step leaves no tensor in the caller's scope");
                }
                if (s % 500 == 0) assertEquals(stateCount, opt.stateTensorCount(), name + " at step " + s);
            }
            assertEquals(stateCount, opt.stateTensorCount(), name + ": state tensor count after 2000 steps");
        }
    }

    @Test
    void stateCreatedInsideAScopeOutlivesIt() {
        try (OptimFixtures.Problem p = new OptimFixtures.Problem(); Adam opt = new Adam(List.of(p.w, p.b), new AdamOptions(0.01))) {
            try (Scope s = Torch.scope()) {
                p.lossBackward();
                opt.step(); // first step: creates exp_avg, exp_avg_sq
            }
            Tensor expAvg = opt.state(p.w).buffer("exp_avg");
            assertFalse(expAvg.isClosed(), "state must not belong to the caller's scope");
            opt.zeroGrad();
            p.lossBackward();
            opt.step();
            assertEquals(2, opt.state(p.w).step());
        }
    }

    @Test
    void closeFreesStateAndRefusesUse() {
        try (OptimFixtures.Problem p = new OptimFixtures.Problem()) {
            RMSprop opt = new RMSprop(List.of(p.w), new RMSpropOptions(0.01).momentum(0.9).centered(true));
            p.lossBackward();
            opt.step();
            List<Tensor> buffers = new ArrayList<>(opt.state(p.w).buffers().values());
            assertEquals(3, buffers.size());
            opt.close();
            opt.close();
            for (Tensor t : buffers) assertTrue(t.isClosed());
            assertFalse(p.w.isClosed(), "parameters are not owned by the optimizer");
            var e = assertThrows(IllegalStateException.class, opt::step);
            assertTrue(e.getMessage().contains("RMSprop is closed"), e.getMessage());
        }
    }
}
