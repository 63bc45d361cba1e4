/**
 * torch4j core: {@link dev.torch4j.Tensor}, the {@link dev.torch4j.Torch} factories and functional ops,
 * {@link dev.torch4j.DType}, {@link dev.torch4j.Device}, memory {@link dev.torch4j.Scope}s and autograd.
 *
 * <p>Every tensor has exactly one owner. Close it, or create it inside a {@link dev.torch4j.Torch#scope()}
 * which closes everything created on its thread except what is {@link dev.torch4j.Scope#keep kept}.
 * Using a closed tensor throws {@link java.lang.IllegalStateException}. Errors from LibTorch become
 * {@link dev.torch4j.TorchException}; argument checks throw {@link java.lang.IllegalArgumentException}.
 *
 * <p>Thread safety: tensors are not synchronized. Reading one tensor from many threads (e.g. the weights
 * of an eval-mode model) is safe; mutating it (in-place ops, close) while others use it is not. Scopes
 * and grad mode are per thread, as in PyTorch.
 */
package dev.torch4j;
