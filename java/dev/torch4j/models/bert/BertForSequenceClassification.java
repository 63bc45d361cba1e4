package dev.torch4j.models.bert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.Dropout;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Module;

/**
 * BERT with a classification head, as Hugging Face's {@code BertForSequenceClassification}:
 * {@code classifier(dropout(pooled_output))} with children {@code bert}, {@code dropout}, {@code classifier}, so
 * state-dict keys are {@code bert.encoder.layer.0...} and {@code classifier.weight [num_labels, H]}.
 */
public class BertForSequenceClassification extends Module {
    private final BertModel bert;
    private final Dropout dropout;
    private final Linear classifier;

    /** A randomly initialised model with {@code config.numLabels()} classes. */
    public BertForSequenceClassification(BertConfig config) {
        Objects.requireNonNull(config, "config").validate();
        try (Scope s = Torch.scope()) {
            bert = registerModule("bert", new BertModel(config, true));
            dropout = registerModule("dropout", new Dropout(config.hiddenDropoutProb()));
            classifier = registerModule("classifier", new Linear(config.hiddenSize(), config.numLabels()));
        }
    }

    public BertModel bert() {
        return bert;
    }

    /**
     * Class logits {@code [B, num_labels]} (owned by the caller); arguments as {@link BertModel#forward}. The logits
     * read only the first position's hidden state, so when every row's first token is real (right padding, as
     * torch4j's tokenizers pad) the encoder skips the padding ({@link BertModel#forwardRealTokens}); the logits are
     * the same.
     */
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        // Not in training: forwardRealTokens would only fall back to forward there, with extra mask work per step.
        boolean firstReal = !isTraining() && attentionMask != null && attentionMask.dim() == 2 && attentionMask.size(1) > 0
                && firstTokensReal(attentionMask);
        try (Scope s = Torch.scope();
             BertOutput out = firstReal ? bert.forwardRealTokens(inputIds, attentionMask, tokenTypeIds)
                     : bert.forward(inputIds, attentionMask, tokenTypeIds)) {
            return s.keep(classifier.forward(dropout.forward(out.pooledOutput())));  // (B, num_labels)
        }
    }

    private static boolean firstTokensReal(Tensor attentionMask) {
        try (Tensor first = attentionMask.select(1, 0); Tensor nonzero = first.ne(0); Tensor all = nonzero.all()) {
            return all.item() != 0;
        }
    }

    /**
     * Loads a Hugging Face directory (see {@link BertModel#fromPretrained}); {@code num_labels} comes from
     * {@code config.json}. The encoder and pooler must be complete. A checkpoint without {@code classifier.*}
     * (a base BERT, to be fine-tuned) keeps the freshly initialised classifier, as Hugging Face does; a
     * present but misshapen classifier fails.
     */
    public static BertForSequenceClassification fromPretrained(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        BertConfig config = BertConfig.fromJson(dir.resolve("config.json"));
        Map<String, Tensor> raw = BertCheckpoint.readWeights(dir);
        try {
            BertCheckpoint.Split split = BertCheckpoint.split(raw, dir.toString());
            Map<String, Tensor> sd = new LinkedHashMap<>();
            split.bert().forEach((k, v) -> sd.put("bert." + k, v));
            boolean hasHead = false;
            for (Map.Entry<String, Tensor> e : split.heads().entrySet()) {
                if (e.getKey().startsWith("cls.")) continue; // pre-training heads
                sd.put(e.getKey(), e.getValue());
                hasHead |= e.getKey().startsWith("classifier.");
            }
            BertForSequenceClassification model = new BertForSequenceClassification(config);
            try {
                if (!hasHead) {
                    sd.put("classifier.weight", model.classifier.weight());
                    sd.put("classifier.bias", model.classifier.bias());
                }
                model.loadStateDict(sd);
            } catch (IllegalArgumentException e) {
                model.close();
                throw new IllegalArgumentException(dir + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            model.eval();
            return model;
        } finally {
            raw.values().forEach(Tensor::close);
        }
    }

    /**
     * Writes {@code config.json} (with {@code id2label} for {@code num_labels}) and {@code model.safetensors} (the keys
     * of Hugging Face's {@code state_dict()}: {@code bert.*} with pooler, {@code classifier.*}) to {@code dir}, creating
     * it; Hugging Face and {@link #fromPretrained} read it.
     */
    public void saveResolved(Path dir) throws IOException {
        checkOpen();
        BertHeads.save(Objects.requireNonNull(dir, "dir"), bert.config(), "BertForSequenceClassification", this, Map.of());
    }
}
