/**
 * ONNX weight import: {@link dev.torch4j.io.onnx.OnnxWeights} reads the initializers and node list of an
 * {@code .onnx} file with a bounds-checked protobuf wire-format reader, and maps exporter-renamed
 * {@code MatMul} weights back to PyTorch state-dict names.
 */
package dev.torch4j.io.onnx;
