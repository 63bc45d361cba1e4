package dev.torch4j;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;

/** Conversions between {@link Device} and LibTorch devices; cached native devices live forever. */
final class Devices {
    private Devices() {}

    static final org.bytedeco.pytorch.Device CPU_NATIVE;
    private static final org.bytedeco.pytorch.Device[] CUDA_NATIVE = new org.bytedeco.pytorch.Device[64];

    static {
        Native.init();
        CPU_NATIVE = new org.bytedeco.pytorch.Device(DeviceType.CPU);
    }

    static org.bytedeco.pytorch.Device toNative(Device d) {
        if (!d.isCuda()) return CPU_NATIVE;
        int i = d.index();
        if (i >= CUDA_NATIVE.length) throw new IllegalArgumentException("device: index " + i + " out of range");
        synchronized (CUDA_NATIVE) {
            if (CUDA_NATIVE[i] == null) CUDA_NATIVE[i] = new org.bytedeco.pytorch.Device(DeviceType.CUDA, (byte) i);
            return CUDA_NATIVE[i];
        }
    }

    static Device fromNative(org.bytedeco.pytorch.Device d) {
        // Compared by value: the binding does not guarantee enum identity for returned device types.
        DeviceType t = d.type();
        if (t.value == DeviceType.CPU.value) return Device.CPU;
        if (t.value == DeviceType.CUDA.value) return Device.cuda(Math.max(0, d.index()));
        throw new UnsupportedOperationException("LibTorch device type " + t + " is not supported by torch4j");
    }

    static boolean cudaAvailable() {
        return torch.cuda_is_available();
    }

    static int cudaDeviceCount() {
        return cudaAvailable() ? torch.cuda_device_count() : 0;
    }

    /** Rejects a CUDA device that this process cannot use, before LibTorch is asked. */
    static void checkAvailable(Device d) {
        if (!d.isCuda()) return;
        if (!cudaAvailable())
            throw new IllegalArgumentException("device: " + d + " requested but CUDA is not available (no GPU, or the "
                    + "CPU build of LibTorch; build with -Pgpu for the linux-x86_64-gpu natives)");
        int n = cudaDeviceCount();
        if (d.index() >= n)
            throw new IllegalArgumentException("device: " + d + " requested but only " + n + " CUDA device(s) exist");
    }
}
