package dev.torch4j.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.torch4j.Torch;
import dev.torch4j.models.gpt2.GPT2Config;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** The main job's command line, end to end (real MiniLM weights; a small random GPT-2 with the real vocabulary). */
class MainTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            CommandLine cl = new CommandLine(new Main());
            cl.setErr(new PrintWriter(err, true));
            cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
            });
            int code = cl.execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void defaultJobRanksTheRightSentenceFirst() {
        Run r = run();
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        int q = out.indexOf("query: Someone is eating.");
        assertTrue(q >= 0, out);
        String firstHit = out.substring(q).lines().skip(1).findFirst().orElse("");
        assertTrue(firstHit.endsWith("A man is eating food."), firstHit);
        String jvm = out.substring(out.indexOf("query: Which language runs on the JVM?")).lines().skip(1).findFirst().orElse("");
        assertTrue(jvm.endsWith("Java is a programming language for the JVM."), jvm);
    }

    @Test
    void similarityAndSearch() throws Exception {
        Run sim = run("similarity", "A man is eating food.", "A man is eating a piece of bread.");
        assertEquals(0, sim.code(), sim.err());
        double s = Double.parseDouble(sim.out().strip());
        assertTrue(s > 0.6 && s <= 1.0, "cosine " + s);
        Path corpus = dir.resolve("docs.txt");
        Files.write(corpus, List.of("The cat sleeps on the sofa.", "Stocks fell on Wall Street.", "", "A kitten naps on the couch."));
        Run search = run("search", "--query", "a sleeping cat", "--corpus", corpus.toString(), "--top", "2");
        assertEquals(0, search.code(), search.err());
        assertTrue(!search.out().contains("Stocks"), search.out());
    }

    @Test
    void generateRunsOnAModelDirectoryAndReportsMismatches() throws Exception {
        Torch.manualSeed(0);
        Path model = dir.resolve("gpt2-small-random");
        try (GPT2LMHeadModel lm = new GPT2LMHeadModel(new GPT2Config().vocabSize(50257).nPositions(64).nEmbd(8).nLayer(1).nHead(2))) {
            lm.saveResolved(model);
        }
        Run r = run("generate", "--model", model.toString(), "--prompt", "I love programming", "--max-new-tokens", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("I love programming"), r.out());
        assertTrue(r.out().contains("(5 new tokens)") || r.out().matches("(?s).*\\([0-5] new tokens\\).*"), r.out());

        Path tiny = Path.of(MainTest.class.getResource("/fixtures/gpt2_tiny").toURI());
        Run bad = run("generate", "--model", tiny.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("tokenizer has 50257 tokens but the model only 96"), bad.err());
    }

    @Test
    void unknownSampleIsAUsageError() {
        Run r = run("sample", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown sample 'nope'"), r.err());
    }
}
