package dev.torch4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/** Gpt2Tokenizer against jtokkit's r50k_base (GPT-2's encoding, tiktoken-compatible). */
class Gpt2TokenizerTest {
    static Gpt2Tokenizer tok;
    static com.knuddels.jtokkit.api.Encoding ref;

    @BeforeAll
    static void load() {
        tok = Gpt2Tokenizer.gpt2();
        ref = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    static final List<String> CORPUS = List.of(
            "Hello world",
            "Hello, world! How's it going? I'm fine; we'll see, they've said, you're right, he'd know.",
            "IT'S SHOUTING: DON'T, WON'T, CAN'T 'quoted' ''double''",
            "  leading spaces and trailing spaces   ",
            "tabs\tand\nnewlines\n\n\n  indented\r\nwindows line",
            "multiple     spaces      between\u00a0nbsp\u3000ideographic space\u2003em space",
            "numbers 1234567890 3.14159 -42 1e10 0x1F 1,000,000 2024-06-01 12:30:45",
            "unicode: café naïve façade Ångström Zürich résumé Ελληνικά русский язык",
            "CJK: 日本語のテキスト 中文文本 한국어 텍스트",
            "emoji: 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇩🇪 ❤️ 🔥🔥🔥",
            "symbols: @#$%^&*()_+-=[]{}|;':\",./<>?`~ «guillemets» “smart quotes” — en–dash …",
            "code: def f(x):\n    return x**2 + 1  # comment\n\tif (a != b) { c->d(); }",
            "mixed123abc ABC123def αβγ123 ٣٤٥ arabic digits",
            "",
            " ",
            "\n",
            "a",
            "'s'll've're'd'm't",
            "https://example.com/path?query=1&other=two#frag user@example.org",
            "Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤ ̖t̝͕̳̣̻̪͞h̼͓̲̦̳̘̲e͇̣̰̦̬͎ ̢̼̻̱̘h͚͎͙̜̣̲ͅi̦̲̣̰̤v̻͍e̺̭̳̪̰-m̢iͅn̖̺̞̲̯̰d̵̼̟͙̩̼̘̳ ̞̥̱̳̭r̛̗̘e͙p͠r̼̞̻̭̗e̺̠̣͟s̘͇̳͍̝͉e͉̥̯̞̲͚̬͜ǹ̬͎͎̟̖͇̤t͍̬̤͓̼̭͘ͅi̪̱n͠g̴͉ ͏͉ͅc̬̟h͡a̫̻̯͘o̫̟̖͍̙̝͉s̗̦̲.̨̹͈̣");

    static long[] reference(String text) {
        int[] ids = ref.encodeOrdinary(text).toArray();
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = ids[i];
        return out;
    }

    static IntArrayList ints(long[] ids) {
        IntArrayList l = new IntArrayList(ids.length);
        for (long id : ids) l.add((int) id);
        return l;
    }

    @Test
    void knownIds() {
        assertArrayEquals(new long[] {15496, 995}, tok.encode("Hello world"));
        assertEquals(50257, tok.vocabSize());
        assertEquals(50256, tok.endOfTextId());
        assertEquals("Ġworld", tok.idToToken(995));
    }

    @Test
    void corpusMatchesR50kBaseAndRoundTrips() {
        for (String text : CORPUS) {
            long[] ids = tok.encode(text);
            assertArrayEquals(reference(text), ids, () -> "ids of " + text);
            assertEquals(text, tok.decode(ids), "decode(encode(x)) of " + text);
            assertEquals(ref.decode(ints(ids)), tok.decode(ids), "decode as r50k_base of " + text);
        }
    }

    @Test
    void randomTextMatchesR50kBase() {
        // Random mixtures of letters, digits, white space, punctuation, accents, CJK and astral characters.
        String alphabet = "aAzZ09 _-'\".,!?\t\n\r  é ü ß ж 中 ア 😀 🎉 ́ \u00a0\u2003";
        int[] cps = alphabet.codePoints().toArray();
        Random rnd = new Random(1);
        for (int n = 0; n < 300; n++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(40);
            for (int i = 0; i < len; i++) sb.appendCodePoint(cps[rnd.nextInt(cps.length)]);
            String text = sb.toString();
            assertArrayEquals(reference(text), tok.encode(text), () -> "ids of \"" + text.replace("\n", "\\n") + "\"");
            assertEquals(text, tok.decode(tok.encode(text)));
        }
    }

    @Test
    void endOfTextIsSpecialInEncodeAndSkippedInDecode() {
        long[] ids = tok.encode("Hello<|endoftext|> world");
        assertArrayEquals(new long[] {15496, 50256, 995}, ids);
        assertEquals("Hello world", tok.decode(ids));
    }

    @Test
    void invalidUtf8InDecodeBecomesReplacementCharacter() {
        long[] emoji = tok.encode("😀");
        assertTrue(emoji.length > 1, "the emoji spans several byte tokens");
        String half = tok.decode(new long[] {emoji[0]});
        assertTrue(half.contains("\uFFFD"), "a lone leading byte decodes to U+FFFD, got " + half);
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new long[] {50257}));
    }

    @Test
    void encodeFullGivesTokensAndCharOffsets() {
        String text = "Hi café 😀!";
        Encoding e = tok.encodeFull(text);
        assertArrayEquals(tok.encode(text), e.ids());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < e.length(); i++) {
            assertEquals(1, e.attentionMask()[i]);
            assertEquals(tok.idToToken(e.ids()[i]), e.tokens()[i]);
            int[] o = e.offsets()[i];
            assertTrue(o[0] >= 0 && o[0] < o[1] && o[1] <= text.length(), "offsets " + o[0] + ".." + o[1]);
        }
        assertEquals(0, e.offsets()[0][0]);
        assertEquals(text.length(), e.offsets()[e.length() - 1][1]);
        // Tokens that do not split characters tile the text exactly.
        for (int i = 0; i < e.length(); i++) {
            int[] o = e.offsets()[i];
            if (joined.length() == o[0]) joined.append(text, o[0], o[1]);
        }
        assertEquals(text, joined.toString());
    }

    @Test
    void encodeBatchPadsRightWithEndOfTextAndTruncates() {
        BatchEncoding b = tok.encodeBatch(List.of("Hello world", "Hi"), 0);
        assertEquals(2, b.length());
        assertArrayEquals(new long[] {15496, 995}, b.ids()[0]);
        assertArrayEquals(new long[] {17250, 50256}, b.ids()[1]);
        assertArrayEquals(new long[] {1, 0}, b.encodings().get(1).attentionMask());
        BatchEncoding t = tok.encodeBatch(List.of("Hello world and more"), 2);
        assertArrayEquals(new long[] {15496, 995}, t.ids()[0]);
    }

    @Test
    void fromFilesReadsVocabAndMergesAndRejectsBrokenFiles(@TempDir Path dir) throws IOException {
        Path vocab = dir.resolve("vocab.json"), merges = dir.resolve("merges.txt");
        try (var in = Gpt2Tokenizer.class.getResourceAsStream("gpt2/vocab.json")) {
            Files.write(vocab, in.readAllBytes());
        }
        try (var in = Gpt2Tokenizer.class.getResourceAsStream("gpt2/merges.txt")) {
            Files.write(merges, in.readAllBytes());
        }
        Gpt2Tokenizer t = Gpt2Tokenizer.fromFiles(vocab, merges);
        assertArrayEquals(tok.encode(CORPUS.get(1)), t.encode(CORPUS.get(1)));
        assertSame(Gpt2Tokenizer.gpt2(), Gpt2Tokenizer.gpt2());

        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "#version: 0.2\nĠ t\nthree parts here\n", StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromFiles(vocab, bad));
        assertTrue(e.getMessage().contains("bad.txt:3"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Tokenizer.fromFiles(dir.resolve("nope.json"), merges));
        assertTrue(missing.getMessage().contains("nope.json"), missing.getMessage());
        Path small = dir.resolve("small.json");
        Files.writeString(small, "{\"a\": 0}");
        IllegalArgumentException notByteLevel = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromFiles(small, merges));
        assertTrue(notByteLevel.getMessage().contains("byte token"), notByteLevel.getMessage());
    }

    @Test
    void concurrentEncodingAgrees() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            Thread th = new Thread(() -> {
                try {
                    for (String text : CORPUS) assertArrayEquals(reference(text), tok.encode(text));
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join();
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
    }
}
