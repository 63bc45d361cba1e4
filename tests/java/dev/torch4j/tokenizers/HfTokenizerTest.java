package dev.torch4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.torch4j.Tensor;

/**
 * Tokenizer.fromFile on all-MiniLM-L6-v2's tokenizer.json (BERT uncased WordPiece, from langchain4j's jar) and on a
 * small GPT-2-style byte-level BPE tokenizer.json written here.
 */
class HfTokenizerTest {
    static Path miniLm;
    static Tokenizer tok;
    static JsonNode vocab;

    @BeforeAll
    static void load(@TempDir Path tmp) throws IOException {
        miniLm = tmp.resolve("tokenizer.json");
        try (InputStream in = HfTokenizerTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, miniLm);
        }
        vocab = new ObjectMapper().readTree(miniLm.toFile()).path("model").path("vocab");
        tok = Tokenizer.fromFile(miniLm);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void encodesBertUncasedIds() {
        // Ids of bert-base-uncased's vocabulary, as transformers' BertTokenizerFast gives them.
        assertArrayEquals(new long[] {101, 7592, 2088, 102}, tok.encode("Hello world"));
        assertArrayEquals(new long[] {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102},
                tok.encode("The quick brown fox jumps over the lazy dog."));
        assertArrayEquals(new long[] {101, 102}, tok.encode(""));
    }

    @Test
    void tokensAgreeWithTheVocabularyAndOffsetsWithTheText() {
        String text = "Tokenization of naïve cafés 😀 works!";
        Encoding e = tok.encodeFull(text);
        assertEquals("[CLS]", e.tokens()[0]);
        assertEquals("[SEP]", e.tokens()[e.length() - 1]);
        StringBuilder rebuilt = new StringBuilder();
        for (int i = 0; i < e.length(); i++) {
            assertEquals(vocab.get(e.tokens()[i]).asLong(), e.ids()[i], "id of token " + e.tokens()[i]);
            assertEquals(1, e.attentionMask()[i]);
            assertEquals(0, e.typeIds()[i]);
            int[] o = e.offsets()[i];
            assertTrue(0 <= o[0] && o[0] <= o[1] && o[1] <= text.length(), "offsets in range");
            String piece = e.tokens()[i];
            if (piece.equals("[CLS]") || piece.equals("[SEP]")) continue;
            rebuilt.append(piece.startsWith("##") ? "" : " ").append(piece.replace("##", ""));
        }
        assertEquals(" tokenization of naive cafes [UNK] works !", rebuilt.toString());
        int emoji = List.of(e.tokens()).indexOf("[UNK]");
        int[] o = e.offsets()[emoji];
        assertEquals("😀", text.substring(o[0], o[1]), "offsets are Java char indices");
        int works = List.of(e.tokens()).indexOf("works");
        assertEquals("works", text.substring(e.offsets()[works][0], e.offsets()[works][1]));
    }

