package dev.torch4j.kernels;

/**
 * How far an int8 result is from the float32 one it replaces on some input (a {@link Kernels#int8Linear} against its
 * float linear, or a quantized model's logits / hidden states against the float32 model's): the largest and the
 * mean absolute difference over all outputs, and the largest and mean absolute float32 output for scale.
 */
public record Int8AccuracyReport(double maxAbsError, double meanAbsError, double maxAbsReference, double meanAbsReference) {
    /** {@code maxAbsError / maxAbsReference} (0 when the reference is all zeros). */
    public double relativeMaxError() {
        return maxAbsReference == 0 ? 0 : maxAbsError / maxAbsReference;
    }
}
