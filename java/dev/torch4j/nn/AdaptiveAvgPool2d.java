package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.F;

/** Average pooling to a fixed {@code [outH, outW]} output size. */
public class AdaptiveAvgPool2d extends Module {
    private final long h, w;

    public AdaptiveAvgPool2d(long size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(long outH, long outW) {
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException("output size must be > 0, got " + outH + "x" + outW);
        this.h = outH;
        this.w = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.adaptiveAvgPool2d(x, new long[] {h, w});
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + (h == w ? Long.toString(h) : "(" + h + ", " + w + ")");
    }
}
