/**
 * GPT-2 (Radford et al., 2019) as Hugging Face's {@code modeling_gpt2.py}: {@link dev.torch4j.models.gpt2.GPT2Config},
 * {@link dev.torch4j.models.gpt2.GPT2Model} (the transformer) and {@link dev.torch4j.models.gpt2.GPT2LMHeadModel}
 * (the language model with the head tied to the token embedding), loading Hugging Face checkpoints and
 * generating with a key/value cache.
 */
package dev.torch4j.models.gpt2;
