package dev.torch4j.models.bert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.torch4j.Tensor;
import dev.torch4j.io.SafeTensors;

/** Reading Hugging Face BERT checkpoints: safetensors files (single or sharded) and key normalisation. */
final class BertCheckpoint {
    private BertCheckpoint() {}

    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";
    /** Heads that sit beside {@code bert.*} in pre-training and task checkpoints. */
    private static final List<String> HEADS = List.of("cls.", "classifier.", "qa_outputs.");

    /** Every tensor of {@code dir}'s {@code model.safetensors}, or of the shards its index names; the caller owns them. */
    static Map<String, Tensor> readWeights(Path dir) throws IOException {
        Path single = dir.resolve(SINGLE);
        if (Files.isRegularFile(single)) return SafeTensors.load(single);
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index))
            throw new IllegalArgumentException(dir + ": no " + SINGLE + " or " + INDEX
                    + " (pytorch_model.bin is not read: convert the checkpoint to safetensors)");
        JsonNode map;
        try {
            map = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                    .readTree(Files.readAllBytes(index)).path("weight_map");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(index + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!map.isObject() || map.isEmpty()) throw new IllegalArgumentException(index + ": expected a non-empty \"weight_map\" object");
        Map<String, String> keyToShard = new LinkedHashMap<>();
        Set<String> shards = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().asText("");
            if (!e.getValue().isTextual() || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")
                    || shard.equals("."))
                throw new IllegalArgumentException(index + ": weight_map['" + e.getKey() + "'] must be a file name in " + dir
                        + ", got " + e.getValue());
            keyToShard.put(e.getKey(), shard);
            shards.add(shard);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (String shard : shards) {
                Path file = dir.resolve(shard);
                if (!Files.isRegularFile(file))
                    throw new IllegalArgumentException(index + " names shard " + shard + ", which is not in " + dir);
                if (!insideModel(dir, file))
                    throw new IllegalArgumentException(index + " names shard " + shard + ", a link to " + file.toRealPath()
                            + " outside " + dir);
                for (Map.Entry<String, Tensor> t : SafeTensors.load(file).entrySet()) {
                    Tensor old = out.put(t.getKey(), t.getValue());
                    if (old != null) {
                        old.close();
                        throw new IllegalArgumentException(dir + ": tensor '" + t.getKey() + "' is in more than one shard");
                    }
                }
            }
            List<String> absent = new ArrayList<>();
            for (Map.Entry<String, String> e : keyToShard.entrySet())
                if (!out.containsKey(e.getKey())) absent.add(e.getKey() + " (in " + e.getValue() + ")");
            if (!absent.isEmpty()) throw new IllegalArgumentException(index + " lists tensors its shards lack: " + absent);
        } catch (IOException | RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
        return out;
    }

    /**
     * Whether {@code file} (a link maybe) resolves into {@code dir}, or, for a Hugging Face cache snapshot
     * ({@code models--org--name/snapshots/<rev>}), into the same model's {@code blobs} folder, where the cache links point.
     */
    private static boolean insideModel(Path dir, Path file) throws IOException {
        Path real = file.toRealPath();
        Path home = dir.toRealPath();
        if (real.startsWith(home)) return true;
        Path snapshots = home.getParent();
        return snapshots != null && snapshots.getFileName() != null && snapshots.getFileName().toString().equals("snapshots")
                && snapshots.getParent() != null && real.startsWith(snapshots.getParent().resolve("blobs"));
    }

    /**
     * Refuses, before anything is allocated, a configuration that asks for more parameters than the checkpoint
     * holds: loading would fail on misshapen keys anyway, after allocating what {@code config.json} asked for.
     *
     * @throws IllegalArgumentException naming both counts
     */
    static void checkHolds(BertConfig config, Map<String, Tensor> weights, String source) {
        long held = 0;
        for (Tensor t : weights.values()) held += t.numel();
        if (config.minParameters() > held)
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s: config.json describes at least %.0f "
                    + "parameters (%s), but the checkpoint holds %d; refusing to allocate the model", source,
                    config.minParameters(), config, held));
    }

    /** The encoder's tensors under {@link BertModel} names, and the heads beside it under their own. */
    record Split(Map<String, Tensor> bert, Map<String, Tensor> heads) {}

    /**
     * Sorts checkpoint keys: {@code bert.} is stripped, {@code LayerNorm.gamma/beta} become
     * {@code weight/bias}, the {@code embeddings.position_ids} buffer is dropped, and {@code cls.*},
     * {@code classifier.*}, {@code qa_outputs.*} go to the heads. The tensors are not copied.
     *
     * @throws IllegalArgumentException if two keys name the same tensor (e.g. {@code x} and {@code bert.x})
     */
    static Split split(Map<String, Tensor> raw, String source) {
        Map<String, Tensor> bert = new LinkedHashMap<>();
        Map<String, Tensor> heads = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : raw.entrySet()) {
            String k = e.getKey();
            if (HEADS.stream().anyMatch(k::startsWith)) {
                heads.put(k, e.getValue());
                continue;
            }
            if (k.startsWith("bert.")) k = k.substring("bert.".length());
            if (k.endsWith("LayerNorm.gamma")) k = k.substring(0, k.length() - "gamma".length()) + "weight";
            else if (k.endsWith("LayerNorm.beta")) k = k.substring(0, k.length() - "beta".length()) + "bias";
            if (k.equals("embeddings.position_ids")) continue;
            if (bert.put(k, e.getValue()) != null)
                throw new IllegalArgumentException(source + ": key '" + e.getKey() + "' duplicates another key for '" + k + "'");
        }
        return new Split(bert, heads);
    }
}
