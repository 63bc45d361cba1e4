/**
 * Distributed data-parallel training over PyTorch's c10d, as {@code torch.distributed}: a
 * {@link dev.torch4j.distributed.ProcessGroup} of ranks met through a {@link dev.torch4j.distributed.Store}
 * (TCP or file), collectives on tensors ({@code allReduce}, {@code broadcast}, {@code allGather},
 * {@code reduceScatter}, {@code barrier}) with timeouts, {@link dev.torch4j.distributed.DistributedDataParallel}
 * for gradient averaging, {@link dev.torch4j.distributed.DistributedSampler} to split datasets, and
 * {@link dev.torch4j.distributed.LocalLauncher} to start worker JVMs on one machine.
 *
 * <p>Backends: {@link dev.torch4j.distributed.Backend#GLOO} (CPU tensors; in the default CPU build) and
 * {@link dev.torch4j.distributed.Backend#NCCL} (CUDA tensors; needs the {@code -gpu} build of the presets).
 * The environment of a worker follows {@code torchrun}: {@code RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR},
 * {@code MASTER_PORT}; Gloo honours {@code GLOO_SOCKET_IFNAME}.
 *
 * <p>Failures (a dead or hung peer, an unreachable master) surface as
 * {@link dev.torch4j.distributed.DistributedException} within the timeout, never as a hang.
 */
package dev.torch4j.distributed;
