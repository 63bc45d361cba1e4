package dev.torch4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.nn.functional.F;

/**
 * BertForMaskedLM and BertForTokenClassification against the plain-PyTorch reference of
 * tests/fixtures/gen_bert_heads.py (logits within 1e-4), checkpoint key variants, and saveResolved round trips whose
 * key sets are exactly the reference modules' state_dict() keys.
 */
class BertHeadsParityTest {
    private static final Path HEADS = BertFixtures.dir().getParent().resolve("bert_heads");
    private static final JsonNode E = read(HEADS.resolve("expected.json"));

    private static JsonNode read(Path p) {
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> strings(JsonNode a) {
        Set<String> out = new TreeSet<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static float[] mlmLogits(BertForMaskedLM m) {
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(E);
            Tensor out = m.forward(in[0], in[1], in[2]);
            assertArrayEquals(BertFixtures.longs(E.get("mlm_logits_shape")), out.shape());
            return out.toFloatArray();
        }
    }

    private static float[] tokLogits(BertForTokenClassification m) {
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(E);
            Tensor out = m.forward(in[0], in[1], in[2]);
            assertArrayEquals(BertFixtures.longs(E.get("tok_logits_shape")), out.shape());
            return out.toFloatArray();
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        double d = BertFixtures.maxAbsDiff(actual, expected);
        assertTrue(d < BertFixtures.TOL, what + " max abs diff " + d);
    }

    /** A copy of fixture {@code sub} in {@code tmp} with keys renamed by {@code rename} and tensors added by {@code extra}. */
    private static Path rewrite(Path tmp, String sub, UnaryOperator<String> rename, Map<String, Tensor> extra) throws IOException {
        Files.copy(HEADS.resolve(sub).resolve("config.json"), tmp.resolve("config.json"));
        Map<String, Tensor> sd = SafeTensors.load(HEADS.resolve(sub).resolve("model.safetensors"));
        try {
            Map<String, Tensor> out = new LinkedHashMap<>();
            sd.forEach((k, v) -> out.put(rename.apply(k), v));
            out.putAll(extra);
            SafeTensors.save(tmp.resolve("model.safetensors"), out);
        } finally {
            sd.values().forEach(Tensor::close);
        }
        return tmp;
    }

    private static Set<String> savedKeys(Path dir) throws IOException {
        Map<String, Tensor> sd = SafeTensors.load(dir.resolve("model.safetensors"));
        sd.values().forEach(Tensor::close);
        return new TreeSet<>(sd.keySet());
    }

    // ------------------------------------------------------------------ masked LM

    @Test
    void maskedLmMatchesReference() throws IOException {
        try (BertForMaskedLM m = BertForMaskedLM.fromPretrained(HEADS.resolve("mlm"))) {
            assertFalse(m.isTraining(), "fromPretrained returns eval mode");
            assertFalse(m.bert().hasPooler(), "BertForMaskedLM's encoder has no pooler");
            assertClose(BertFixtures.floats(E.get("mlm_logits")), mlmLogits(m), "MLM logits");
            assertFalse(m.namedParameters().containsKey(BertForMaskedLM.DECODER_WEIGHT), "the tied decoder is no parameter of its own");
        }
    }

    @Test
    void maskedLmKeysWithoutPrefixAndWithTiedAliases(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> src = SafeTensors.load(HEADS.resolve("mlm").resolve("model.safetensors"));
        try {
            Map<String, Tensor> aliases = Map.of(BertForMaskedLM.DECODER_WEIGHT, src.get(BertForMaskedLM.WORD_EMBEDDINGS),
                    BertForMaskedLM.DECODER_BIAS, src.get(BertForMaskedLM.BIAS));
            Path dir = rewrite(tmp, "mlm", k -> k.startsWith("bert.") ? k.substring(5) : k, aliases);
            try (BertForMaskedLM m = BertForMaskedLM.fromPretrained(dir)) {
                assertClose(BertFixtures.floats(E.get("mlm_logits")), mlmLogits(m), "MLM logits (no prefix, tied aliases present)");
            }
        } finally {
            src.values().forEach(Tensor::close);
        }
    }

    @Test
    void maskedLmRefusesAnUntiedDecoder(@TempDir Path tmp) throws IOException {
        try (Tensor w = Torch.ones(64, 16)) {
            Path dir = rewrite(tmp, "mlm", k -> k, Map.of(BertForMaskedLM.DECODER_WEIGHT, w));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertForMaskedLM.fromPretrained(dir));
            assertTrue(e.getMessage().contains(BertForMaskedLM.DECODER_WEIGHT), e.getMessage());
        }
    }

