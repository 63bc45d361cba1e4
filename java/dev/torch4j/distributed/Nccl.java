package dev.torch4j.distributed;

import java.time.Duration;

import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;

import dev.torch4j.Torch;

/**
 * Creates NCCL groups. Kept apart so that the CPU build never loads the NCCL classes, whose natives exist
 * only in the CUDA build of the presets ({@code linux-x86_64-gpu}). Not exercised by the CPU test suite.
 */
final class Nccl {
    private Nccl() {}

    static org.bytedeco.pytorch.Backend create(org.bytedeco.pytorch.Store store, int rank, int worldSize, Duration timeout) {
        // Touching the NCCL classes on a CPU build fails in their static initializer and can leave JavaCPP's
        // loader half initialized, so the CPU case is answered without loading them.
        if (!Torch.cudaIsAvailable())
            throw new UnsupportedOperationException("Backend.NCCL needs CUDA, which is not available here (CPU build of the "
                    + "Bytedeco PyTorch presets, or no GPU); use Backend.GLOO for CPU tensors, or build with "
                    + "-Djavacpp.platform.extension=-gpu on a machine with a GPU");
        try (Milliseconds ms = C10d.millis(timeout); ProcessGroupNCCL.Options o = new ProcessGroupNCCL.Options()) {
            o.timeout(ms);
            return new ProcessGroupNCCL(store, rank, worldSize, o);
        } catch (LinkageError e) {
            throw new UnsupportedOperationException("Backend.NCCL needs the CUDA build of the Bytedeco PyTorch presets "
                    + "(build with -Djavacpp.platform.extension=-gpu); this build has no NCCL: " + e, e);
        }
    }
}