    @Test
    void batchesPadToTheLongestAndTruncate() {
        BatchEncoding b = tok.encodeBatch(List.of("hello world", "hi", "one two three four five six"), 0);
        assertEquals(3, b.batchSize());
        assertEquals(8, b.length());
        assertArrayEquals(new long[] {101, 7592, 2088, 102, 0, 0, 0, 0}, b.ids()[0]);
        assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0, 0, 0}, b.encodings().get(0).attentionMask());
        assertArrayEquals(new long[] {1, 1, 1, 0, 0, 0, 0, 0}, b.encodings().get(1).attentionMask());
        assertEquals("[PAD]", b.encodings().get(1).tokens()[7]);

        BatchEncoding t = tok.encodeBatch(List.of("one two three four five six", "hi"), 5);
        assertEquals(5, t.length());
        assertArrayEquals(new long[] {101, 2028, 2048, 2093, 102}, t.ids()[0], "truncation keeps [CLS] and [SEP]");
        assertArrayEquals(new long[] {101, 7632, 102, 0, 0}, t.ids()[1]);
        // The file's own settings (pad everything to 128) are not applied.
        assertEquals(4, tok.encode("hello world").length);

        try (Tensor ids = t.inputIds(); Tensor mask = t.attentionMask(); Tensor types = t.tokenTypeIds()) {
            assertArrayEquals(new long[] {2, 5}, ids.shape());
            assertEquals(dev.torch4j.DType.INT64, ids.dtype());
            assertArrayEquals(new long[] {101, 2028, 2048, 2093, 102, 101, 7632, 102, 0, 0}, ids.toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, mask.toLongArray());
            assertArrayEquals(new long[10], types.toLongArray());
        }
        assertThrows(IllegalArgumentException.class, () -> tok.encodeBatch(List.of("a"), -1));
    }

    @Test
    void decodeRoundTripsAndSkipsSpecialTokens() {
        String text = "the quick brown fox jumps over the lazy dog.";
        assertEquals(text, tok.decode(tok.encode(text)));
        assertEquals("hello world", tok.decode(new long[] {101, 7592, 0, 2088, 102, 0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new long[] {101, 30522}));
        assertTrue(e.getMessage().contains("30522"), e.getMessage());
        assertEquals(30522, tok.vocabSize());
    }

    @Test
    void badFilesFailClearly(@TempDir Path tmp) throws IOException {
        Path missing = tmp.resolve("nope.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromFile(missing));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("nope.json"), e.getMessage());

        Path broken = Files.writeString(tmp.resolve("broken.json"), "{\"model\": {\"type\": \"WordPiece\", ");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromFile(broken));
        assertTrue(e.getMessage().contains("broken.json") && e.getMessage().contains("not valid JSON"), e.getMessage());

        Path notTok = Files.writeString(tmp.resolve("config.json"), "{\"hidden_size\": 768}");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromFile(notTok));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("model"), e.getMessage());

        Path badModel = Files.writeString(tmp.resolve("bad_model.json"), "{\"model\": {\"type\": \"Nonsense\", \"vocab\": {}}}");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromFile(badModel));
        assertTrue(e.getMessage().contains("bad_model.json"), e.getMessage());
    }

    @Test
    void closedTokenizerRefusesWork() {
        Tokenizer t = Tokenizer.fromFile(miniLm);
        t.close();
        t.close();
        assertThrows(IllegalStateException.class, () -> t.encode("hello"));
        assertThrows(IllegalStateException.class, () -> t.decode(new long[] {101}));
    }

    // ------------------------------------------------------------------ byte-level BPE

    /** GPT-2's byte → printable character map (bytes_to_unicode). */
    static char[] byteChars() {
        char[] out = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = printable ? (char) b : (char) (256 + n++);
        }
        return out;
    }

    @Test
    void byteLevelBpeTokenizerJsonWorks(@TempDir Path tmp) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode model = m.createObjectNode();
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        ObjectNode v = model.putObject("vocab");
        char[] bc = byteChars();
        List<String> pieces = new ArrayList<>();
        for (char c : bc) pieces.add(String.valueOf(c));
        String[][] merges = {{"h", "e"}, {"l", "l"}, {"he", "ll"}, {"Ġ", "w"}, {"o", "r"}, {"or", "l"}, {"orl", "d"}};
        ArrayNode mg = model.putArray("merges");
        for (String[] p : merges) {
            mg.add(p[0] + " " + p[1]);
            pieces.add(p[0] + p[1]);
        }
        for (int i = 0; i < pieces.size(); i++) v.put(pieces.get(i), i);
        int eos = pieces.size();
        v.put("<|endoftext|>", eos);
        ObjectNode at = added.addObject();
        at.put("id", eos).put("content", "<|endoftext|>").put("single_word", false).put("lstrip", false).put("rstrip", false)
                .put("normalized", false).put("special", true);
        root.putNull("normalizer");
        ObjectNode bl = m.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", true);
        root.set("pre_tokenizer", bl);
        root.set("post_processor", bl);
        root.set("decoder", bl);
        root.set("model", model);
        Path file = tmp.resolve("tokenizer.json");
        m.writeValue(file.toFile(), root);

        try (Tokenizer bpe = Tokenizer.fromFile(file)) {
            Encoding e = bpe.encodeFull("hello world");
            assertArrayEquals(new String[] {"hell", "o", "Ġw", "orld"}, e.tokens());
            assertArrayEquals(new long[] {v.get("hell").asLong(), 'o' - 0, v.get("Ġw").asLong(), v.get("orld").asLong()}, e.ids());
            assertArrayEquals(new int[] {7, 11}, e.offsets()[3]);
            assertArrayEquals(new int[] {6, 7}, e.offsets()[2], "trim_offsets leaves the space out");
            assertEquals("hello world", bpe.decode(e.ids()));
            long[] withEos = new long[] {e.ids()[0], e.ids()[1], eos};
            assertEquals("hello", bpe.decode(withEos), "special tokens are skipped");
            assertEquals("héllo ✓", bpe.decode(bpe.encode("héllo ✓")), "any UTF-8 text round-trips through bytes");
            assertEquals(eos + 1, bpe.vocabSize());
            BatchEncoding b = bpe.encodeBatch(List.of("hello world", "hello"), 0);
            assertArrayEquals(new long[] {1, 1, 0, 0}, b.encodings().get(1).attentionMask());
        }
    }
}