    @Test
    void maskedLmMissingHeadFails(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> sd = SafeTensors.load(HEADS.resolve("mlm").resolve("model.safetensors"));
        Files.copy(HEADS.resolve("mlm").resolve("config.json"), tmp.resolve("config.json"));
        try {
            sd.remove("cls.predictions.transform.dense.weight").close();
            SafeTensors.save(tmp.resolve("model.safetensors"), sd);
        } finally {
            sd.values().forEach(Tensor::close);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertForMaskedLM.fromPretrained(tmp));
        assertTrue(e.getMessage().contains("cls.predictions.transform.dense.weight"), e.getMessage());
    }

    @Test
    void maskedLmTrainsThroughTheTiedDecoder() throws IOException {
        try (BertForMaskedLM m = BertForMaskedLM.fromPretrained(HEADS.resolve("mlm")); Scope s = Torch.scope()) {
            m.train();
            Tensor[] in = BertFixtures.inputs(E);
            Tensor logits = m.forward(in[0], in[1], in[2]);                                      // (B, T, V)
            F.crossEntropy(logits.reshape(-1, 64), in[0].reshape(-1)).backward();
            Tensor emb = m.namedParameters().get(BertForMaskedLM.WORD_EMBEDDINGS);
            assertNotNull(emb.grad(), "word embeddings get a gradient");
            // Rows of ids absent from the batch are reached only through the decoder.
            assertTrue(emb.grad().select(0, 60).abs().sum().item() > 0, "the decoder's gradient reaches the embeddings");
            assertNotNull(m.namedParameters().get(BertForMaskedLM.BIAS).grad(), "cls.predictions.bias gets a gradient");
        }
    }

    @Test
    void maskedLmSaveResolvedRoundTrips(@TempDir Path tmp) throws IOException {
        float[] before;
        try (BertForMaskedLM m = BertForMaskedLM.fromPretrained(HEADS.resolve("mlm"))) {
            before = mlmLogits(m);
            m.saveResolved(tmp);
        }
        assertEquals(strings(E.get("mlm_state_dict_keys")), savedKeys(tmp), "saved keys = reference state_dict() keys");
        JsonNode cfg = read(tmp.resolve("config.json"));
        assertEquals("BertForMaskedLM", cfg.get("architectures").get(0).asText());
        assertEquals("bert", cfg.get("model_type").asText());
        try (BertForMaskedLM m = BertForMaskedLM.fromPretrained(tmp)) {
            assertArrayEquals(before, mlmLogits(m), 0f, "same logits after save and load");
        }
    }

    // ------------------------------------------------------------------ token classification

    @Test
    void tokenClassificationMatchesReference() throws IOException {
        try (BertForTokenClassification m = BertForTokenClassification.fromPretrained(HEADS.resolve("tok"))) {
            assertEquals(E.get("num_labels").asInt(), m.config().numLabels(), "num_labels from id2label");
            assertFalse(m.bert().hasPooler());
            assertClose(BertFixtures.floats(E.get("tok_logits")), tokLogits(m), "token logits");
        }
    }

    @Test
    void tokenClassificationKeysWithoutPrefix(@TempDir Path tmp) throws IOException {
        Path dir = rewrite(tmp, "tok", k -> k.startsWith("bert.") ? k.substring(5) : k, Map.of());
        try (BertForTokenClassification m = BertForTokenClassification.fromPretrained(dir)) {
            assertClose(BertFixtures.floats(E.get("tok_logits")), tokLogits(m), "token logits (no prefix)");
        }
    }

