package dev.torch4j.models.gpt2;

import static dev.torch4j.models.gpt2.Gpt2Fixture.EXPECTED;
import static dev.torch4j.models.gpt2.Gpt2Fixture.longs;
import static dev.torch4j.models.gpt2.Gpt2Fixture.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.SafeTensors;

/** fromPretrained layouts (plain, prefixed, sharded, tied head), its error messages, and saving back. */
class GPT2LoadingTest {

    static Map<String, Tensor> checkpoint() throws IOException {
        return SafeTensors.load(Gpt2Fixture.dir().resolve("model.safetensors"));
    }

    /** Writes config.json plus the checkpoint after {@code edit} as model.safetensors into {@code dir}. */
    static Path variant(Path dir, Consumer<Map<String, Tensor>> edit) throws IOException {
        Files.copy(Gpt2Fixture.dir().resolve("config.json"), dir.resolve("config.json"));
        try (Scope s = Torch.scope()) {
            Map<String, Tensor> w = checkpoint();
            edit.accept(w);
            SafeTensors.save(dir.resolve("model.safetensors"), w);
        }
        return dir;
    }

    static String loadError(Path dir) {
        return assertThrows(IllegalArgumentException.class, () -> GPT2LMHeadModel.fromPretrained(dir)).getMessage();
    }

    static double[] logitsOf(GPT2LMHeadModel m) {
        try (Scope s = Torch.scope()) {
            return m.forward(row(longs(EXPECTED.get("input_ids").get(0)))).toDoubleArray();
        }
    }

    @Test
    void stateDictHasHuggingFaceNamesAndConv1DShapes() throws IOException {
        try (GPT2LMHeadModel m = Gpt2Fixture.load(); Scope s = Torch.scope()) {
            Map<String, Tensor> sd = m.stateDict();
            Map<String, Tensor> ckpt = checkpoint();
            assertEquals(2 + 2 * 12 + 2, sd.size(), "keys: " + sd.keySet());
            assertFalse(sd.containsKey("lm_head.weight"), "the tied head is not a separate entry");
            assertArrayEquals(new long[] {96, 32}, sd.get("transformer.wte.weight").shape());
            assertArrayEquals(new long[] {32, 96}, sd.get("transformer.h.0.attn.c_attn.weight").shape(), "Conv1D is [in, out]");
            assertArrayEquals(new long[] {32, 128}, sd.get("transformer.h.1.mlp.c_fc.weight").shape());
            assertArrayEquals(new long[] {128, 32}, sd.get("transformer.h.1.mlp.c_proj.weight").shape());
            for (Map.Entry<String, Tensor> e : ckpt.entrySet()) {
                if (e.getKey().contains("attn.bias") || e.getKey().contains("attn.masked_bias")) continue;
                Tensor mine = sd.get("transformer." + e.getKey());
                assertTrue(mine != null && mine.equal(e.getValue()), "value of " + e.getKey());
            }
            assertEquals(sd.size(), m.namedParameters().size());
            assertFalse(m.isTraining(), "fromPretrained returns an eval-mode model");
        }
    }

    @Test
    void shardedPrefixedCheckpointWithTiedHeadLoads(@TempDir Path dir) throws IOException {
        Files.copy(Gpt2Fixture.dir().resolve("config.json"), dir.resolve("config.json"));
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        try (Scope s = Torch.scope()) {
            Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
            int i = 0;
            for (Map.Entry<String, Tensor> e : checkpoint().entrySet()) (i++ % 2 == 0 ? a : b).put("transformer." + e.getKey(), e.getValue());
            b.put("lm_head.weight", a.get("transformer.wte.weight").clone());
            SafeTensors.save(dir.resolve("model-00001-of-00002.safetensors"), a);
            SafeTensors.save(dir.resolve("model-00002-of-00002.safetensors"), b);
            String sep = "";
            for (String k : a.keySet()) { index.append(sep).append('"').append(k).append("\": \"model-00001-of-00002.safetensors\""); sep = ", "; }
            for (String k : b.keySet()) index.append(", \"").append(k).append("\": \"model-00002-of-00002.safetensors\"");
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.append("}}").toString());
        try (GPT2LMHeadModel sharded = GPT2LMHeadModel.fromPretrained(dir); GPT2LMHeadModel plain = Gpt2Fixture.load()) {
            assertArrayEquals(logitsOf(plain), logitsOf(sharded));
        }
    }

    @Test
    void untiedHeadIsRefused(@TempDir Path dir) throws IOException {
        variant(dir, w -> w.put("lm_head.weight", w.get("wte.weight").add(1.0)));
        String msg = loadError(dir);
        assertTrue(msg.contains("lm_head.weight") && msg.contains("ties"), msg);
    }

    @Test
    void missingKeyIsNamed(@TempDir Path dir) throws IOException {
        variant(dir, w -> w.remove("h.1.mlp.c_fc.bias"));
        String msg = loadError(dir);
        assertTrue(msg.contains("missing keys") && msg.contains("transformer.h.1.mlp.c_fc.bias"), msg);
    }

