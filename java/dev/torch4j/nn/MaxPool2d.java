package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.nn.functional.F;

/** 2-D max pooling; stride defaults to the kernel size. */
public class MaxPool2d extends Module {
    private final long kernel, stride, padding;

    public MaxPool2d(long kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(long kernelSize, long stride, long padding) {
        if (kernelSize <= 0 || stride <= 0 || padding < 0 || padding > kernelSize / 2)
            throw new IllegalArgumentException("MaxPool2d: invalid kernel " + kernelSize + ", stride " + stride + ", padding " + padding
                    + " (padding must be at most half the kernel)");
        this.kernel = kernelSize;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.maxPool2d(x, new long[] {kernel, kernel}, new long[] {stride, stride}, new long[] {padding, padding});
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", dilation=1, ceil_mode=False";
    }
}
