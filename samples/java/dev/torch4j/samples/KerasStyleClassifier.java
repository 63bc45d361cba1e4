package dev.torch4j.samples;

import java.nio.file.Path;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.data.DataLoader;
import dev.torch4j.data.DataLoaderOptions;
import dev.torch4j.data.TensorDataset;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.ReLU;
import dev.torch4j.nn.Sequential;
import dev.torch4j.nn.Softmax;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.Adam;
import dev.torch4j.optim.AdamOptions;
import dev.torch4j.training.History;
import dev.torch4j.training.Metric;
import dev.torch4j.training.Trainer;

/**
 * Java twin of {@code keras_style_classifier.py}: Dense(64, relu) -> Dense(64, relu) -> Dense(10, softmax),
 * Adam, sparse categorical cross-entropy on the probabilities.
 */
public final class KerasStyleClassifier {
    private KerasStyleClassifier() {}

    static Sequential model() {
        return new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 64), new ReLU(), new Linear(64, 10), new Softmax(1));
    }

    /** Keras' sparse_categorical_crossentropy on probabilities: mean of -log p[target]. */
    static Tensor sparseCategoricalCrossentropy(Tensor probs, Tensor target) {
        try (Scope s = Torch.scope()) {
            return s.keep(F.nllLoss(probs.log(), target));
        }
    }

    static History train(Sequential model, Tensor xTrain, Tensor yTrain, Tensor xVal, Tensor yVal, int epochs, boolean progress) {
        DataLoader train = new DataLoader(new TensorDataset(xTrain, yTrain), new DataLoaderOptions().batchSize(32));
        DataLoader val = new DataLoader(new TensorDataset(xVal, yVal), new DataLoaderOptions().batchSize(xVal.size(0)));
        try (Adam optimizer = new Adam(model.parameters(), new AdamOptions(1e-3))) {
            return new Trainer(model, optimizer, KerasStyleClassifier::sparseCategoricalCrossentropy).epochs(epochs)
                    .metric("val_accuracy", Metric.accuracy()).progressBar(progress).log(progress ? System.out : null, 1)
                    .fit(train, val);
        }
    }

    public static void main(String[] args) throws Exception {
        Torch.manualSeed(0);
        Torch.setNumThreads(1);
        try (Scope s = Torch.scope(); Sequential model = model()) {
            Tensor centers = Torch.randn(10, 20).mul(3);
            Tensor y = Torch.randint(0, 10, 1000);
            Tensor x = centers.indexSelect(0, y).add(Torch.randn(1000, 20));
            History h = train(model, x.slice(0, 0, 800), y.slice(0, 0, 800), x.slice(0, 800, 1000), y.slice(0, 800, 1000), 5, true);
            System.out.print(h.table(1));
            Path png = Path.of("target", "samples", "keras_style_loss.png");
            h.writeLossCurve(png, "Keras-style classifier (Adam)");
            System.out.println("loss curve: " + png);
        }
    }
}
