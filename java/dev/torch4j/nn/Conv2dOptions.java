package dev.torch4j.nn;

/** Options of {@link Conv2d} and {@link Conv1d} (1-D uses the first element of each pair). */
public final class Conv2dOptions {
    final long inChannels, outChannels;
    final long[] kernel;
    long[] stride = {1, 1};
    long[] padding = {0, 0};
    long[] dilation = {1, 1};
    long groups = 1;
    boolean bias = true;

    public Conv2dOptions(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, new long[] {kernelSize, kernelSize});
    }

    public Conv2dOptions(long inChannels, long outChannels, long[] kernelSize) {
        if (inChannels <= 0 || outChannels <= 0) throw new IllegalArgumentException("channels must be > 0, got " + inChannels + ", " + outChannels);
        if (kernelSize.length != 2 || kernelSize[0] <= 0 || kernelSize[1] <= 0)
            throw new IllegalArgumentException("kernelSize: expected two positive sizes, got " + java.util.Arrays.toString(kernelSize));
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernelSize.clone();
    }

    /** Default: 1. */
    public Conv2dOptions stride(long s) { return stride(s, s); }
    public Conv2dOptions stride(long sh, long sw) {
        if (sh <= 0 || sw <= 0) throw new IllegalArgumentException("stride must be > 0, got " + sh + ", " + sw);
        stride = new long[] {sh, sw};
        return this;
    }

    /** Zero padding on each side. Default: 0. */
    public Conv2dOptions padding(long p) { return padding(p, p); }
    public Conv2dOptions padding(long ph, long pw) {
        if (ph < 0 || pw < 0) throw new IllegalArgumentException("padding must be >= 0, got " + ph + ", " + pw);
        padding = new long[] {ph, pw};
        return this;
    }

    /** Default: 1. */
    public Conv2dOptions dilation(long d) {
        if (d <= 0) throw new IllegalArgumentException("dilation must be > 0, got " + d);
        dilation = new long[] {d, d};
        return this;
    }

    /** Default: 1. */
    public Conv2dOptions groups(long g) {
        if (g <= 0 || inChannels % g != 0 || outChannels % g != 0)
            throw new IllegalArgumentException("groups must divide in and out channels, got " + g);
        groups = g;
        return this;
    }

    /** Default: true. */
    public Conv2dOptions bias(boolean b) {
        bias = b;
        return this;
    }
}
