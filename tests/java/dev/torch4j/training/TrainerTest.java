package dev.torch4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.data.DataLoader;
import dev.torch4j.data.DataLoaderOptions;
import dev.torch4j.data.TensorDataset;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.SGD;
import dev.torch4j.optim.SGDOptions;
import dev.torch4j.optim.lr.StepLR;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    @Test
    void fitsALinearProblemRecordsHistoryAndDrawsTheCurve() throws Exception {
        Torch.manualSeed(1);
        try (Scope s = Torch.scope(); Linear model = new Linear(3, 1)) {
            Tensor x = Torch.randn(64, 3);
            Tensor y = x.matmul(Torch.tensor(new float[] {1, -2, 0.5f}, 3, 1)).add(0.3);
            DataLoader train = new DataLoader(new TensorDataset(x, y), new DataLoaderOptions().batchSize(16).shuffle(true).seed(7));
            DataLoader val = new DataLoader(new TensorDataset(x, y), new DataLoaderOptions().batchSize(64));
            try (SGD opt = new SGD(model.parameters(), new SGDOptions(0.1))) {
                History h = new Trainer(model, opt, F::mseLoss).epochs(30).scheduler(new StepLR(opt, 20, 0.1)).clipGradNorm(10)
                        .metric("mae", Metric.meanAbsoluteError()).progressBar(false).log(null, 1).fit(train, val);
                assertEquals(30, h.epochs());
                assertTrue(h.trainLoss()[29] < h.trainLoss()[0] / 50, "loss fell: " + h.trainLoss()[0] + " -> " + h.trainLoss()[29]);
                assertTrue(h.metrics().get("mae")[29] < 0.05);
                assertEquals(0.01, opt.getLr(0), 1e-12, "the scheduler stepped once per epoch");
                assertTrue(h.table(10).lines().count() == 5, h.table(10));
                Path png = dir.resolve("curves/loss.png");
                h.writeLossCurve(png, "test");
                BufferedImage img = ImageIO.read(png.toFile());
                assertEquals(800, img.getWidth());
                assertEquals(480, img.getHeight());
            }
        }
    }

    @Test
    void validatesItsOptions() {
        try (Linear m = new Linear(1, 1); SGD opt = new SGD(m.parameters(), new SGDOptions(0.1))) {
            Trainer t = new Trainer(m, opt, F::mseLoss);
            assertThrows(IllegalArgumentException.class, () -> t.epochs(0));
            assertThrows(IllegalArgumentException.class, () -> t.clipGradNorm(-1));
            assertThrows(IllegalArgumentException.class, () -> t.log(System.out, 0));
            assertThrows(IllegalArgumentException.class, () -> LossCurve.writePng(dir.resolve("x.png"), "t", java.util.Map.of()));
        }
    }
}
