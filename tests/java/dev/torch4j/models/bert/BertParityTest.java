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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.SafeTensors;

/**
 * BertModel against tests/fixtures/bert_tiny, whose expected outputs come from a PyTorch reference forward written
 * after Hugging Face's modeling_bert.py (tests/fixtures/gen_bert.py): a padded batch with token types, within 1e-4.
 */
class BertParityTest {
    private static final JsonNode E = BertFixtures.expected();

    private static void assertMatches(BertModel model) {
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(E);
            BertOutput out = model.forward(in[0], in[1], in[2]);
            assertArrayEquals(BertFixtures.longs(E.get("shape")), out.lastHiddenState().shape());
            double dh = BertFixtures.maxAbsDiff(out.lastHiddenState().toFloatArray(), BertFixtures.floats(E.get("last_hidden_state")));
            double dp = BertFixtures.maxAbsDiff(out.pooledOutput().toFloatArray(), BertFixtures.floats(E.get("pooler_output")));
            assertTrue(dh < BertFixtures.TOL, "last_hidden_state max abs diff " + dh);
            assertTrue(dp < BertFixtures.TOL, "pooler_output max abs diff " + dp);
        }
    }

    @Test
    void fromPretrainedMatchesPyTorch() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir())) {
            assertTrue(model.hasPooler());
            assertFalse(model.isTraining(), "fromPretrained returns an eval-mode model");
            assertMatches(model);
        }
    }

    @Test
    void fromOnnxMatchesPyTorch() throws IOException {
        BertConfig c = BertConfig.fromJson(BertFixtures.dir().resolve("config.json"));
        try (BertModel model = BertModel.fromOnnx(BertFixtures.dir().resolve("model.onnx"), c)) {
            assertMatches(model);
        }
    }

    @Test
    void stateDictKeysAreHuggingFaces() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope()) {
            Map<String, Tensor> file = SafeTensors.load(BertFixtures.dir().resolve("model.safetensors"));
            assertEquals(file.keySet(), model.stateDict().keySet());
            assertTrue(model.namedParameters().containsKey("encoder.layer.1.attention.output.LayerNorm.weight"));
        }
    }

    @Test
    void gradientsMatchPyTorch() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope()) {
            Tensor[] in = BertFixtures.inputs(E);
            BertOutput out = model.forward(in[0], in[1], in[2]);
            Tensor h = out.lastHiddenState();
            Tensor r = Torch.arange(0.0, (double) h.numel(), 1.0).sin().view(h.shape());
            h.mul(r).sum().backward();
            Tensor grad = model.namedParameters().get(E.get("grad_param").asText()).grad();
            assertNotNull(grad);
            double d = BertFixtures.maxAbsDiff(grad.toFloatArray(), BertFixtures.floats(E.get("grad")));
            assertTrue(d < BertFixtures.TOL, "gradient max abs diff " + d);
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet())
                if (!p.getKey().startsWith("pooler.")) assertNotNull(p.getValue().grad(), "no gradient for " + p.getKey());
        }
    }

    @Test
    void dropoutOnlyInTrainMode() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(E);
            float[] a = model.forward(in[0], in[1], in[2]).lastHiddenState().toFloatArray();
            float[] b = model.forward(in[0], in[1], in[2]).lastHiddenState().toFloatArray();
            assertArrayEquals(a, b, "eval mode is deterministic");
            model.train();
            Torch.manualSeed(7);
            float[] c = model.forward(in[0], in[1], in[2]).lastHiddenState().toFloatArray();
            assertTrue(BertFixtures.maxAbsDiff(a, c) > 1e-2, "train mode applies dropout");
        }
    }

    @Test
    void nullMaskAndTypesMeanAllRealAndSegmentZero() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor ids = Torch.tensor(new long[] {2, 17, 33, 3}, 1, 4);
            float[] a = model.forward(ids, null, null).lastHiddenState().toFloatArray();
            float[] b = model.forward(ids, Torch.onesLike(ids), Torch.zerosLike(ids)).lastHiddenState().toFloatArray();
            assertArrayEquals(a, b, 1e-6f);
            Tensor[] in = BertFixtures.inputs(E);
            float[] masked = model.forward(in[0], in[1], in[2]).lastHiddenState().toFloatArray();
            float[] unmasked = model.forward(in[0], null, in[2]).lastHiddenState().toFloatArray();
            assertTrue(BertFixtures.maxAbsDiff(masked, unmasked) > 1e-3, "the padding mask changes padded rows");
        }
    }

    @Test
    void prefixedShardedAndPoolerlessCheckpointsLoad(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> sd = SafeTensors.load(BertFixtures.dir().resolve("model.safetensors"));
        try {
            // bert.-prefixed keys beside pre-training heads, as bert-base-uncased's checkpoint.
            Path prefixed = Files.createDirectories(tmp.resolve("prefixed"));
            Files.copy(BertFixtures.dir().resolve("config.json"), prefixed.resolve("config.json"));
            Map<String, Tensor> p = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : sd.entrySet()) p.put("bert." + e.getKey(), e.getValue());
            p.put("cls.predictions.bias", sd.get("pooler.dense.bias"));
            SafeTensors.save(prefixed.resolve("model.safetensors"), p);
            try (BertModel m = BertModel.fromPretrained(prefixed)) {
                assertMatches(m);
            }

            // Two shards and an index.
            Path sharded = Files.createDirectories(tmp.resolve("sharded"));
            Files.copy(BertFixtures.dir().resolve("config.json"), sharded.resolve("config.json"));
            Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
            StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
            for (Map.Entry<String, Tensor> e : sd.entrySet()) {
                boolean first = e.getKey().startsWith("embeddings.") || e.getKey().startsWith("encoder.layer.0.");
                (first ? a : b).put(e.getKey(), e.getValue());
                index.append(index.charAt(index.length() - 1) == '{' ? "" : ",").append('"').append(e.getKey()).append("\": \"")
                        .append(first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
            }
            SafeTensors.save(sharded.resolve("model-00001-of-00002.safetensors"), a);
            SafeTensors.save(sharded.resolve("model-00002-of-00002.safetensors"), b);
            Files.writeString(sharded.resolve("model.safetensors.index.json"), index.append("}}").toString());
            try (BertModel m = BertModel.fromPretrained(sharded)) {
                assertMatches(m);
            }

            // No pooler (as sentence-transformers checkpoints): loads, and pooledOutput() says why it is absent.
            Path noPooler = Files.createDirectories(tmp.resolve("nopooler"));
            Files.copy(BertFixtures.dir().resolve("config.json"), noPooler.resolve("config.json"));
            Map<String, Tensor> np = new LinkedHashMap<>(sd);
            np.remove("pooler.dense.weight");
            np.remove("pooler.dense.bias");
            SafeTensors.save(noPooler.resolve("model.safetensors"), np);
            try (BertModel m = BertModel.fromPretrained(noPooler); Scope s = Torch.scope()) {
                assertFalse(m.hasPooler());
                Tensor[] in = BertFixtures.inputs(E);
                BertOutput out = m.forward(in[0], in[1], in[2]);
                double d = BertFixtures.maxAbsDiff(out.lastHiddenState().toFloatArray(), BertFixtures.floats(E.get("last_hidden_state")));
                assertTrue(d < BertFixtures.TOL, "last_hidden_state max abs diff " + d);
                IllegalStateException ex = assertThrows(IllegalStateException.class, out::pooledOutput);
                assertTrue(ex.getMessage().contains("no pooler"), ex.getMessage());
            }
        } finally {
            sd.values().forEach(Tensor::close);
        }
    }

    @Test
    void forwardChecksItsArguments() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope()) {
            Tensor ids = Torch.tensor(new long[] {2, 17, 3}, 1, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Torch.tensor(new long[] {2, 3}), null, null));
            assertTrue(e.getMessage().contains("inputIds"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.forward(ids, Torch.ones(1, 4), null));
            assertTrue(e.getMessage().contains("attentionMask"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.forward(Torch.zeros(new long[] {1, 40}, dev.torch4j.DType.INT64), null, null));
            assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
        }
    }
}
