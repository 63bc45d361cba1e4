package dev.torch4j;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats tensors the way PyTorch's {@code torch/_tensor_str.py} does with default print options
 * (precision 4, line width 80, threshold 1000, edge items 3).
 */
final class TensorFormatter {
    private static final int PRECISION = 4;
    private static final int LINE_WIDTH = 80;
    private static final int THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;

    private TensorFormatter() {}

    static String format(Tensor t) {
        String prefix = "tensor(";
        int indent = prefix.length();
        long[] shape = t.shape();
        DType dtype = t.dtype();
        StringBuilder suffixes = new StringBuilder();
        Device dev = t.device();
        if (dev.isCuda()) suffixes.append(", device='").append(dev).append("'");

        String body;
        long numel = t.numel();
        if (numel == 0) {
            body = "[]";
            if (!(shape.length == 1 && shape[0] == 0)) suffixes.append(", size=").append(pyTuple(shape));
        } else {
            boolean summarize = numel > THRESHOLD;
            double[] values = t.toDoubleArray();
            Elements el = new Elements(values, dtype, shape, summarize);
            body = el.render(0, 0, indent);
        }
        if (dtype != DType.FLOAT32 && dtype != DType.INT64 && dtype != DType.BOOL)
            suffixes.append(", dtype=").append(dtype.pytorchName());
        String gradFn = t.gradFnName();
        if (gradFn != null) suffixes.append(", grad_fn=<").append(gradFn).append(">");
        else if (t.requiresGrad()) suffixes.append(", requires_grad=True");
        return prefix + body + suffixes + ")";
    }

    private static String pyTuple(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        if (shape.length == 1) sb.append(",");
        return sb.append(")").toString();
    }

    /** Chooses one format for all shown elements (as PyTorch's _Formatter) and lays them out. */
    private static final class Elements {
        private final double[] v;
        private final DType dtype;
        private final long[] shape;
        private final long[] strides;
        private final boolean summarize;
        private boolean intMode;
        private boolean sciMode;
        private int width;

        Elements(double[] v, DType dtype, long[] shape, boolean summarize) {
            this.v = v;
            this.dtype = dtype;
            this.shape = shape;
            this.summarize = summarize;
            this.strides = new long[shape.length];
            long s = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                strides[i] = s;
                s *= shape[i];
            }
            choose();
        }

        /** Offsets of the elements that are printed (all, or the edges when summarizing). */
        private void forEachShown(int dim, long offset, java.util.function.LongConsumer f) {
            if (shape.length == 0) {
                f.accept(0);
                return;
            }
            long n = shape[dim];
            for (long i = 0; i < n; i++) {
                if (summarize && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) i = n - EDGE_ITEMS;
                long off = offset + i * strides[dim];
                if (dim == shape.length - 1) f.accept(off);
                else forEachShown(dim + 1, off, f);
            }
        }

        private void choose() {
            if (dtype.isFloatingPoint()) {
                double[] stats = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0}; // min|x|, max|x|, count
                boolean[] allInt = {true};
                forEachShown(0, 0, off -> {
                    double x = v[(int) off];
                    if (Double.isFinite(x) && x != 0) {
                        double a = Math.abs(x);
                        stats[0] = Math.min(stats[0], a);
                        stats[1] = Math.max(stats[1], a);
                        stats[2]++;
                        if (Math.ceil(x) != x) allInt[0] = false;
                    }
                });
                if (stats[2] == 0) {
                    intMode = true;
                } else {
                    double min = stats[0], max = stats[1];
                    intMode = allInt[0];
                    if (intMode) sciMode = max / min > 1000.0 || max > 1e8;
                    else sciMode = max / min > 1000.0 || max > 1e8 || min < 1e-4;
                }
            }
            // As PyTorch: for floating dtypes only non-zero finite values set the width (initially 1).
            int[] w = {1};
            boolean fp = dtype.isFloatingPoint();
            forEachShown(0, 0, off -> {
                double x = v[(int) off];
                if (fp && (x == 0 || !Double.isFinite(x))) return;
                w[0] = Math.max(w[0], raw(x).length());
            });
            width = w[0];
        }

        private String raw(double x) {
            if (dtype == DType.BOOL) return x != 0 ? "True" : "False";
            if (!dtype.isFloatingPoint()) return Long.toString((long) x);
            if (Double.isNaN(x)) return "nan";
            if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
            if (sciMode) return sci(x);
            if (intMode) {
                String s = new BigDecimal(x).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
                if (x == 0 && 1 / x < 0) s = "-0";
                return s + ".";
            }
            String s = new BigDecimal(x).setScale(PRECISION, RoundingMode.HALF_EVEN).toPlainString();
            if (s.startsWith("0") || s.startsWith("-0")) {
                // BigDecimal drops the sign of values that round to zero; Python keeps it.
                if ((x < 0 || 1 / x < 0) && !s.startsWith("-")) s = "-" + s;
            }
            return s;
        }

        /** Python's {@code '{:.4e}'}: correctly rounded mantissa, two-digit signed exponent. */
        private static String sci(double x) {
            if (x == 0) return (1 / x < 0 ? "-" : "") + "0.0000e+00";
            BigDecimal b = new BigDecimal(x).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
            int exp = b.precision() - b.scale() - 1;
            BigDecimal mant = b.movePointLeft(exp).setScale(PRECISION, RoundingMode.HALF_EVEN);
            String e = Integer.toString(Math.abs(exp));
            if (e.length() < 2) e = "0" + e;
            return mant.toPlainString() + "e" + (exp < 0 ? "-" : "+") + e;
        }

        private String cell(long off) {
            String s = raw(v[(int) off]);
            return " ".repeat(Math.max(0, width - s.length())) + s;
        }

        String render(int dim, long offset, int indent) {
            if (shape.length == 0) return raw(v[0]);
            long n = shape[dim];
            boolean cut = summarize && n > 2 * EDGE_ITEMS;
            if (dim == shape.length - 1) {
                int elementLength = width + 2;
                int perLine = Math.max(1, (int) Math.floor((LINE_WIDTH - indent) / (double) elementLength));
                java.util.List<String> cells = new java.util.ArrayList<>();
                for (long i = 0; i < n; i++) {
                    if (cut && i == EDGE_ITEMS) {
                        cells.add(" ...");
                        i = n - EDGE_ITEMS;
                    }
                    cells.add(cell(offset + i * strides[dim]));
                }
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < cells.size(); i++) {
                    if (i > 0) sb.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
                    sb.append(cells.get(i));
                }
                return sb.append("]").toString();
            }
            String sep = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + 1);
            StringBuilder sb = new StringBuilder("[");
            for (long i = 0; i < n; i++) {
                if (i > 0) sb.append(sep);
                if (cut && i == EDGE_ITEMS) {
                    sb.append("...").append(sep);
                    i = n - EDGE_ITEMS;
                }
                sb.append(render(dim + 1, offset + i * strides[dim], indent + 1));
            }
            return sb.append("]").toString();
        }
    }
}
