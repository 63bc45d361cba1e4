/**
 * Tokenizers: text to token ids and back. {@link dev.torch4j.tokenizers.Tokenizer#fromFile} reads any Hugging
 * Face {@code tokenizer.json} (BERT WordPiece, GPT-2 byte-level BPE, ...) through the Rust {@code tokenizers}
 * library, offline; {@link dev.torch4j.tokenizers.BatchEncoding} turns a padded batch into the int64 tensors
 * a model takes.
 */
package dev.torch4j.tokenizers;
