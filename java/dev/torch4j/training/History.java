package dev.torch4j.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch losses and metrics recorded by {@link Trainer#fit}. */
public final class History {
    private final List<Double> trainLoss = new ArrayList<>();
    private final List<Double> valLoss = new ArrayList<>();
    private final Map<String, List<Double>> metrics = new LinkedHashMap<>();

    void add(double train, Double val, Map<String, Double> epochMetrics) {
        trainLoss.add(train);
        if (val != null) valLoss.add(val);
        epochMetrics.forEach((k, v) -> metrics.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }

    public double[] trainLoss() {
        return trainLoss.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Validation losses (empty without a validation loader). */
    public double[] valLoss() {
        return valLoss.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Validation metrics by name, one value per epoch. */
    public Map<String, double[]> metrics() {
        Map<String, double[]> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return Collections.unmodifiableMap(out);
    }

    public int epochs() {
        return trainLoss.size();
    }

    /** A fixed-width table: epoch, train loss, val loss and each metric, for the chosen epochs. */
    public String table(int every) {
        StringBuilder sb = new StringBuilder(String.format("%6s %12s", "epoch", "train_loss"));
        if (!valLoss.isEmpty()) sb.append(String.format(" %12s", "val_loss"));
        for (String k : metrics.keySet()) sb.append(String.format(" %12s", k));
        sb.append('\n');
        for (int e = 0; e < trainLoss.size(); e++) {
            if (e != 0 && (e + 1) % every != 0 && e != trainLoss.size() - 1) continue;
            sb.append(String.format("%6d %12.6f", e + 1, trainLoss.get(e)));
            if (!valLoss.isEmpty()) sb.append(String.format(" %12.6f", valLoss.get(e)));
            for (List<Double> m : metrics.values()) sb.append(String.format(" %12.6f", m.get(e)));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Writes the train (and validation) loss curves as a PNG. */
    public void writeLossCurve(Path png, String title) throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("train loss", trainLoss());
        if (!valLoss.isEmpty()) series.put("validation loss", valLoss());
        LossCurve.writePng(png, title, series);
    }
}
