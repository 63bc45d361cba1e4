package dev.torch4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.SafeTensors;

/** BertModel.fromPretrained refuses broken checkpoints with a message naming the file or key. */
class BertLoadingErrorsTest {

    /** A copy of the fixture whose state dict went through {@code edit}. */
    private static Path variant(Path dir, Consumer<Map<String, Tensor>> edit) throws IOException {
        Files.copy(BertFixtures.dir().resolve("config.json"), dir.resolve("config.json"));
        Map<String, Tensor> sd = SafeTensors.load(BertFixtures.dir().resolve("model.safetensors"));
        try {
            Map<String, Tensor> m = new LinkedHashMap<>(sd);
            edit.accept(m);
            SafeTensors.save(dir.resolve("model.safetensors"), m);
        } finally {
            sd.values().forEach(Tensor::close);
        }
        return dir;
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message should name '" + p + "': " + e.getMessage());
    }

    @Test
    void missingKey(@TempDir Path tmp) throws IOException {
        Path dir = variant(tmp, m -> m.remove("encoder.layer.1.output.dense.weight"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(dir));
        assertMessage(e, "missing keys", "encoder.layer.1.output.dense.weight");
    }

    @Test
    void unexpectedKey(@TempDir Path tmp) throws IOException {
        Tensor extra = Torch.zeros(3);
        try {
            Path dir = variant(tmp, m -> m.put("encoder.layer.0.attention.self.rotary.weight", extra));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(dir));
            assertMessage(e, "unexpected keys", "encoder.layer.0.attention.self.rotary.weight");
        } finally {
            extra.close();
        }
    }

    @Test
    void misshapenKey(@TempDir Path tmp) throws IOException {
        Tensor wrong = Torch.zeros(16, 15);
        try {
            Path dir = variant(tmp, m -> m.put("encoder.layer.0.attention.self.key.weight", wrong));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(dir));
            assertMessage(e, "size mismatch", "encoder.layer.0.attention.self.key.weight", "[16, 16]", "[16, 15]");
        } finally {
            wrong.close();
        }
    }

    @Test
    void halfAPoolerIsAnError(@TempDir Path tmp) throws IOException {
        Path dir = variant(tmp, m -> m.remove("pooler.dense.weight"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(dir));
        assertMessage(e, "pooler.dense.weight");
    }

    @Test
    void missingFiles(@TempDir Path tmp) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(tmp));
        assertMessage(e, "config.json");
        Files.copy(BertFixtures.dir().resolve("config.json"), tmp.resolve("config.json"));
        e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(tmp));
        assertMessage(e, "model.safetensors", "model.safetensors.index.json");
        Files.writeString(tmp.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"pooler.dense.bias\": \"shard-1.safetensors\"}}");
        e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(tmp));
        assertMessage(e, "shard-1.safetensors");
        Files.writeString(tmp.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"pooler.dense.bias\": \"../x.safetensors\"}}");
        e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(tmp));
        assertMessage(e, "../x.safetensors");
    }

    @Test
    void badConfig(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("config.json"), "{\"hidden_size\": 15, \"num_attention_heads\": 2}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(tmp));
        assertMessage(e, "config.json", "hidden_size (15)", "num_attention_heads (2)");
        Files.writeString(tmp.resolve("config.json"), "{\"hidden_act\": \"mish\"}");
        e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(tmp));
        assertMessage(e, "hidden_act 'mish'");
        Files.writeString(tmp.resolve("config.json"), "{\"vocab_size\": \"many\"}");
        e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(tmp));
        assertMessage(e, "vocab_size must be an integer");
        Files.writeString(tmp.resolve("config.json"), "{\"vocab_size\": ");
        e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromPretrained(tmp));
        assertMessage(e, "config.json", "not valid JSON");
    }

    @Test
    void corruptSafetensorsIsAFormatError(@TempDir Path tmp) throws IOException {
        BertFixtures.copy(tmp);
        byte[] b = Files.readAllBytes(tmp.resolve("model.safetensors"));
        Files.write(tmp.resolve("model.safetensors"), java.util.Arrays.copyOf(b, b.length / 2));
        assertThrows(dev.torch4j.io.SafeTensorsFormatException.class, () -> BertModel.fromPretrained(tmp));
    }
}
