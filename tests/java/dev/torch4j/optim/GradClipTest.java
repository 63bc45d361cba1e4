package dev.torch4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.torch4j.Fixtures;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** clipGradNorm / clipGradValue against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (optim_clip.json). */
class GradClipTest {
    static final JsonNode CLIP = Fixtures.load("optim_clip.json");

    static Stream<String> cases() {
        List<String> names = new ArrayList<>();
        for (JsonNode c : CLIP.get("cases")) names.add(c.get("name").asText());
        return names.stream();
    }

    /** Three parameters: the first two get the fixture's gradients (via backward of sum(p * g)), the third none. */
    private static List<Tensor> params(Scope s) {
        List<Tensor> ps = new ArrayList<>();
        for (JsonNode g : CLIP.get("grads")) {
            Tensor grad = Fixtures.tensor(g);
            Tensor p = Torch.zerosLike(grad).requiresGrad_();
            p.mul(grad).sum().backward();
            ps.add(p);
        }
        ps.add(Torch.zeros(2).requiresGrad_());
        return ps;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) {
        JsonNode c = null;
        for (JsonNode x : CLIP.get("cases")) if (x.get("name").asText().equals(name)) c = x;
        try (Scope s = Torch.scope()) {
            List<Tensor> ps = params(s);
            JsonNode args = c.get("args");
            if (c.get("kind").asText().equals("norm")) {
                double normType = args.get("norm_type").isTextual() ? Double.POSITIVE_INFINITY : args.get("norm_type").asDouble();
                double total = GradClip.clipGradNorm(ps, args.get("max_norm").asDouble(), normType);
                double want = c.get("total_norm").asDouble();
                assertEquals(want, total, 1e-5 + 1e-5 * Math.abs(want), name + ": total norm");
            } else {
                GradClip.clipGradValue(ps, args.get("clip_value").asDouble());
            }
            for (int i = 0; i < 2; i++)
                Fixtures.assertClose(c.get("grads").get(i), ps.get(i).grad(), name + ": grad " + i);
            assertNull(ps.get(2).grad(), "no gradient is created");
        }
    }

    @Test
    void nonFiniteNormIsReportedOnRequest() {
        try (Scope s = Torch.scope()) {
            Tensor p = Torch.zeros(3).requiresGrad_();
            p.mul(Torch.tensor(new float[] {1, Float.POSITIVE_INFINITY, 2})).sum().backward();
            var e = assertThrows(IllegalStateException.class, () -> GradClip.clipGradNorm(List.of(p), 1.0, 2.0, true));
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
            assertArrayEquals(new float[] {1, Float.POSITIVE_INFINITY, 2}, p.grad().toFloatArray(), "gradients untouched");
            assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGradNorm(List.of(p), 1.0, 2.0, false));
        }
    }

    @Test
    void noGradientsGiveZeroAndBadArgumentsAreRejected() {
        try (Scope s = Torch.scope()) {
            Tensor p = Torch.zeros(3).requiresGrad_();
            assertEquals(0.0, GradClip.clipGradNorm(List.of(p), 1.0));
            var e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(List.of(p), -1));
            assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
        }
    }
}
