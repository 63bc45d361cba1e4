package dev.torch4j.kernels;

import dev.torch4j.Tensor;

import org.bytedeco.javacpp.Pointer;

/** The CUDA stream our kernels run on. */
final class CudaStreams {
    private CudaStreams() {}

    /**
     * The stream for kernels on {@code t}'s device. The CPU presets carry no CUDA stream API, so this is
     * the legacy default stream (null), which orders with LibTorch's default stream.
     */
    static Pointer current(Tensor t) {
        return null;
    }
}
