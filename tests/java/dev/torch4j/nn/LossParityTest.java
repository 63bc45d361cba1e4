package dev.torch4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Fixtures;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.CrossEntropyOptions;
import dev.torch4j.nn.functional.Reduction;

/**
 * Loss modules against PyTorch (tests/fixtures/nn_losses.json from gen_nn.py): the loss, the gradient of
 * {@code sum(loss * w)} with respect to the input, and (for some) the printed form. Fixture inputs are the
 * input, the target, then the weight tensors the loss was built with.
 */
class LossParityTest {
    private static final Map<String, Function<List<Tensor>, Loss>> CASES = new LinkedHashMap<>();
    private static final Map<String, Reduction> REDUCTIONS = Map.of("none", Reduction.NONE, "sum", Reduction.SUM, "mean", Reduction.MEAN,
            "batchmean", Reduction.BATCHMEAN);

    static {
        for (String r : List.of("none", "sum", "mean")) {
            Reduction red = REDUCTIONS.get(r);
            CASES.put("mse_" + r, in -> new MSELoss(red));
            CASES.put("l1_" + r, in -> new L1Loss(red));
            CASES.put("smoothl1_" + r, in -> new SmoothL1Loss(red, 0.5));
            CASES.put("ce_idx_" + r, in -> new CrossEntropyLoss(new CrossEntropyOptions().reduction(red)));
            CASES.put("ce_prob_" + r, in -> new CrossEntropyLoss(new CrossEntropyOptions().reduction(red)));
            CASES.put("ce_weight_" + r, in -> new CrossEntropyLoss(new CrossEntropyOptions().weight(in.get(2)).reduction(red)));
            CASES.put("nll_" + r, in -> new NLLLoss(new CrossEntropyOptions().reduction(red)));
            CASES.put("nll_weight_" + r, in -> new NLLLoss(new CrossEntropyOptions().weight(in.get(2)).reduction(red)));
            CASES.put("bce_" + r, in -> new BCELoss(null, red));
            CASES.put("bce_weight_" + r, in -> new BCELoss(in.get(2), red));
            CASES.put("bcelogits_" + r, in -> new BCEWithLogitsLoss(null, null, red));
            CASES.put("bcelogits_posweight_" + r, in -> new BCEWithLogitsLoss(null, in.get(2), red));
        }
        for (String r : List.of("none", "sum", "mean", "batchmean")) {
            Reduction red = REDUCTIONS.get(r);
            CASES.put("kldiv_" + r, in -> new KLDivLoss(red, false));
            CASES.put("kldiv_logtarget_" + r, in -> new KLDivLoss(red, true));
        }
        CASES.put("smoothl1_default", in -> new SmoothL1Loss());
        CASES.put("ce_ignore", in -> new CrossEntropyLoss(new CrossEntropyOptions().ignoreIndex(3)));
        CASES.put("ce_smooth", in -> new CrossEntropyLoss(new CrossEntropyOptions().labelSmoothing(0.1)));
        CASES.put("ce_smooth_weight_ignore",
                in -> new CrossEntropyLoss(new CrossEntropyOptions().weight(in.get(2)).ignoreIndex(4).labelSmoothing(0.2)));
        CASES.put("ce_prob_smooth", in -> new CrossEntropyLoss(new CrossEntropyOptions().labelSmoothing(0.1)));
        CASES.put("ce_2d", in -> new CrossEntropyLoss());
        CASES.put("nll_ignore", in -> new NLLLoss(new CrossEntropyOptions().ignoreIndex(0)));
        CASES.put("bcelogits_weight_posweight", in -> new BCEWithLogitsLoss(in.get(2), in.get(3), Reduction.MEAN));
    }

    private static List<JsonNode> fixtureCases() {
        return StreamSupport.stream(Fixtures.load("nn_losses.json").get("cases").spliterator(), false).toList();
    }

    @Test
    void everyBuilderHasAFixtureCase() {
        Set<String> names = new HashSet<>();
        for (JsonNode c : fixtureCases()) names.add(c.get("name").asText());
        for (String k : CASES.keySet()) assertTrue(names.contains(k), "builder " + k + " has no fixture case");
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return fixtureCases().stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }

    private static void check(JsonNode c) {
        String name = c.get("name").asText();
        Function<List<Tensor>, Loss> build = CASES.get(name);
        assertNotNull(build, "no Java builder for fixture case " + name);
        try (Scope s = Torch.scope()) {
            List<Tensor> in = new ArrayList<>();
            for (JsonNode t : c.get("inputs")) in.add(Fixtures.tensor(t));
            Tensor x = in.get(0).requiresGrad_(true);
            try (Loss loss = build.apply(in)) {
                if (c.has("repr")) assertEquals(c.get("repr").asText(), loss.toString(), name + ": toString");
                assertTrue(loss.stateDict().isEmpty(), name + ": losses hold no state (weights are borrowed)");
                Tensor out = loss.forward(x, in.get(1));
                Fixtures.assertClose(c.get("output"), out, name + ": loss");
                out.mul(Fixtures.tensor(c.get("weight"))).sum().backward();
                Fixtures.assertClose(c.get("grad"), x.grad(), name + ": grad input");
            }
        }
    }

    @Test
    void rejectsBatchmeanOutsideKlDivAndNullReduction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MSELoss(Reduction.BATCHMEAN));
        assertTrue(e.getMessage().contains("BATCHMEAN") && e.getMessage().contains("MSELoss"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new L1Loss(null));
        assertThrows(IllegalArgumentException.class, () -> new SmoothL1Loss(Reduction.MEAN, -1));
        try (KLDivLoss kl = new KLDivLoss(Reduction.BATCHMEAN, false)) {
            assertEquals(Reduction.BATCHMEAN, kl.reduction());
        }
    }

    @Test
    void shapeErrorsNameBothShapes() {
        try (Scope s = Torch.scope(); CrossEntropyLoss ce = new CrossEntropyLoss(); MSELoss mse = new MSELoss()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ce.forward(Torch.randn(4, 5), Torch.tensor(new long[] {0, 1, 2}, 3)));
            assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> mse.forward(Torch.randn(2, 3), Torch.randn(3, 2)));
            assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }
}
