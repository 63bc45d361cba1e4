/**
 * Optimizers that update parameters from their gradients, following PyTorch 1.13's single-tensor
 * algorithms ({@code torch/optim/*.py}) exactly: {@link dev.torch4j.optim.SGD}, {@link dev.torch4j.optim.Adam},
 * {@link dev.torch4j.optim.AdamW}, {@link dev.torch4j.optim.RMSprop}, {@link dev.torch4j.optim.Adagrad}, and
 * gradient clipping ({@link dev.torch4j.optim.GradClip}). Learning-rate schedulers live in
 * {@link dev.torch4j.optim.lr}.
 *
 * <pre>{@code
 * try (Adam opt = new Adam(model.parameters(), new AdamOptions(1e-3).weightDecay(0.01))) {
 *     for (Batch b : loader) {
 *         try (Scope s = Torch.scope()) {
 *             opt.zeroGrad();
 *             Tensor loss = lossFn(model.forward(b.x()), b.y());
 *             loss.backward();
 *             GradClip.clipGradNorm(model.parameters(), 1.0);
 *             opt.step();
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Every update runs as LibTorch in-place ops under {@code Torch.noGrad()}; no Java loop touches
 * elements. An optimizer owns its state tensors (momentum buffers, moment estimates, ...) and frees them in
 * {@code close()}; they never join the caller's {@link dev.torch4j.Scope}, so {@code step()} may run inside
 * a per-iteration scope. Options objects are copied per parameter group when the optimizer is built; change
 * a group's hyper-parameters through {@link dev.torch4j.optim.ParamGroup#options()} or
 * {@link dev.torch4j.optim.Optimizer#setLr(int, double)}.
 *
 * <p>{@link dev.torch4j.optim.Optimizer#stateDict()} returns tensors keyed {@code state.<i>.<name>}
 * (parameters numbered across groups in order, names as in PyTorch: {@code exp_avg}, {@code momentum_buffer},
 * ...) and a JSON-able map of scalars, ready for a safetensors file plus a JSON side file.
 */
package dev.torch4j.optim;
