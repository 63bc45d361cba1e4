package dev.torch4j.samples;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.data.Csv;
import dev.torch4j.data.CsvDataset;
import dev.torch4j.data.CsvOptions;
import dev.torch4j.data.DataLoader;
import dev.torch4j.data.DataLoaderOptions;
import dev.torch4j.data.TensorDataset;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.ReLU;
import dev.torch4j.nn.Sequential;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.Adam;
import dev.torch4j.optim.AdamOptions;
import dev.torch4j.training.History;
import dev.torch4j.training.Metric;
import dev.torch4j.training.Trainer;

/** Java twin of {@code iris_classifier.py}: a 4 -> 10 -> 10 -> 3 MLP trained with Adam on Iris. */
public final class IrisClassifier {
    private IrisClassifier() {}

    static Sequential model() {
        return new Sequential(new Linear(4, 10), new ReLU(), new Linear(10, 10), new ReLU(), new Linear(10, 3));
    }

    /** Trains on (xTrain, yTrain) in batches of 16 for {@code epochs}, evaluating on the test split each epoch. */
    static History train(Sequential model, Tensor xTrain, Tensor yTrain, Tensor xTest, Tensor yTest, int epochs, boolean progress) {
        DataLoader train = new DataLoader(new TensorDataset(xTrain, yTrain), new DataLoaderOptions().batchSize(16));
        DataLoader test = new DataLoader(new TensorDataset(xTest, yTest), new DataLoaderOptions().batchSize(xTest.size(0)));
        try (Adam optimizer = new Adam(model.parameters(), new AdamOptions(0.01))) {
            return new Trainer(model, optimizer, F::crossEntropy).epochs(epochs).metric("accuracy", Metric.accuracy())
                    .progressBar(progress).log(progress ? System.out : null, 10).fit(train, test);
        }
    }

    public static void main(String[] args) throws Exception {
        Torch.manualSeed(0);
        Torch.setNumThreads(1);
        try (Scope s = Torch.scope();
             CsvDataset iris = Csv.read(Path.of("samples", "data", "iris.csv"), new CsvOptions().header(true).label(4));
             Sequential model = model()) {
            Tensor perm = Torch.randperm(iris.size());
            Tensor trainIdx = perm.slice(0, 0, 120), testIdx = perm.slice(0, 120, 150);
            Tensor xTr = iris.features().indexSelect(0, trainIdx);
            Tensor mean = xTr.mean(0), std = xTr.std(new long[] {0}, true, false);
            Tensor xTrain = xTr.sub(mean).div(std), yTrain = iris.labels().indexSelect(0, trainIdx);
            Tensor xTest = iris.features().indexSelect(0, testIdx).sub(mean).div(std), yTest = iris.labels().indexSelect(0, testIdx);
            History h = train(model, xTrain, yTrain, xTest, yTest, 50, true);
            System.out.print(h.table(10));
            Path png = Path.of("target", "samples", "iris_loss.png");
            h.writeLossCurve(png, "Iris MLP (Adam, cross entropy)");
            System.out.println("loss curve: " + png);
        }
    }

    static Map<String, Tensor> weights(Map<String, Tensor> all) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (String k : new String[] {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}) w.put(k, all.get(k));
        return w;
    }
}
