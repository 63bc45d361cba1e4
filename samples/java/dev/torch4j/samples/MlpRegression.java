package dev.torch4j.samples;

import java.nio.file.Path;
import java.util.Map;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.SGD;
import dev.torch4j.optim.SGDOptions;
import dev.torch4j.training.LossCurve;

import me.tongfei.progressbar.ProgressBar;

/** Java twin of {@code mlp_regression.py}: a 10 -> 20 -> 1 network fitted with SGD and MSE for 1000 epochs. */
public final class MlpRegression {
    private MlpRegression() {}

    static final class Net extends Module {
        final Linear fc1 = registerModule("fc1", new Linear(10, 20));
        final Linear fc2 = registerModule("fc2", new Linear(20, 1));

        @Override
        public Tensor forward(Tensor x) {
            try (Scope s = Torch.scope()) {
                return s.keep(fc2.forward(fc1.forward(x).relu()));
            }
        }
    }

    /** Trains {@code net} on (x, y) and returns the loss of every epoch. */
    static double[] train(Net net, Tensor x, Tensor y, int epochs, boolean progress) {
        double[] losses = new double[epochs];
        try (SGD optimizer = new SGD(net.parameters(), new SGDOptions(0.01));
             ProgressBar bar = progress ? new ProgressBar("mlp", epochs) : null) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                try (Scope s = Torch.scope()) {
                    optimizer.zeroGrad();
                    Tensor loss = F.mseLoss(net.forward(x), y);
                    loss.backward();
                    optimizer.step();
                    losses[epoch] = loss.item();
                }
                if (bar != null) bar.step();
            }
        }
        return losses;
    }

    public static void main(String[] args) throws Exception {
        Torch.manualSeed(0);
        Torch.setNumThreads(1);
        try (Scope s = Torch.scope(); Net net = new Net()) {
            Tensor x = Torch.randn(100, 10);
            Tensor y = x.sum(1, true).mul(0.5).add(Torch.randn(100, 1).mul(0.1));
            double[] losses = train(net, x, y, 1000, true);
            for (int e = 99; e < losses.length; e += 100) System.out.printf("epoch %4d  loss %.6f%n", e + 1, losses[e]);
            Path png = Path.of("target", "samples", "mlp_regression_loss.png");
            LossCurve.writePng(png, "MLP regression (SGD, MSE)", "train loss", losses);
            System.out.println("loss curve: " + png);
        }
    }

    /** Loads the twin's initial weights into a fresh Net (for the parity test). */
    static Net fromState(Map<String, Tensor> state) {
        Net net = new Net();
        net.loadStateDict(Map.of("fc1.weight", state.get("fc1.weight"), "fc1.bias", state.get("fc1.bias"),
                "fc2.weight", state.get("fc2.weight"), "fc2.bias", state.get("fc2.bias")));
        return net;
    }
}
