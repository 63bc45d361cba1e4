/**
 * Checkpoint files: {@link dev.torch4j.io.SafeTensors} reads (memory-mapped, zero-copy where possible) and
 * writes (canonical layout, atomic replace) the Hugging Face safetensors format, validating every header
 * rule before any byte is used; a malformed file raises {@link dev.torch4j.io.SafeTensorsFormatException}
 * naming the broken rule and the tensor.
 */
package dev.torch4j.io;
