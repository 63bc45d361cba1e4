package dev.torch4j.nn;

/** Options of {@link Linear}: {@code new LinearOptions(in, out).bias(false)}. */
public final class LinearOptions {
    final long inFeatures;
    final long outFeatures;
    boolean bias = true;

    public LinearOptions(long inFeatures, long outFeatures) {
        if (inFeatures <= 0) throw new IllegalArgumentException("in_features must be > 0, got " + inFeatures);
        if (outFeatures <= 0) throw new IllegalArgumentException("out_features must be > 0, got " + outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
    }

    /** Whether the layer has an additive bias. Default: true. */
    public LinearOptions bias(boolean bias) {
        this.bias = bias;
        return this;
    }
}
