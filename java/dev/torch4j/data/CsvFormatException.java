package dev.torch4j.data;

/**
 * A CSV file that {@link Csv#read} cannot turn into tensors: a bad number, a ragged row, an unterminated
 * quote, an unknown column. The message names the source, the line and (where it applies) the column.
 */
public class CsvFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;
    private final int column;

    CsvFormatException(String source, long line, int column, String message) {
        super(source + (line > 0 ? ":" + line : "") + ": " + message);
        this.source = source;
        this.line = line;
        this.column = column;
    }

    /** The file (or name given for a reader). */
    public String source() {
        return source;
    }

    /** The 1-based line number, or 0 when the problem is not on one line. */
    public long line() {
        return line;
    }

    /** The 0-based column index, or -1 when the problem is not in one column. */
    public int column() {
        return column;
    }
}
