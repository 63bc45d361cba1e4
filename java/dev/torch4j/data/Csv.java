package dev.torch4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.torch4j.DType;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Reads small numeric tables into tensors.
 *
 * <pre>{@code
 * // sepal_length,sepal_width,petal_length,petal_width,species
 * // 5.1,3.5,1.4,0.2,0
 * try (CsvDataset iris = Csv.read(Path.of("iris.csv"), new CsvOptions().label("species"))) {
 *     Tensor x = iris.features();   // (N, 4) float32
 *     Tensor y = iris.labels();     // (N,) int64
 * }
 * }</pre>
 *
 * <p>The format: UTF-8 (a leading byte-order mark is skipped), one record per line ({@code \n} or
 * {@code \r\n}), blank lines skipped, fields separated by the {@link CsvOptions#delimiter(char) delimiter} and
 * optionally quoted with {@code "} (no line breaks inside quotes), spaces around values ignored. Feature
 * values are decimal numbers ({@code 1}, {@code -2.5}, {@code 1e-3}) or {@code nan}/{@code inf}; integer
 * class ids for an int64 label. There are no missing values: an empty field is an error. The whole table is
 * read before any tensor is made; every error is a {@link CsvFormatException} naming the line and column.
 */
public final class Csv {
    private Csv() {}

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(?:nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    /** {@link #read(Path, CsvOptions)} with the default options (header, {@code ','}, label in the last column). */
    public static CsvDataset read(Path path) throws IOException {
        return read(path, new CsvOptions());
    }

    /**
     * Reads a CSV file into a float32 feature tensor {@code (N, F)} and a label tensor {@code (N,)}; the
     * returned dataset owns both.
     *
     * @throws CsvFormatException if the file does not fit the format or the options
     * @throws IOException        if the file cannot be read
     */
    public static CsvDataset read(Path path, CsvOptions options) throws IOException {
        Objects.requireNonNull(path, "path");
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return read(r, path.toString(), options);
        }
    }

    /**
     * As {@link #read(Path, CsvOptions)} from a reader (not closed here); {@code sourceName} names it in
     * error messages.
     */
    public static CsvDataset read(Reader reader, String sourceName, CsvOptions options) throws IOException {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(options, "options");
        return new Parser(sourceName, options).parse(reader instanceof BufferedReader b ? b : new BufferedReader(reader));
    }

    /** One read: the table's layout, found on its first line, and the values so far. */
    private static final class Parser {
        private final String source;
        private final CsvOptions options;
        private List<String> names;
        private int width = -1;
        private long widthLine;
        private int[] featureColumns;
        private int labelColumn = -1;
        private float[] features = new float[256];
        private long[] classIds;
        private float[] targets;
        private int rows;

        Parser(String source, CsvOptions options) {
            this.source = source;
            this.options = options;
        }

        CsvDataset parse(BufferedReader in) throws IOException {
            long lineNo = 0;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                List<String> fields = split(line, lineNo);
                if (width < 0) {
                    width = fields.size();
                    widthLine = lineNo;
                    names = new ArrayList<>(width);
                    for (int c = 0; c < width; c++) names.add(options.header() ? fields.get(c) : "column " + c);
                    resolveColumns(lineNo);
                    if (options.header()) continue;
                } else if (fields.size() != width) {
                    throw new CsvFormatException(source, lineNo, -1, "expected " + width + " fields (as "
                            + (options.header() ? "the header" : "line " + widthLine) + "), found " + fields.size());
                }
                addRow(fields, lineNo);
            }
            if (width < 0) throw new CsvFormatException(source, 0, -1, "no header and no rows: the file is empty");
            return build();
        }

        private void resolveColumns(long lineNo) {
            if (options.hasLabel()) {
                if (options.labelName() != null) labelColumn = byName(options.labelName(), "label", lineNo);
                else if (options.labelIndex() >= 0) labelColumn = byIndex(options.labelIndex(), "label", lineNo);
                else labelColumn = width - 1;
                if (options.labelDType() == DType.INT64) classIds = new long[64];
                else targets = new float[64];
            }
            if (options.featureNames() != null) {
                List<String> want = options.featureNames();
                featureColumns = new int[want.size()];
                for (int i = 0; i < featureColumns.length; i++) featureColumns[i] = byName(want.get(i), "feature", lineNo);
            } else if (options.featureIndices() != null) {
                int[] want = options.featureIndices();
                featureColumns = new int[want.length];
                for (int i = 0; i < want.length; i++) featureColumns[i] = byIndex(want[i], "feature", lineNo);
            } else {
                featureColumns = new int[labelColumn >= 0 ? width - 1 : width];
                for (int c = 0, i = 0; c < width; c++) if (c != labelColumn) featureColumns[i++] = c;
            }
            if (featureColumns.length == 0)
                throw new CsvFormatException(source, lineNo, -1, "no feature columns: the only column is the label");
        }

        private int byName(String name, String what, long lineNo) {
            if (!options.header())
                throw new IllegalArgumentException(what + " column '" + name + "': selecting columns by name needs header(true)");
            int found = -1;
            for (int c = 0; c < width; c++) {
                if (!names.get(c).equals(name)) continue;
                if (found >= 0)
                    throw new CsvFormatException(source, lineNo, c, what + " column '" + name + "' is ambiguous: the header names columns "
                            + found + " and " + c + " so");
                found = c;
            }
            if (found < 0)
                throw new CsvFormatException(source, lineNo, -1, "no " + what + " column named '" + name + "'; the header has " + names);
            return found;
        }

        private int byIndex(int index, String what, long lineNo) {
            if (index >= width)
                throw new CsvFormatException(source, lineNo, index, what + " column " + index + " does not exist: lines have "
                        + width + " fields (columns 0.." + (width - 1) + ")");
            return index;
        }

        private void addRow(List<String> fields, long lineNo) {
            int f = featureColumns.length;
            if ((long) (rows + 1) * f > Integer.MAX_VALUE - 8)
                throw new CsvFormatException(source, lineNo, -1, "table too large for one float32 tensor");
            if ((rows + 1) * f > features.length) features = Arrays.copyOf(features, Math.max((rows + 1) * f, features.length * 2));
            for (int i = 0; i < f; i++) {
                int c = featureColumns[i];
                features[rows * f + i] = parseFloat(fields.get(c), lineNo, c);
            }
            if (labelColumn >= 0) {
                String v = fields.get(labelColumn);
                if (classIds != null) {
                    if (rows == classIds.length) classIds = Arrays.copyOf(classIds, rows * 2);
                    classIds[rows] = parseLong(v, lineNo, labelColumn);
                } else {
                    if (rows == targets.length) targets = Arrays.copyOf(targets, rows * 2);
                    targets[rows] = parseFloat(v, lineNo, labelColumn);
                }
            }
            rows++;
        }

        private String where(int column) {
            return "column " + column + (options.header() ? " ('" + names.get(column) + "')" : "");
        }

        private float parseFloat(String v, long lineNo, int column) {
            if (v.isEmpty()) throw new CsvFormatException(source, lineNo, column, where(column) + ": empty value (missing values are not supported)");
            if (DECIMAL.matcher(v).matches()) return Float.parseFloat(v);
            if (NON_FINITE.matcher(v).matches()) {
                String s = v.toLowerCase(java.util.Locale.ROOT);
                if (s.endsWith("nan")) return Float.NaN;
                return s.startsWith("-") ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
            }
            throw new CsvFormatException(source, lineNo, column, where(column) + ": not a number: '" + v + "'");
        }

        private long parseLong(String v, long lineNo, int column) {
            if (v.isEmpty()) throw new CsvFormatException(source, lineNo, column, where(column) + ": empty label (missing values are not supported)");
            if (!INTEGER.matcher(v).matches())
                throw new CsvFormatException(source, lineNo, column, where(column) + ": not an integer class id: '" + v
                        + "' (use labelDType(DType.FLOAT32) for real-valued targets)");
            try {
                return Long.parseLong(v.startsWith("+") ? v.substring(1) : v);
            } catch (NumberFormatException e) {
                throw new CsvFormatException(source, lineNo, column, where(column) + ": class id out of int64 range: '" + v + "'");
            }
        }

        /** Fields of one line, unquoted and stripped of surrounding spaces. */
        private List<String> split(String line, long lineNo) {
            char d = options.delimiter();
            List<String> out = new ArrayList<>();
            int i = 0, n = line.length();
            while (true) {
                while (i < n && line.charAt(i) != d && isBlank(line.charAt(i))) i++;
                if (i < n && line.charAt(i) == '"') {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    while (true) {
                        if (i >= n)
                            throw new CsvFormatException(source, lineNo, out.size(), "column " + out.size() + ": unterminated quoted field");
                        char ch = line.charAt(i++);
                        if (ch != '"') sb.append(ch);
                        else if (i < n && line.charAt(i) == '"') {
                            sb.append('"');
                            i++;
                        } else break;
                    }
                    while (i < n && line.charAt(i) != d && isBlank(line.charAt(i))) i++;
                    if (i < n && line.charAt(i) != d)
                        throw new CsvFormatException(source, lineNo, out.size(), "column " + out.size()
                                + ": unexpected '" + line.charAt(i) + "' after a closing quote");
                    out.add(sb.toString().strip());
                } else {
                    int start = i;
                    while (i < n && line.charAt(i) != d) i++;
                    out.add(line.substring(start, i).strip());
                }
                if (i >= n) return out;
                i++; // the delimiter
            }
        }

        private static boolean isBlank(char c) {
            return c == ' ' || c == '\t';
        }

        private CsvDataset build() {
            int f = featureColumns.length;
            List<String> featureNames = new ArrayList<>(f);
            for (int c : featureColumns) featureNames.add(names.get(c));
            Tensor x = Torch.tensor(Arrays.copyOf(features, rows * f), rows, f);
            Tensor y = null;
            try {
                if (classIds != null) y = Torch.tensor(Arrays.copyOf(classIds, rows), rows);
                else if (targets != null) y = Torch.tensor(Arrays.copyOf(targets, rows), rows);
                return new CsvDataset(x, y, featureNames, labelColumn >= 0 ? names.get(labelColumn) : null);
            } catch (RuntimeException e) {
                x.close();
                if (y != null) y.close();
                throw e;
            }
        }
    }
}
