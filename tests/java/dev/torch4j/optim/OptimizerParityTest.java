package dev.torch4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.torch4j.Fixtures;
import dev.torch4j.Tensor;

/** Every optimizer config of optim_trajectories.json follows PyTorch 1.13's trajectory step by step. */
class OptimizerParityTest {
    static final double TOL = 1e-5;

    static Stream<String> configs() {
        List<String> names = new ArrayList<>();
        for (JsonNode c : OptimFixtures.TRAJECTORIES.get("configs")) names.add(c.get("name").asText());
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void trajectoryMatchesPyTorch(String name) {
        JsonNode config = OptimFixtures.config(name);
        int steps = OptimFixtures.TRAJECTORIES.get("steps").asInt();
        assertTrue(steps >= 20, "fixture has at least 20 steps");
        try (OptimFixtures.Problem p = new OptimFixtures.Problem(); Optimizer<?> opt = OptimFixtures.build(config, p)) {
            double[] unused0 = p.unused.toDoubleArray();
            for (int s = 0; s < steps; s++) {
                opt.zeroGrad();
                double loss = p.lossBackward();
                double wantLoss = config.get("losses").get(s).asDouble();
                assertTrue(Math.abs(loss - wantLoss) <= TOL + TOL * Math.abs(wantLoss),
                        name + " step " + s + ": loss " + loss + " vs PyTorch " + wantLoss);
                opt.step();
                Fixtures.assertClose(config.get("W").get(s), p.w.toDoubleArray(), TOL, TOL, name + " W after step " + (s + 1));
                Fixtures.assertClose(config.get("b").get(s), p.b.toDoubleArray(), TOL, TOL, name + " b after step " + (s + 1));
            }
            assertEquals(List.of(boxed(unused0)), List.of(boxed(p.unused.toDoubleArray())), "a parameter without grad stays put");
            assertFinalState(name, config.get("final_state"), opt);
        }
    }

    /** State names, step counts and values as PyTorch's optimizer.state after the last step. */
    private static void assertFinalState(String name, JsonNode want, Optimizer<?> opt) {
        try (OptimizerStateDict sd = opt.stateDict()) {
            Map<String, Tensor> tensors = sd.tensors();
            @SuppressWarnings("unchecked")
            Map<String, Object> state = (Map<String, Object>) sd.hyper().get("state");
            int expectedTensors = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                for (Iterator<Map.Entry<String, JsonNode>> f = e.getValue().fields(); f.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = f.next();
                    if (kv.getKey().equals("step")) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> entry = (Map<String, Object>) state.get(e.getKey());
                        assertEquals(kv.getValue().asLong(), ((Number) entry.get("step")).longValue(),
                                name + " state." + e.getKey() + ".step");
                    } else {
                        String key = "state." + e.getKey() + "." + kv.getKey();
                        Tensor t = tensors.get(key);
                        assertTrue(t != null, name + ": missing " + key + " in " + tensors.keySet());
                        Fixtures.assertClose(kv.getValue(), t.toDoubleArray(), TOL, TOL, name + " " + key);
                        expectedTensors++;
                    }
                }
            }
            assertEquals(expectedTensors, tensors.size(), name + ": state tensors " + tensors.keySet());
            if (!want.has("2")) assertNull(opt.state(opt.paramGroups().get(1).params().get(1)),
                    name + ": no state for the parameter without grad");
        }
    }

    private static Double[] boxed(double[] a) {
        Double[] out = new Double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
