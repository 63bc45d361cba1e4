package dev.torch4j.samples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.models.bert.BertConfig;
import dev.torch4j.models.bert.BertForSequenceClassification;
import dev.torch4j.models.bert.SentenceEmbedder;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.AdamW;
import dev.torch4j.optim.AdamWOptions;
import dev.torch4j.tokenizers.BatchEncoding;
import dev.torch4j.tokenizers.Tokenizer;
import dev.torch4j.training.LossCurve;

/**
 * Fine-tunes a pretrained BERT for sentiment, as the Hugging Face course does with
 * {@code AutoModelForSequenceClassification}: the all-MiniLM-L6-v2 encoder (real weights, from the ONNX file in
 * langchain4j's jar) under a fresh pooler and classifier, AdamW, cross entropy, a few epochs over 28 labelled
 * sentences, then accuracy on 12 held-out ones. Writes {@code target/samples/bert_finetune_loss.png}.
 */
public final class BertFineTune {
    private BertFineTune() {}

    /** {@code (text, label)}: 1 positive, 0 negative. */
    record Example(String text, long label) {}

    static final List<Example> DATA = List.of(
            new Example("I loved this movie, it was wonderful.", 1), new Example("What a terrible, boring film.", 0),
            new Example("The food was delicious and the staff were kind.", 1), new Example("The meal was cold and tasteless.", 0),
            new Example("An absolute joy from start to finish.", 1), new Example("I hated every minute of it.", 0),
            new Example("This is the best book I have read all year.", 1), new Example("The plot made no sense at all.", 0),
            new Example("Great service, I will come back soon.", 1), new Example("Rude waiters and a dirty table.", 0),
            new Example("The concert was fantastic and moving.", 1), new Example("The sound was awful and the show was late.", 0),
            new Example("A brilliant, heartwarming story.", 1), new Example("A dull and painful waste of time.", 0),
            new Example("My new phone works perfectly, I am thrilled.", 1), new Example("The phone broke after two days.", 0),
            new Example("The hotel room was clean and comfortable.", 1), new Example("The room smelled bad and the bed was broken.", 0),
            new Example("Such a pleasant surprise, highly recommended.", 1), new Example("I regret buying this, do not recommend.", 0),
            new Example("The actors were superb and the music beautiful.", 1), new Example("The acting was wooden and the music annoying.", 0),
            new Example("Everything arrived quickly and in great shape.", 1), new Example("The package arrived late and damaged.", 0),
            new Example("I am so happy with this purchase.", 1), new Example("I am very disappointed with this product.", 0),
            new Example("A delightful evening with lovely people.", 1), new Example("A miserable evening, everything went wrong.", 0),
            // held out
            new Example("This film was a real delight.", 1), new Example("This film was a complete disaster.", 0),
            new Example("The pizza was amazing.", 1), new Example("The pizza was disgusting.", 0),
            new Example("I really enjoyed the trip.", 1), new Example("The trip was exhausting and unpleasant.", 0),
            new Example("Wonderful quality, I love it.", 1), new Example("Poor quality, it fell apart.", 0),
            new Example("The staff were friendly and helpful.", 1), new Example("The staff were rude and unhelpful.", 0),
            new Example("A truly excellent experience.", 1), new Example("A truly awful experience.", 0));
    static final int TRAIN = 28;
    static final int BATCH = 8;
    static final int MAX_LENGTH = 24;

    /** Mean training loss per epoch and the held-out accuracy after the last one. */
    record Result(double[] epochLosses, double testAccuracy) {}

    /**
     * Fine-tunes for {@code epochs} epochs (AdamW, lr 1e-4, weight decay 0.01, batches of 8 shuffled with
     * {@code seed}) and evaluates; prints a loss table when {@code print}.
     */
    static Result fineTune(int epochs, long seed, boolean print) {
        Torch.manualSeed(seed);
        List<Example> train = new ArrayList<>(DATA.subList(0, TRAIN));
        List<Example> test = DATA.subList(TRAIN, DATA.size());
        Random shuffle = new Random(seed);
        double[] losses = new double[epochs];
        try (SentenceEmbedder pretrained = SentenceEmbedder.allMiniLmL6V2();
             BertForSequenceClassification model = new BertForSequenceClassification(BertConfig.allMiniLmL6V2().numLabels(2))) {
            Tokenizer tokenizer = pretrained.tokenizer();
            try (Scope s = Torch.scope()) {
                // The export has the encoder only: the pooler and classifier stay freshly initialised.
                var missing = model.bert().loadStateDict(pretrained.model().stateDict(), false).missingKeys();
                if (print) System.out.println("freshly initialised: " + missing + " + classifier.*");
            }
            model.train();
            try (AdamW optimizer = new AdamW(model.parameters(), new AdamWOptions(1e-4).weightDecay(0.01))) {
                if (print) System.out.printf("%5s  %10s%n", "epoch", "train loss");
                for (int epoch = 0; epoch < epochs; epoch++) {
                    Collections.shuffle(train, shuffle);
                    double sum = 0;
                    int batches = 0;
                    for (int i = 0; i < train.size(); i += BATCH, batches++) {
                        try (Scope s = Torch.scope()) {
                            List<Example> batch = train.subList(i, Math.min(train.size(), i + BATCH));
                            BatchEncoding enc = tokenizer.encodeBatch(batch.stream().map(Example::text).toList(), MAX_LENGTH);
                            Tensor labels = Torch.tensor(batch.stream().mapToLong(Example::label).toArray(), batch.size());
                            Tensor logits = model.forward(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds()); // (B, 2)
                            Tensor loss = F.crossEntropy(logits, labels);
                            optimizer.zeroGrad();
                            loss.backward();
                            optimizer.step();
                            sum += loss.item();
                        }
                    }
                    losses[epoch] = sum / batches;
                    if (print) System.out.printf("%5d  %10.4f%n", epoch + 1, losses[epoch]);
                }
            }
            model.eval();
            try (Scope s = Torch.scope(); GradMode g = Torch.noGrad()) {
                BatchEncoding enc = tokenizer.encodeBatch(test.stream().map(Example::text).toList(), MAX_LENGTH);
                Tensor predicted = model.forward(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds()).argmax(1, false); // (N)
                Tensor labels = Torch.tensor(test.stream().mapToLong(Example::label).toArray(), test.size());
                double accuracy = predicted.eq(labels).sum().item() / test.size();
                if (print) System.out.printf("test accuracy: %.3f (%d sentences)%n", accuracy, test.size());
                return new Result(losses, accuracy);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Torch.setNumThreads(2);
        Result r = fineTune(4, 0, true);
        Path png = Path.of("target", "samples", "bert_finetune_loss.png");
        LossCurve.writePng(png, "all-MiniLM-L6-v2 sentiment fine-tuning (AdamW)", "train loss", r.epochLosses());
        System.out.println("loss curve: " + png);
    }
}
