package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** {@code Tensor.toString()} prints exactly what PyTorch prints (fixtures/printing.json). */
class PrintingTest {
    @TestFactory
    Stream<DynamicTest> printsLikePyTorch() {
        JsonNode cases = Fixtures.load("printing.json").get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (JsonNode c : cases) {
            String expected = c.get("str").asText();
            String label = (i++) + ": " + expected.lines().findFirst().orElse("");
            tests.add(DynamicTest.dynamicTest(label, () -> {
                try (Scope s = Torch.scope()) {
                    Tensor t = Fixtures.tensor(c.get("tensor"));
                    if (c.has("requires_grad")) t.requiresGrad_();
                    assertEquals(expected, t.toString());
                }
            }));
        }
        return tests.stream();
    }
}