    @Test
    void unexpectedKeyIsNamed(@TempDir Path dir) throws IOException {
        variant(dir, w -> w.put("h.0.attn.q_proj.weight", Torch.zeros(32, 32)));
        String msg = loadError(dir);
        assertTrue(msg.contains("unexpected keys") && msg.contains("h.0.attn.q_proj.weight"), msg);
    }

    @Test
    void misshapenKeyIsNamedWithBothShapes(@TempDir Path dir) throws IOException {
        // A checkpoint with nn.Linear layout [out, in] instead of Conv1D's [in, out].
        variant(dir, w -> w.put("h.0.attn.c_attn.weight", w.get("h.0.attn.c_attn.weight").t().contiguous()));
        String msg = loadError(dir);
        assertTrue(msg.contains("size mismatch") && msg.contains("transformer.h.0.attn.c_attn.weight")
                && msg.contains("[32, 96]") && msg.contains("[96, 32]"), msg);
    }

    @Test
    void keysWithAndWithoutPrefixTogetherAreRefused(@TempDir Path dir) throws IOException {
        variant(dir, w -> w.put("transformer.ln_f.bias", w.get("ln_f.bias").clone()));
        String msg = loadError(dir);
        assertTrue(msg.contains("ln_f.bias") && msg.contains("prefix"), msg);
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws IOException {
        NoSuchFileException noConfig = assertThrows(NoSuchFileException.class, () -> GPT2LMHeadModel.fromPretrained(dir));
        assertTrue(noConfig.getMessage().contains("config.json"), noConfig.getMessage());
        Files.copy(Gpt2Fixture.dir().resolve("config.json"), dir.resolve("config.json"));
        NoSuchFileException noWeights = assertThrows(NoSuchFileException.class, () -> GPT2LMHeadModel.fromPretrained(dir));
        assertTrue(noWeights.getMessage().contains("model.safetensors"), noWeights.getMessage());
    }

    @Test
    void unsupportedConfigIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"n_embd\": 32, \"n_head\": 4, \"n_layer\": 1, \"scale_attn_by_inverse_layer_idx\": true}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GPT2Config.fromJson(dir.resolve("config.json")));
        assertTrue(e.getMessage().contains("scale_attn_by_inverse_layer_idx"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"activation_function\": \"mish\"}");
        e = assertThrows(IllegalArgumentException.class, () -> GPT2Config.fromJson(dir.resolve("config.json")));
        assertTrue(e.getMessage().contains("mish"), e.getMessage());
        GPT2Config c = GPT2Config.fromJson(Gpt2Fixture.dir().resolve("config.json"));
        assertEquals(96, c.vocabSize());
        assertEquals(32, c.nPositions());
        assertEquals(8, c.headDim());
        assertEquals(128, c.innerSize());
        assertEquals(95, c.eosTokenId());
    }

    @Test
    void saveResolvedRoundTrips(@TempDir Path dir) throws IOException {
        try (GPT2LMHeadModel m = Gpt2Fixture.load()) {
            m.saveResolved(dir);
            try (Scope s = Torch.scope()) {
                Map<String, Tensor> saved = SafeTensors.load(dir.resolve("model.safetensors"));
                assertEquals(m.stateDict().keySet(), saved.keySet());
                assertTrue(saved.keySet().stream().allMatch(k -> k.startsWith("transformer.")), saved.keySet().toString());
            }
            try (GPT2LMHeadModel back = GPT2LMHeadModel.fromPretrained(dir)) {
                assertEquals(m.config().toString(), back.config().toString());
                assertArrayEquals(logitsOf(m), logitsOf(back));
            }
        }
    }

    @Test
    void randomlyInitialisedModelHasGpt2ParameterCount() {
        GPT2Config c = new GPT2Config().vocabSize(50).nPositions(16).nEmbd(16).nLayer(2).nHead(2);
        try (GPT2LMHeadModel m = new GPT2LMHeadModel(c); Scope s = Torch.scope()) {
            long e = 16, v = 50, p = 16;
            long perBlock = 2 * 2 * e + (e * 3 * e + 3 * e) + (e * e + e) + (e * 4 * e + 4 * e) + (4 * e * e + e);
            assertEquals(v * e + p * e + 2 * perBlock + 2 * e, m.numParameters());
            Tensor logits = m.forward(Torch.tensor(new long[] {1, 2, 3, 4, 5, 6}, 2, 3));
            assertArrayEquals(new long[] {2, 3, 50}, logits.shape());
            double std = m.transformer().wte().weight().std().item();
            assertTrue(std > 0.015 && std < 0.025, "wte initialised N(0, 0.02), std " + std);
            assertThrows(IllegalArgumentException.class, () -> m.forward(Torch.tensor(new long[17], 1, 17)), "past n_positions");
        }
        assertThrows(IllegalArgumentException.class, () -> new GPT2Config().nEmbd(10).nHead(3).headDim());
    }
}
