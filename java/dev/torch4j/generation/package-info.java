/**
 * Text generation for causal language models: {@link dev.torch4j.generation.GenerationConfig} (greedy,
 * temperature, top-k, top-p, repetition penalty, EOS and stop sequences, seeded sampling),
 * {@link dev.torch4j.generation.Generator} (the decoding loop over any {@link dev.torch4j.generation.CausalLM}),
 * {@link dev.torch4j.generation.LogitsProcessors} (the score transforms, with Hugging Face semantics) and the
 * preallocated {@link dev.torch4j.generation.KVCache}.
 */
package dev.torch4j.generation;
