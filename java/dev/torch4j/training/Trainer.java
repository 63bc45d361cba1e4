package dev.torch4j.training;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.data.Batch;
import dev.torch4j.data.BatchIterator;
import dev.torch4j.data.DataLoader;
import dev.torch4j.nn.Module;
import dev.torch4j.optim.GradClip;
import dev.torch4j.optim.Optimizer;
import dev.torch4j.optim.lr.LRScheduler;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * An optional supervised training loop: for each epoch, train on every batch ({@code batch.get(0)} input,
 * {@code batch.get(1)} target) with {@code zeroGrad -> forward -> loss -> backward -> [clip] -> step},
 * step the scheduler once, then evaluate loss and metrics on the validation loader under no-grad.
 * Each batch runs in its own {@link Scope}, so memory stays flat however long training runs.
 *
 * <pre>{@code
 * History h = new Trainer(model, new Adam(model.parameters(), new AdamOptions(1e-3)), F::crossEntropy)
 *         .epochs(20).metric("accuracy", Metric.accuracy())
 *         .fit(trainLoader, valLoader);
 * h.writeLossCurve(Path.of("loss.png"), "training");
 * }</pre>
 */
public final class Trainer {
    private final Module model;
    private final Optimizer<?> optimizer;
    private final BiFunction<Tensor, Tensor, Tensor> loss;
    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private int epochs = 1;
    private LRScheduler scheduler;
    private double clipNorm = Double.NaN;
    private boolean progress = true;
    private PrintStream log = System.out;
    private int logEvery = 1;

    /** {@code loss} maps (model output, target) to a scalar loss tensor. */
    public Trainer(Module model, Optimizer<?> optimizer, BiFunction<Tensor, Tensor, Tensor> loss) {
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.loss = Objects.requireNonNull(loss, "loss");
    }

    /** Default: 1. */
    public Trainer epochs(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        this.epochs = epochs;
        return this;
    }

    /** Stepped once per epoch after training. Default: none. */
    public Trainer scheduler(LRScheduler scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    /** Clips the gradients' total 2-norm before each step. Default: no clipping. */
    public Trainer clipGradNorm(double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        this.clipNorm = maxNorm;
        return this;
    }

    /** A validation metric, averaged over batches weighted by batch size. */
    public Trainer metric(String name, Metric metric) {
        metrics.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(metric, "metric"));
        return this;
    }

    /** Terminal progress bar per epoch (on stderr). Default: true. */
    public Trainer progressBar(boolean enabled) {
        this.progress = enabled;
        return this;
    }

    /** Where epoch summaries go (null: nowhere), and how often. Default: System.out, every epoch. */
    public Trainer log(PrintStream out, int every) {
        if (every < 1) throw new IllegalArgumentException("every must be >= 1, got " + every);
        this.log = out;
        this.logEvery = every;
        return this;
    }

    /** Trains for the configured epochs; {@code val} may be null. */
    public History fit(DataLoader train, DataLoader val) {
        Objects.requireNonNull(train, "train");
        History history = new History();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double trainLoss = trainEpoch(train, epoch);
            Double valLoss = null;
            Map<String, Double> values = new LinkedHashMap<>();
            if (val != null) valLoss = evaluate(val, values);
            history.add(trainLoss, valLoss, values);
            if (scheduler != null) scheduler.step();
            if (log != null && (epoch % logEvery == 0 || epoch == 1 || epoch == epochs)) {
                StringBuilder sb = new StringBuilder(String.format("epoch %d/%d  train_loss %.6f", epoch, epochs, trainLoss));
                if (valLoss != null) sb.append(String.format("  val_loss %.6f", valLoss));
                values.forEach((k, v) -> sb.append(String.format("  %s %.4f", k, v)));
                log.println(sb);
            }
        }
        return history;
    }

    private double trainEpoch(DataLoader loader, int epoch) {
        model.train();
        double total = 0;
        long count = 0;
        ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName("epoch " + epoch).setInitialMax(loader.size())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate().build() : null;
        try (BatchIterator it = loader.iterator()) {
            while (it.hasNext()) {
                try (Batch b = it.next(); Scope s = Torch.scope()) {
                    Tensor out = model.forward(b.get(0));
                    Tensor l = loss.apply(out, b.get(1));
                    optimizer.zeroGrad();
                    l.backward();
                    if (!Double.isNaN(clipNorm)) GradClip.clipGradNorm(model.parameters(), clipNorm);
                    optimizer.step();
                    total += l.item() * b.batchSize();
                    count += b.batchSize();
                }
                if (bar != null) bar.step();
            }
        } finally {
            if (bar != null) bar.close();
        }
        if (count == 0) throw new IllegalStateException("train loader produced no batches");
        return total / count;
    }

    /** Mean loss over {@code loader} in eval mode without gradients; fills {@code values} with the metrics. */
    public double evaluate(DataLoader loader, Map<String, Double> values) {
        model.eval();
        double total = 0;
        long count = 0;
        Map<String, Double> sums = new LinkedHashMap<>();
        try (GradMode g = Torch.noGrad(); BatchIterator it = loader.iterator()) {
            while (it.hasNext()) {
                try (Batch b = it.next(); Scope s = Torch.scope()) {
                    Tensor out = model.forward(b.get(0));
                    int n = b.batchSize();
                    total += loss.apply(out, b.get(1)).item() * n;
                    count += n;
                    for (Map.Entry<String, Metric> m : metrics.entrySet())
                        sums.merge(m.getKey(), m.getValue().compute(out, b.get(1)) * n, Double::sum);
                }
            }
        }
        if (count == 0) throw new IllegalStateException("validation loader produced no batches");
        for (Map.Entry<String, Double> e : sums.entrySet()) values.put(e.getKey(), e.getValue() / count);
        return total / count;
    }
}
