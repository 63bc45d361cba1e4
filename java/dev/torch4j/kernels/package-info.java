/**
 * torch4j's own native kernels (C ABI in {@code include/torch4j/kernels.h}, CPU in {@code native/cpu},
 * CUDA in {@code native/cuda}), applied to LibTorch tensors after Java-side validation.
 */
package dev.torch4j.kernels;