    @Test
    void tokenClassificationFromBaseBertKeepsFreshHead() throws IOException {
        // bert_tiny is a plain BertModel (pooler included, which the token head ignores).
        try (BertForTokenClassification m = BertForTokenClassification.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope();
             var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(BertFixtures.expected());
            Tensor logits = m.forward(in[0], in[1], in[2]);
            assertArrayEquals(new long[] {3, 7, 2}, logits.shape());
            Tensor hidden = Torch.tensor(BertFixtures.floats(BertFixtures.expected().get("last_hidden_state")), 3, 7, 16);
            Tensor w = m.namedParameters().get("classifier.weight"), b = m.namedParameters().get("classifier.bias");
            assertClose(F.linear(hidden, w, b).toFloatArray(), logits.toFloatArray(), "classifier(last_hidden_state)");
        }
    }

    @Test
    void tokenClassificationSaveResolvedRoundTrips(@TempDir Path tmp) throws IOException {
        float[] before;
        try (BertForTokenClassification m = BertForTokenClassification.fromPretrained(HEADS.resolve("tok"))) {
            before = tokLogits(m);
            m.saveResolved(tmp);
        }
        assertEquals(strings(E.get("tok_state_dict_keys")), savedKeys(tmp), "saved keys = reference state_dict() keys");
        JsonNode cfg = read(tmp.resolve("config.json"));
        assertEquals(5, cfg.get("id2label").size());
        try (BertForTokenClassification m = BertForTokenClassification.fromPretrained(tmp)) {
            assertEquals(5, m.config().numLabels());
            assertArrayEquals(before, tokLogits(m), 0f, "same logits after save and load");
        }
    }

    // ------------------------------------------------------------------ BertModel and sequence classification

    @Test
    void bertModelSaveResolvedRoundTrips(@TempDir Path tmp) throws IOException {
        JsonNode e = BertFixtures.expected();
        Set<String> reference = savedKeys(BertFixtures.dir());  // gen_bert.py wrote its model.state_dict()
        float[] hidden, pooled;
        try (BertModel m = BertModel.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(e);
            BertOutput out = m.forward(in[0], in[1], in[2]);
            hidden = out.lastHiddenState().toFloatArray();
            pooled = out.pooledOutput().toFloatArray();
            m.saveResolved(tmp);
        }
        assertEquals(reference, savedKeys(tmp), "saved keys = reference state_dict() keys");
        BertConfig saved = BertConfig.fromJson(tmp.resolve("config.json"));
        assertEquals(BertConfig.fromJson(BertFixtures.dir().resolve("config.json")).toString(), saved.toString());
        try (BertModel m = BertModel.fromPretrained(tmp); Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(e);
            BertOutput out = m.forward(in[0], in[1], in[2]);
            assertArrayEquals(hidden, out.lastHiddenState().toFloatArray(), 0f);
            assertArrayEquals(pooled, out.pooledOutput().toFloatArray(), 0f);
        }
    }

    @Test
    void sequenceClassificationSaveResolvedRoundTrips(@TempDir Path tmp) throws IOException {
        JsonNode e = BertFixtures.expected();
        Set<String> reference = new TreeSet<>();
        savedKeys(BertFixtures.dir()).forEach(k -> reference.add("bert." + k));
        reference.add("classifier.weight");
        reference.add("classifier.bias");
        float[] before;
        try (BertForSequenceClassification m = BertForSequenceClassification.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope();
             var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(e);
            before = m.forward(in[0], in[1], in[2]).toFloatArray();
            m.saveResolved(tmp);
        }
        assertEquals(reference, savedKeys(tmp), "saved keys = HF BertForSequenceClassification state_dict() keys");
        try (BertForSequenceClassification m = BertForSequenceClassification.fromPretrained(tmp); Scope s = Torch.scope();
             var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(e);
            assertArrayEquals(before, m.forward(in[0], in[1], in[2]).toFloatArray(), 0f);
        }
    }
}
