package dev.torch4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.nn.functional.F;

class BertForSequenceClassificationTest {
    private static final JsonNode E = BertFixtures.expected();

    @Test
    void headOnPooledOutputTrainsAndRoundTrips(@TempDir Path tmp) throws IOException {
        Path saved = Files.createDirectories(tmp.resolve("saved"));
        float[] logits;
        try (BertForSequenceClassification m = BertForSequenceClassification.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope()) {
            Tensor[] in = BertFixtures.inputs(E);
            Tensor out = m.forward(in[0], in[1], in[2]);
            assertArrayEquals(new long[] {3, 2}, out.shape());
            Tensor pooled = Torch.tensor(BertFixtures.floats(E.get("pooler_output")), 3, 16);
            Tensor w = m.namedParameters().get("classifier.weight"), b = m.namedParameters().get("classifier.bias");
            double d = BertFixtures.maxAbsDiff(out.toFloatArray(), F.linear(pooled, w, b).toFloatArray());
            assertTrue(d < BertFixtures.TOL, "logits = classifier(pooled) max abs diff " + d);
            logits = out.toFloatArray();

            F.crossEntropy(out, Torch.tensor(new long[] {0, 1, 1})).backward();
            assertNotNull(w.grad(), "classifier gets a gradient");
            assertNotNull(m.namedParameters().get("bert.embeddings.word_embeddings.weight").grad(), "the encoder gets a gradient");

            Files.copy(BertFixtures.dir().resolve("config.json"), saved.resolve("config.json"));
            Map<String, Tensor> sd = m.stateDict();
            SafeTensors.save(saved.resolve("model.safetensors"), sd);
        }
        try (BertForSequenceClassification m = BertForSequenceClassification.fromPretrained(saved); Scope s = Torch.scope();
             var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(E);
            assertArrayEquals(logits, m.forward(in[0], in[1], in[2]).toFloatArray(), 1e-6f, "a saved classifier is loaded");
        }
    }

    @Test
    void misshapenClassifierFails(@TempDir Path tmp) throws IOException {
        BertFixtures.copy(tmp);
        Map<String, Tensor> sd = SafeTensors.load(tmp.resolve("model.safetensors"));
        try (Tensor w = Torch.zeros(5, 16); Tensor b = Torch.zeros(5)) {
            Map<String, Tensor> m = new java.util.LinkedHashMap<>(sd);
            m.put("classifier.weight", w);
            m.put("classifier.bias", b);
            SafeTensors.save(tmp.resolve("model.safetensors"), m);
        } finally {
            sd.values().forEach(Tensor::close);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertForSequenceClassification.fromPretrained(tmp));
        assertTrue(e.getMessage().contains("classifier.weight"), e.getMessage());
    }
}
