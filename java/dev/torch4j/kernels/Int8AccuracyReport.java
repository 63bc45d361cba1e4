package dev.torch4j.kernels;

/**
 * How far {@link Kernels#int8Linear} is from the float32 linear it replaces on some input: the largest and the
 * mean absolute difference over all outputs, and the largest and mean absolute float32 output for scale.
 */
public record Int8AccuracyReport(double maxAbsError, double meanAbsError, double maxAbsReference, double meanAbsReference) {
    /** {@code maxAbsError / maxAbsReference} (0 when the reference is all zeros). */
    public double relativeMaxError() {
        return maxAbsReference == 0 ? 0 : maxAbsError / maxAbsReference;
    }
}
