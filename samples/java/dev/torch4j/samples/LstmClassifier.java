package dev.torch4j.samples;

import java.nio.file.Path;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.data.DataLoader;
import dev.torch4j.data.DataLoaderOptions;
import dev.torch4j.data.TensorDataset;
import dev.torch4j.nn.LSTM;
import dev.torch4j.nn.LSTMOptions;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.Adam;
import dev.torch4j.optim.AdamOptions;
import dev.torch4j.training.History;
import dev.torch4j.training.Metric;
import dev.torch4j.training.Trainer;

/** Java twin of {@code lstm_classifier.py}: does a sequence of 10 numbers sum to a positive value? */
public final class LstmClassifier extends Module {
    private final LSTM lstm = registerModule("lstm", new LSTM(new LSTMOptions(1, 16).batchFirst(true)));
    private final Linear fc = registerModule("fc", new Linear(16, 2));

    @Override
    public Tensor forward(Tensor x) { // (B, T, 1) -> (B, 2)
        try (Scope s = Torch.scope()) {
            Tensor out = lstm.forward(x); // (B, T, 16)
            return s.keep(fc.forward(out.select(1, -1)));
        }
    }

    static History train(LstmClassifier model, Tensor xTrain, Tensor yTrain, Tensor xTest, Tensor yTest, int epochs, boolean progress) {
        DataLoader train = new DataLoader(new TensorDataset(xTrain, yTrain), new DataLoaderOptions().batchSize(32));
        DataLoader test = new DataLoader(new TensorDataset(xTest, yTest), new DataLoaderOptions().batchSize(xTest.size(0)));
        try (Adam optimizer = new Adam(model.parameters(), new AdamOptions(0.01))) {
            return new Trainer(model, optimizer, F::crossEntropy).epochs(epochs).metric("accuracy", Metric.accuracy())
                    .progressBar(progress).log(progress ? System.out : null, 1).fit(train, test);
        }
    }

    public static void main(String[] args) throws Exception {
        Torch.manualSeed(0);
        Torch.setNumThreads(1);
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.randn(640, 10, 1);
            Tensor y = x.sum(new long[] {1, 2}, false).gt(0).to(dev.torch4j.DType.INT64);
            try (LstmClassifier model = new LstmClassifier()) {
                History h = train(model, x.slice(0, 0, 512), y.slice(0, 0, 512), x.slice(0, 512, 640), y.slice(0, 512, 640), 8, true);
                System.out.print(h.table(1));
                Path png = Path.of("target", "samples", "lstm_loss.png");
                h.writeLossCurve(png, "LSTM sequence classifier (Adam)");
                System.out.println("loss curve: " + png);
            }
        }
    }
}
