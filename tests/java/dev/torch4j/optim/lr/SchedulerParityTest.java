package dev.torch4j.optim.lr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.torch4j.Fixtures;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.optim.SGD;
import dev.torch4j.optim.SGDOptions;

/** Every schedule of optim_schedules.json (tests/fixtures/gen_optim.py) gives PyTorch 1.13's lrs. */
class SchedulerParityTest {
    static final JsonNode SCHEDULES = Fixtures.load("optim_schedules.json");
    static final double REL = 1e-12;

    static Stream<String> cases() {
        List<String> names = new ArrayList<>();
        for (JsonNode c : SCHEDULES.get("cases")) names.add(c.get("name").asText());
        return names.stream();
    }

    static JsonNode byName(String name) {
        for (JsonNode c : SCHEDULES.get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new IllegalArgumentException(name);
    }

    /** SGD with groups lr 0.1 and 0.05 and momentum 0.9, as the fixture's optimizer. */
    static final class Opt implements AutoCloseable {
        final Tensor p0 = Torch.zeros(2).requiresGrad_();
        final Tensor p1 = Torch.zeros(2).requiresGrad_();
        final SGD sgd = new SGD(List.of(p0), new SGDOptions(0.1).momentum(0.9));

        Opt() {
            sgd.addParamGroup(List.of(p1), new SGDOptions(0.05).momentum(0.9));
        }

        @Override
        public void close() {
            sgd.close();
            p0.close();
            p1.close();
        }
    }

    static LRScheduler make(String name, SGD o) {
        return switch (name) {
            case "step" -> new StepLR(o, 7, 0.5);
            case "step_default_gamma" -> new StepLR(o, 3);
            case "multistep" -> new MultiStepLR(o, new int[] {5, 12, 12, 20}, 0.3);
            case "exponential" -> new ExponentialLR(o, 0.9);
            case "cosine" -> new CosineAnnealingLR(o, 10, 0.001);
            case "cosine_long" -> new CosineAnnealingLR(o, 40);
            case "linear" -> new LinearLR(o, 0.25, 1.0, 8);
            case "linear_decay" -> new LinearLR(o, 1.0, 0.1, 20);
            case "lambda" -> new LambdaLR(o, List.<IntToDoubleFunction>of(e -> Math.pow(0.95, e), e -> 1.0 / (e + 1)));
            case "onecycle_cos" -> new OneCycleLR(o, new OneCycleLROptions(0.5, 31));
            case "onecycle_linear" -> new OneCycleLR(o, new OneCycleLROptions(0.8, 31)
                    .annealStrategy(OneCycleLROptions.AnnealStrategy.LINEAR).pctStart(0.4).divFactor(10.0)
                    .finalDivFactor(100.0).baseMomentum(0.8).maxMomentum(0.9));
            case "onecycle_three_phase" -> new OneCycleLR(o, new OneCycleLROptions(0.3, 35).threePhase(true).cycleMomentum(false));
            case "sequential_warmup_cosine" -> new SequentialLR(o,
                    List.of(new LinearLR(o, 0.1, 1.0, 5), new CosineAnnealingLR(o, 20, 0.001)), new int[] {5});
            case "sequential_three" -> new SequentialLR(o, List.of(new LinearLR(o, 0.5, 1.0, 4), new ExponentialLR(o, 0.9),
                    new StepLR(o, 3, 0.5)), new int[] {4, 10});
            default -> throw new IllegalArgumentException("no Java scheduler for fixture case " + name);
        };
    }

    static ReduceLROnPlateau plateau(String name, SGD o) {
        JsonNode a = byName(name).get("args");
        return new ReduceLROnPlateau(o, new ReduceLROnPlateauOptions()
                .mode(ReduceLROnPlateauOptions.Mode.valueOf(a.get("mode").asText().toUpperCase()))
                .factor(a.get("factor").asDouble()).patience(a.get("patience").asInt()).threshold(a.get("threshold").asDouble())
                .thresholdMode(ReduceLROnPlateauOptions.ThresholdMode.valueOf(a.get("threshold_mode").asText().toUpperCase()))
                .cooldown(a.get("cooldown").asInt()).minLr(a.get("min_lr").asDouble()).eps(a.get("eps").asDouble()));
    }

    static void assertLrs(JsonNode want, double[] got, String what) {
        assertEquals(want.size(), got.length, what + ": groups");
        for (int i = 0; i < got.length; i++) {
            double w = want.get(i).asDouble();
            if (!(Math.abs(got[i] - w) <= REL * Math.abs(w)))
                fail(String.format("%s group %d: expected %.17g got %.17g", what, i, w, got[i]));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lrSequenceMatchesPyTorch(String name) {
        JsonNode c = byName(name);
        JsonNode lrs = c.get("lr");
        assertTrue(lrs.size() >= 31, "fixture covers 30 steps");
        try (Opt o = new Opt()) {
            if (c.has("metrics")) {
                ReduceLROnPlateau s = plateau(name, o.sgd);
                assertLrs(lrs.get(0), new double[] {o.sgd.getLr(0), o.sgd.getLr(1)}, name + " initially");
                for (int i = 0; i < c.get("metrics").size(); i++) {
                    o.sgd.step();
                    s.step(c.get("metrics").get(i).asDouble());
                    assertLrs(lrs.get(i + 1), new double[] {o.sgd.getLr(0), o.sgd.getLr(1)}, name + " after step " + (i + 1));
                    assertLrs(lrs.get(i + 1), s.getLastLr(), name + " getLastLr after step " + (i + 1));
                }
                return;
            }
            LRScheduler s = make(name, o.sgd);
            JsonNode mom = c.get("momentum");
            assertLrs(lrs.get(0), new double[] {o.sgd.getLr(0), o.sgd.getLr(1)}, name + " after construction");
            assertLrs(mom.get(0), momenta(o.sgd), name + " momentum after construction");
            for (int i = 1; i < lrs.size(); i++) {
                o.sgd.step();
                s.step();
                assertLrs(lrs.get(i), s.getLastLr(), name + " getLastLr after step " + i);
                assertLrs(lrs.get(i), new double[] {o.sgd.getLr(0), o.sgd.getLr(1)}, name + " optimizer lr after step " + i);
                assertLrs(mom.get(i), momenta(o.sgd), name + " momentum after step " + i);
            }
        }
    }

    static double[] momenta(SGD sgd) {
        return new double[] {sgd.paramGroups().get(0).options().momentum(), sgd.paramGroups().get(1).options().momentum()};
    }

    @Test
    void everyFixtureCaseIsCovered() {
        assertTrue(SCHEDULES.get("cases").size() >= 18, "fixture has all cases");
    }
}
