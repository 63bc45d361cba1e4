package dev.torch4j.models.bert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.Dropout;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Module;

/**
 * BERT with a per-token classification head (named-entity tagging and the like), as Hugging Face's
 * {@code BertForTokenClassification}: {@code classifier(dropout(last_hidden_state))}, with children {@code bert} (a
 * {@link BertModel} without pooler), {@code dropout} and {@code classifier [num_labels, H]}.
 */
public class BertForTokenClassification extends Module {
    private final BertConfig config;
    private final BertModel bert;
    private final Dropout dropout;
    private final Linear classifier;

    /** A randomly initialised model with {@code config.numLabels()} classes per token. */
    public BertForTokenClassification(BertConfig config) {
        this.config = Objects.requireNonNull(config, "config").validate();
        try (Scope s = Torch.scope()) {
            bert = registerModule("bert", new BertModel(config, false));
            dropout = registerModule("dropout", new Dropout(config.hiddenDropoutProb()));
            classifier = registerModule("classifier", new Linear(config.hiddenSize(), config.numLabels()));
        }
    }

    public BertConfig config() {
        return config;
    }

    public BertModel bert() {
        return bert;
    }

    /** Per-token class logits {@code [B, T, num_labels]} (owned by the caller); arguments as {@link BertModel#forward}. */
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        checkOpen();
        try (Scope s = Torch.scope(); BertOutput out = bert.forward(inputIds, attentionMask, tokenTypeIds)) {
            return s.keep(classifier.forward(dropout.forward(out.lastHiddenState())));  // (B, T, num_labels)
        }
    }

    /**
     * Loads a Hugging Face directory (see {@link BertModel#fromPretrained}; encoder keys with or without the
     * {@code bert.} prefix); {@code num_labels} comes from {@code config.json}. The encoder must be complete; ignored,
     * as by Hugging Face: {@code bert.pooler.*} and pre-training heads ({@code cls.*}). A checkpoint without
     * {@code classifier.*} (a base BERT, to be fine-tuned) keeps the freshly initialised classifier; a present but
     * misshapen one fails. Returns the model in eval mode.
     */
    public static BertForTokenClassification fromPretrained(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        BertConfig config = BertConfig.fromJson(dir.resolve("config.json"));
        Map<String, Tensor> raw = BertCheckpoint.readWeights(dir);
        try {
            BertCheckpoint.Split split = BertCheckpoint.split(raw, dir.toString());
            Map<String, Tensor> sd = BertHeads.encoder(split, false);
            split.heads().forEach((k, v) -> {
                if (k.startsWith("classifier.")) sd.put(k, v);
            });
            BertForTokenClassification model = new BertForTokenClassification(config);
            if (!sd.containsKey("classifier.weight") && !sd.containsKey("classifier.bias")) {
                sd.put("classifier.weight", model.classifier.weight());
                sd.put("classifier.bias", model.classifier.bias());
            }
            return BertHeads.load(model, sd, dir);
        } finally {
            raw.values().forEach(Tensor::close);
        }
    }

    /**
     * Writes {@code config.json} (with {@code id2label} for {@code num_labels}) and {@code model.safetensors} (the keys
     * of PyTorch's {@code state_dict()}) to {@code dir}, creating it; Hugging Face and {@link #fromPretrained} read it.
     */
    public void saveResolved(Path dir) throws IOException {
        checkOpen();
        Objects.requireNonNull(dir, "dir");
        BertHeads.save(dir, config, "BertForTokenClassification", this, Map.of());
    }
}
