package dev.torch4j.data;

import java.util.List;
import java.util.Objects;

import dev.torch4j.DType;

/**
 * How {@link Csv#read} turns a table into tensors. Columns are chosen by header name or by 0-based index.
 * Setters validate and return {@code this}.
 *
 * <pre>{@code
 * new CsvOptions().label("species")                                  // features: every other column
 * new CsvOptions().header(false).delimiter(';').features(0, 1, 2).label(3)
 * new CsvOptions().label("price").labelDType(DType.FLOAT32)           // regression targets
 * }</pre>
 */
public final class CsvOptions {
    private boolean header = true;
    private char delimiter = ',';
    private List<String> featureNames;
    private int[] featureIndices;
    private String labelName;
    private int labelIndex = -1;
    private boolean noLabel;
    private DType labelDType = DType.INT64;

    /** Options with every default. */
    public CsvOptions() {}

    /** The first non-blank line names the columns. Default: true. */
    public CsvOptions header(boolean header) {
        this.header = header;
        return this;
    }

    /** The field separator. Fields may be quoted with {@code "} ({@code ""} inside is a quote). Default: {@code ','}. */
    public CsvOptions delimiter(char delimiter) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r')
            throw new IllegalArgumentException("Invalid delimiter: '" + (delimiter == '"' ? "\"" : "\\n") + "'");
        this.delimiter = delimiter;
        return this;
    }

    /** Feature columns by header name, in this order. Default: every column except the label, in file order. */
    public CsvOptions features(String... names) {
        Objects.requireNonNull(names, "names");
        if (names.length == 0) throw new IllegalArgumentException("features: expected at least one column name");
        for (int i = 0; i < names.length; i++)
            if (names[i] == null) throw new NullPointerException("features: names[" + i + "] must not be null");
        this.featureNames = List.of(names);
        this.featureIndices = null;
        return this;
    }

    /** Feature columns by 0-based index, in this order. Default: every column except the label. */
    public CsvOptions features(int... indices) {
        Objects.requireNonNull(indices, "indices");
        if (indices.length == 0) throw new IllegalArgumentException("features: expected at least one column index");
        for (int i : indices)
            if (i < 0) throw new IllegalArgumentException("features: column indices must be >= 0, got " + i);
        this.featureIndices = indices.clone();
        this.featureNames = null;
        return this;
    }

    /** The label column by header name. Default: the last column. */
    public CsvOptions label(String name) {
        this.labelName = Objects.requireNonNull(name, "name");
        this.labelIndex = -1;
        this.noLabel = false;
        return this;
    }

    /** The label column by 0-based index. Default: the last column. */
    public CsvOptions label(int index) {
        if (index < 0) throw new IllegalArgumentException("label: column index must be >= 0, got " + index);
        this.labelIndex = index;
        this.labelName = null;
        this.noLabel = false;
        return this;
    }

    /** No label column: samples hold the features only. */
    public CsvOptions noLabel() {
        this.noLabel = true;
        this.labelName = null;
        this.labelIndex = -1;
        return this;
    }

    /**
     * The label tensor's dtype: {@link DType#INT64} for class ids (the column must hold integers) or
     * {@link DType#FLOAT32} for regression targets. Default: {@link DType#INT64}.
     */
    public CsvOptions labelDType(DType dtype) {
        Objects.requireNonNull(dtype, "dtype");
        if (dtype != DType.INT64 && dtype != DType.FLOAT32)
            throw new IllegalArgumentException("labelDType: expected torch.int64 or torch.float32, got " + dtype.pytorchName());
        this.labelDType = dtype;
        return this;
    }

    /** Whether the first line is a header. */
    public boolean header() {
        return header;
    }

    /** The field separator. */
    public char delimiter() {
        return delimiter;
    }

    /** The label tensor's dtype. */
    public DType labelDType() {
        return labelDType;
    }

    List<String> featureNames() {
        return featureNames;
    }

    int[] featureIndices() {
        return featureIndices;
    }

    String labelName() {
        return labelName;
    }

    int labelIndex() {
        return labelIndex;
    }

    boolean hasLabel() {
        return !noLabel;
    }
}
