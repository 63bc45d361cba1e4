package dev.torch4j.tokenizers;

import java.nio.file.Path;
import java.util.List;

/**
 * Text to token ids and back. {@link #fromFile(Path)} reads a Hugging Face {@code tokenizer.json} (BERT
 * WordPiece, GPT-2 byte-level BPE, ...); GPT-2's {@code vocab.json} + {@code merges.txt} pair has its own
 * factory in {@code Gpt2Tokenizer}. Implementations are thread-safe; native-backed ones are closed with
 * {@link #close()}.
 *
 * <pre>{@code
 * try (Tokenizer tok = Tokenizer.fromFile(Path.of("tokenizer.json"))) {
 *     long[] ids = tok.encode("Hello world");          // [101, 7592, 2088, 102] for BERT
 *     String text = tok.decode(ids);                    // "hello world"
 *     BatchEncoding batch = tok.encodeBatch(List.of("a", "b c"), 128);
 * }
 * }</pre>
 */
public interface Tokenizer extends AutoCloseable {

    /**
     * Loads a Hugging Face {@code tokenizer.json} (runs offline: see {@link HfTokenizer} for where the native
     * library comes from). The file's own padding and truncation settings are ignored: {@link #encode} never
     * pads or truncates, {@link #encodeBatch} pads to the longest row and truncates to its {@code maxLength}.
     *
     * @throws IllegalArgumentException if the file is missing, unreadable or not a valid tokenizer.json, naming it
     */
    static Tokenizer fromFile(Path tokenizerJson) {
        return HfTokenizer.load(tokenizerJson);
    }

    /** Token ids of {@code text}, with the tokenizer's special tokens (e.g. BERT's [CLS] ... [SEP]). */
    long[] encode(String text);

    /** Full encoding of one text: ids, attention mask, token type ids, offsets. */
    Encoding encodeFull(String text);

    /**
     * A padded batch: every row padded (and, when {@code maxLength > 0}, truncated) to the same length;
     * the attention mask marks real tokens with 1.
     */
    BatchEncoding encodeBatch(List<String> texts, int maxLength);

    /** Text of {@code ids}, skipping special tokens. */
    String decode(long[] ids);

    /** Number of entries in the vocabulary. */
    long vocabSize();

    @Override
    void close();
}
