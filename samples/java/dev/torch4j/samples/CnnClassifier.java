package dev.torch4j.samples;

import java.nio.file.Path;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.data.DataLoader;
import dev.torch4j.data.DataLoaderOptions;
import dev.torch4j.data.TensorDataset;
import dev.torch4j.nn.BatchNorm2d;
import dev.torch4j.nn.Conv2dOptions;
import dev.torch4j.nn.Conv2d;
import dev.torch4j.nn.Dropout;
import dev.torch4j.nn.Flatten;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.MaxPool2d;
import dev.torch4j.nn.ReLU;
import dev.torch4j.nn.Sequential;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.SGD;
import dev.torch4j.optim.SGDOptions;
import dev.torch4j.training.History;
import dev.torch4j.training.Metric;
import dev.torch4j.training.Trainer;

/** Java twin of {@code cnn_classifier.py}: a small CNN telling horizontal from vertical bars. */
public final class CnnClassifier {
    private CnnClassifier() {}

    static Sequential model() {
        return new Sequential(new Conv2d(new Conv2dOptions(1, 8, 3).padding(1)), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                new Dropout(0.25), new Flatten(), new Linear(8 * 6 * 6, 2));
    }

    /** n images [n, 1, 12, 12] with a bar at a random row (label 0) or column (label 1), plus noise. */
    static Tensor[] bars(long n) {
        try (Scope s = Torch.scope()) {
            Tensor labels = Torch.randint(0, 2, n);
            Tensor where = F.oneHot(Torch.randint(2, 10, n), 12).to(dev.torch4j.DType.FLOAT32); // (n, 12)
            Tensor horizontal = where.unsqueeze(2).expand(n, 12, 12);
            Tensor vertical = where.unsqueeze(1).expand(n, 12, 12);
            Tensor bar = Torch.where(labels.eq(0).unsqueeze(1).unsqueeze(2), horizontal, vertical);
            Tensor images = Torch.randn(n, 12, 12).mul(0.3).add(bar).unsqueeze(1);
            return new Tensor[] {s.keep(images), s.keep(labels)};
        }
    }

    static History train(Sequential model, Tensor xTrain, Tensor yTrain, Tensor xTest, Tensor yTest, int epochs, boolean progress) {
        DataLoader train = new DataLoader(new TensorDataset(xTrain, yTrain), new DataLoaderOptions().batchSize(32));
        DataLoader test = new DataLoader(new TensorDataset(xTest, yTest), new DataLoaderOptions().batchSize(xTest.size(0)));
        try (SGD optimizer = new SGD(model.parameters(), new SGDOptions(0.05).momentum(0.9))) {
            return new Trainer(model, optimizer, F::crossEntropy).epochs(epochs).metric("accuracy", Metric.accuracy())
                    .progressBar(progress).log(progress ? System.out : null, 1).fit(train, test);
        }
    }

    public static void main(String[] args) throws Exception {
        Torch.manualSeed(0);
        Torch.setNumThreads(1);
        try (Scope s = Torch.scope()) {
            Tensor[] train = bars(256), test = bars(64);
            try (Sequential model = model()) {
                Torch.manualSeed(0); // dropout masks from here on, as in the twin
                History h = train(model, train[0], train[1], test[0], test[1], 5, true);
                System.out.print(h.table(1));
                Path png = Path.of("target", "samples", "cnn_loss.png");
                h.writeLossCurve(png, "CNN on bar images (SGD momentum)");
                System.out.println("loss curve: " + png);
            }
        }
    }
}
