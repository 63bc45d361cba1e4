package dev.torch4j.distributed;

import dev.torch4j.Device;

/** A c10d communication backend, as the {@code backend} argument of {@code torch.distributed.init_process_group}. */
public enum Backend {
    /** Gloo: CPU tensors, over TCP. Part of the CPU build of the Bytedeco presets. */
    GLOO("gloo"),
    /**
     * NCCL: CUDA tensors, one GPU per rank. Needs the CUDA build of the presets
     * ({@code -Djavacpp.platform.extension=-gpu}); on the CPU build {@link ProcessGroup#init} throws
     * {@link UnsupportedOperationException}.
     */
    NCCL("nccl");

    private final String pytorchName;

    Backend(String pytorchName) {
        this.pytorchName = pytorchName;
    }

    /** The name PyTorch uses ({@code "gloo"}, {@code "nccl"}). */
    public String pytorchName() {
        return pytorchName;
    }

    /** The backend PyTorch picks by default for tensors on {@code device}: NCCL for CUDA, Gloo otherwise. */
    public static Backend defaultFor(Device device) {
        return device.isCuda() ? NCCL : GLOO;
    }
}
