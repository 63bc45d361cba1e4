package dev.torch4j.distributed;

/** Options of {@link DistributedDataParallel}, as the keyword arguments of PyTorch's {@code DistributedDataParallel}. */
public final class DistributedDataParallelOptions {
    private double bucketCapMb = 25;
    private boolean broadcastBuffers = true;

    public DistributedDataParallelOptions() {}

    /**
     * Size of a gradient bucket in MiB: gradients are flattened into buckets of about this size and each
     * bucket is all-reduced as one tensor. Default: 25 (PyTorch's {@code bucket_cap_mb}).
     */
    public DistributedDataParallelOptions bucketCapMb(double bucketCapMb) {
        if (!(bucketCapMb > 0)) throw new IllegalArgumentException("bucketCapMb must be > 0, got " + bucketCapMb);
        this.bucketCapMb = bucketCapMb;
        return this;
    }

    /**
     * Whether each training-mode {@code forward} first copies rank 0's buffers (such as batch-norm running
     * statistics) to every rank. Default: true (PyTorch's {@code broadcast_buffers}).
     */
    public DistributedDataParallelOptions broadcastBuffers(boolean broadcastBuffers) {
        this.broadcastBuffers = broadcastBuffers;
        return this;
    }

    public double bucketCapMb() {
        return bucketCapMb;
    }

    public boolean broadcastBuffers() {
        return broadcastBuffers;
    }

    @Override
    public String toString() {
        return "DistributedDataParallelOptions(bucketCapMb=" + bucketCapMb + ", broadcastBuffers=" + broadcastBuffers + ")";
    }
}
