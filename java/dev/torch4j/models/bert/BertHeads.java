package dev.torch4j.models.bert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.torch4j.Tensor;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.functional.F;

/** What the task heads share: checkpoint key rules, strict loading, and writing Hugging Face directories. */
final class BertHeads {
    private BertHeads() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** {@code act(x)} for {@code hidden_act}, as Hugging Face's {@code ACT2FN}. */
    static Tensor activate(BertConfig.Activation act, Tensor x) {
        return switch (act) {
            case GELU -> F.gelu(x);
            case GELU_TANH -> F.gelu(x, "tanh");
            case RELU -> F.relu(x);
            case SILU -> F.silu(x);
            case TANH -> F.tanh(x);
        };
    }

    /** A head key with the old {@code LayerNorm.gamma/beta} spelling read as {@code weight/bias}. */
    static String headKey(String k) {
        if (k.endsWith("LayerNorm.gamma")) return k.substring(0, k.length() - "gamma".length()) + "weight";
        if (k.endsWith("LayerNorm.beta")) return k.substring(0, k.length() - "beta".length()) + "bias";
        return k;
    }

    /**
     * The encoder's tensors of {@code split} under {@code bert.} names; {@code pooler.*} is dropped unless
     * {@code withPooler} (Hugging Face's token and masked-LM heads build their encoder without pooler).
     */
    static Map<String, Tensor> encoder(BertCheckpoint.Split split, boolean withPooler) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        split.bert().forEach((k, v) -> {
            if (withPooler || !k.startsWith("pooler.")) sd.put("bert." + k, v);
        });
        return sd;
    }

    /** Loads {@code sd} strictly into {@code model} (closing it on failure, naming {@code source}) and sets eval mode. */
    static <M extends Module> M load(M model, Map<String, Tensor> sd, Path source) {
        try {
            model.loadStateDict(sd);
        } catch (IllegalArgumentException e) {
            model.close();
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        model.eval();
        return model;
    }

    /** Fails unless a tied alias stored in a checkpoint ({@code aliasKey}) equals the tensor it is tied to. */
    static void checkTied(Tensor alias, String aliasKey, Tensor target, String targetKey, Path source) {
        if (alias == null) return;
        boolean same = Arrays.equals(alias.shape(), target.shape());
        if (same) {
            // Both handles may share the checkpoint's mapped storage: close them so the mapping can go.
            try (Tensor a = alias.to(target.dtype()); Tensor t = target.detach()) {
                same = a.equal(t);
            }
        }
        if (!same)
            throw new IllegalArgumentException(source + ": " + aliasKey + " " + Arrays.toString(alias.shape()) + " differs from "
                    + targetKey + " " + Arrays.toString(target.shape()) + "; it is tied to it and cannot be loaded separately");
    }

    /** {@code config.json} text for {@code config} as Hugging Face's {@code BertConfig.to_json_string()} spells it. */
    static String configJson(BertConfig c, String architecture) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(architecture);
        o.put("model_type", "bert");
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("num_attention_heads", c.numAttentionHeads());
        o.put("intermediate_size", c.intermediateSize());
        o.put("hidden_act", c.hiddenAct());
        o.put("hidden_dropout_prob", c.hiddenDropoutProb());
        o.put("attention_probs_dropout_prob", c.attentionProbsDropoutProb());
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        o.put("type_vocab_size", c.typeVocabSize());
        o.put("layer_norm_eps", c.layerNormEps());
        o.put("pad_token_id", c.padTokenId());
        o.put("position_embedding_type", "absolute");
        o.put("torch_dtype", "float32");
        ObjectNode id2label = o.putObject("id2label"), label2id = o.putObject("label2id");
        for (int i = 0; i < c.numLabels(); i++) {
            id2label.put(Integer.toString(i), "LABEL_" + i);
            label2id.put("LABEL_" + i, i);
        }
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@code dir/config.json} and {@code dir/model.safetensors} (creating {@code dir}): {@code model}'s state
     * dict plus {@code aliases} (tied names and the tensors they share, as they appear in PyTorch's
     * {@code state_dict()}), with the {@code format: pt} metadata Hugging Face writes.
     */
    static void save(Path dir, BertConfig config, String architecture, Module model, Map<String, Tensor> aliases) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> state = model.stateDict();
        try {
            for (Map.Entry<String, Tensor> a : aliases.entrySet()) state.put(a.getKey(), a.getValue().detach());
            SafeTensors.save(dir.resolve(BertCheckpoint.SINGLE), state, Map.of("format", "pt"));
        } finally {
            state.values().forEach(Tensor::close);
        }
        Files.writeString(dir.resolve("config.json"), configJson(config, architecture));
    }
}
