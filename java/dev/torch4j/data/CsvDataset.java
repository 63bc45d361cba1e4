package dev.torch4j.data;

import java.util.List;

import dev.torch4j.Tensor;

/**
 * A table read by {@link Csv#read}: a float32 feature tensor {@code (N, F)} and, unless the options said
 * {@link CsvOptions#noLabel()}, a label tensor {@code (N,)} (int64 class ids or float32 targets). Sample
 * {@code i} is {@code [features[i], labels[i]]} (or {@code [features[i]]}), so a {@link DataLoader} gives
 * batches {@code [(B, F), (B,)]}.
 *
 * <p><b>Owns</b> its two tensors: {@link #close()} frees them (as does the scope that was open when the
 * table was read, like any tensor created in it).
 */
public final class CsvDataset implements Dataset<List<Tensor>>, AutoCloseable {
    private final Tensor features;
    private final Tensor labels;
    private final List<String> featureNames;
    private final String labelName;
    private final TensorDataset rows;

    CsvDataset(Tensor features, Tensor labels, List<String> featureNames, String labelName) {
        this.features = features;
        this.labels = labels;
        this.featureNames = List.copyOf(featureNames);
        this.labelName = labelName;
        this.rows = labels == null ? new TensorDataset(features) : new TensorDataset(features, labels);
    }

    /** Number of rows {@code N}. */
    @Override
    public long size() {
        return rows.size();
    }

    /** Row {@code index}: {@code [features (F,), label ()]}, new views the caller owns. */
    @Override
    public List<Tensor> get(long index) {
        return rows.get(index);
    }

    /** Rows {@code indices} gathered in that order, as {@link TensorDataset#rows}. */
    public List<Tensor> rows(long[] indices) {
        return rows.rows(indices);
    }

    /** The features, float32 {@code (N, F)}, columns in {@link #featureNames()} order (owned by this dataset). */
    public Tensor features() {
        return features;
    }

    /**
     * The labels, {@code (N,)}, int64 or float32 (owned by this dataset).
     *
     * @throws IllegalStateException if the table was read with {@link CsvOptions#noLabel()}
     */
    public Tensor labels() {
        if (labels == null) throw new IllegalStateException("this CSV dataset was read without a label column");
        return labels;
    }

    /** Whether there is a label column. */
    public boolean hasLabels() {
        return labels != null;
    }

    /** Names of the feature columns (header names, or {@code "column k"} without a header), in tensor order. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** Name of the label column, or null without one. */
    public String labelName() {
        return labelName;
    }

    /** Closes the feature and label tensors. Idempotent. */
    @Override
    public void close() {
        features.close();
        if (labels != null) labels.close();
    }
}
