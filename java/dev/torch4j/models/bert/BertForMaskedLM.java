package dev.torch4j.models.bert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.LayerNorm;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.functional.F;

/**
 * BERT with its masked-language-model head, as Hugging Face's {@code BertForMaskedLM}:
 * {@code logits = LayerNorm(act(dense(h))) E^T + b}, with children {@code bert} (a {@link BertModel} without pooler)
 * and {@code cls.predictions} ({@code transform.dense}, {@code transform.LayerNorm}, {@code bias [V]}).
 *
 * <p>The decoder is tied: its weight <em>is</em> {@code bert.embeddings.word_embeddings.weight} {@code E [V, H]} and
 * its bias is {@code cls.predictions.bias}, so neither is a parameter of its own ({@link #parameters()} lists each
 * tensor once, as an optimizer needs). {@link #stateDict()} therefore lacks {@code cls.predictions.decoder.*};
 * {@link #saveResolved} writes those aliases too, so the saved keys are exactly PyTorch's {@code state_dict()}.
 *
 * <pre>{@code
 * try (BertForMaskedLM mlm = BertForMaskedLM.fromPretrained(dir); Tensor logits = mlm.forward(ids, mask, null)) {
 *     // logits [B, T, V]; argmax at a [MASK] position predicts the token
 * }
 * }</pre>
 */
public class BertForMaskedLM extends Module {

    /** {@code LayerNorm(act(dense(h)))}: Hugging Face's {@code BertPredictionHeadTransform}. */
    static final class Transform extends Module {
        final Linear dense;
        final BertConfig.Activation act;
        final LayerNorm layerNorm;

        Transform(BertConfig c) {
            dense = registerModule("dense", new Linear(c.hiddenSize(), c.hiddenSize()));
            act = BertConfig.Activation.of(c.hiddenAct());
            layerNorm = registerModule("LayerNorm", new LayerNorm(new long[] {c.hiddenSize()}, c.layerNormEps(), true));
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return layerNorm.forward(BertHeads.activate(act, dense.forward(hidden)));     // (B, T, H)
        }
    }

    /** {@code transform} and the vocabulary bias; the decoder weight is passed in (tied). */
    static final class Predictions extends Module {
        final Transform transform;

        Predictions(BertConfig c) {
            registerParameter("bias", Torch.zeros(c.vocabSize()));
            transform = registerModule("transform", new Transform(c));
        }

        /** {@code cls.predictions.bias [V]}, also the decoder's bias. */
        Tensor bias() {
            return parameter("bias");
        }

        Tensor forward(Tensor hidden, Tensor decoderWeight) {
            return F.linear(transform.forward(hidden), decoderWeight, bias());       // (B, T, V)
        }
    }

    /** Hugging Face's {@code BertOnlyMLMHead}, kept as a module so that keys read {@code cls.predictions.*}. */
    static final class Cls extends Module {
        final Predictions predictions;

        Cls(BertConfig c) {
            predictions = registerModule("predictions", new Predictions(c));
        }
    }

    static final String DECODER_WEIGHT = "cls.predictions.decoder.weight";
    static final String DECODER_BIAS = "cls.predictions.decoder.bias";
    static final String BIAS = "cls.predictions.bias";
    static final String WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight";

    private final BertConfig config;
    private final BertModel bert;
    private final Cls cls;

    /** A randomly initialised model (zero vocabulary bias, as Hugging Face). */
    public BertForMaskedLM(BertConfig config) {
        this.config = Objects.requireNonNull(config, "config").validate();
        try (Scope s = Torch.scope()) {
            bert = registerModule("bert", new BertModel(config, false));
            cls = registerModule("cls", new Cls(config));
        }
    }

    public BertConfig config() {
        return config;
    }

    public BertModel bert() {
        return bert;
    }

    /** The word embedding matrix {@code [V, H]}, which is also the decoder weight (owned by the model). */
    Tensor wordEmbeddings() {
        return ((BertModel.BertEmbeddings) bert.namedChildren().get("embeddings")).wordEmbeddings.weight();
    }

    /**
     * Vocabulary logits {@code [B, T, V]} for every position (owned by the caller); arguments as
     * {@link BertModel#forward}. Gradients reach the word embeddings through the tied decoder.
     */
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        checkOpen();
        try (Scope s = Torch.scope(); BertOutput out = bert.forward(inputIds, attentionMask, tokenTypeIds)) {
            return s.keep(cls.predictions.forward(out.lastHiddenState(), wordEmbeddings()));  // (B, T, V)
        }
    }

    /**
     * Loads a Hugging Face directory (see {@link BertModel#fromPretrained} for files and encoder keys, which may carry
     * the {@code bert.} prefix or not). Needed: the encoder and {@code cls.predictions.{bias, transform.*}}.
     * The tied {@code cls.predictions.decoder.weight} and {@code .bias} may be absent (as {@code save_pretrained}
     * writes them); when present they must equal the word embeddings and {@code cls.predictions.bias} (a checkpoint
     * with only {@code decoder.bias} gives the bias from it). Ignored, as by Hugging Face: {@code bert.pooler.*}, the
     * next-sentence head {@code cls.seq_relationship.*} and other tasks' heads ({@code classifier.*},
     * {@code qa_outputs.*}). Returns the model in eval mode.
     *
     * @throws IllegalArgumentException naming every missing, unexpected or misshapen key, or a differing tied alias
     */
    public static BertForMaskedLM fromPretrained(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        BertConfig config = BertConfig.fromJson(dir.resolve("config.json"));
        Map<String, Tensor> raw = BertCheckpoint.readWeights(dir);
        try {
            BertCheckpoint.Split split = BertCheckpoint.split(raw, dir.toString());
            Map<String, Tensor> sd = BertHeads.encoder(split, false);
            Tensor decoderWeight = null, decoderBias = null;
            for (Map.Entry<String, Tensor> e : split.heads().entrySet()) {
                String k = BertHeads.headKey(e.getKey());
                if (k.equals(DECODER_WEIGHT)) decoderWeight = e.getValue();
                else if (k.equals(DECODER_BIAS)) decoderBias = e.getValue();
                else if (k.startsWith("cls.predictions.")) sd.put(k, e.getValue());
            }
            if (!sd.containsKey(BIAS) && decoderBias != null) {
                sd.put(BIAS, decoderBias);
                decoderBias = null;
            }
            BertForMaskedLM model = BertHeads.load(new BertForMaskedLM(config), sd, dir);
            try {
                BertHeads.checkTied(decoderWeight, DECODER_WEIGHT, model.wordEmbeddings(), WORD_EMBEDDINGS, dir);
                BertHeads.checkTied(decoderBias, DECODER_BIAS, model.cls.predictions.bias(), BIAS, dir);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            return model;
        } finally {
            raw.values().forEach(Tensor::close);
        }
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} to {@code dir} (creating it) with the keys of PyTorch's
     * {@code BertForMaskedLM.state_dict()}: {@code bert.*} (no pooler), {@code cls.predictions.*} and the tied
     * {@code cls.predictions.decoder.weight}/{@code .bias} (stored as copies of the tensors they alias). Hugging Face's
     * {@code from_pretrained} and {@link #fromPretrained} read the result.
     */
    public void saveResolved(Path dir) throws IOException {
        checkOpen();
        Objects.requireNonNull(dir, "dir");
        BertHeads.save(dir, config, "BertForMaskedLM", this,
                Map.of(DECODER_WEIGHT, wordEmbeddings(), DECODER_BIAS, cls.predictions.bias()));
    }
}
