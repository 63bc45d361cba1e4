package dev.torch4j.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.generation.GenerationConfig;
import dev.torch4j.models.bert.BertForSequenceClassification;
import dev.torch4j.models.bert.SentenceEmbedder;
import dev.torch4j.models.gpt2.GPT2LMHeadModel;
import dev.torch4j.tokenizers.Gpt2Tokenizer;
import dev.torch4j.tokenizers.Tokenizer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The main job: {@code mvn -B -q test-compile exec:java} (arguments through {@code -Dexec.args="..."}).
 * Without arguments it runs the embedded default: semantic search over a few sentences with the real
 * all-MiniLM-L6-v2 weights (from Maven Central), and GPT-2 generation when {@code --model DIR} is given.
 */
@Command(name = "torch4j", mixinStandardHelpOptions = true, version = "torch4j 0.1.0",
        description = "BERT embeddings and search, GPT-2 generation, classification and training samples.",
        subcommands = {Main.Embed.class, Main.Similarity.class, Main.Search.class, Main.Generate.class, Main.Classify.class,
                Main.Samples.class})
public final class Main implements Callable<Integer> {
    static final List<String> DEFAULT_CORPUS = List.of(
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The girl is carrying a baby.",
            "A man is riding a horse.",
            "A woman is playing violin.",
            "Two men pushed carts through the woods.",
            "A man is riding a white horse on an enclosed ground.",
            "A monkey is playing drums.",
            "The stock market fell sharply today.",
            "Java is a programming language for the JVM.");

    @Option(names = "--model", description = "GPT-2 model directory (config.json + model.safetensors) to also run generation")
    Path model;

    @Option(names = "--prompt", defaultValue = "I love programming", description = "Prompt for generation. Default: ${DEFAULT-VALUE}")
    String prompt;

    public static void main(String[] args) {
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + e.getMessage());
                    return 1;
                })
                .execute(args);
        if (code != 0) System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        System.out.println("torch4j semantic search with all-MiniLM-L6-v2 (real weights, from the Maven Central jar)");
        try (SentenceEmbedder embedder = SentenceEmbedder.allMiniLmL6V2()) {
            for (String query : List.of("Someone is eating.", "A person plays an instrument.", "Which language runs on the JVM?"))
                printRanking(embedder, query, DEFAULT_CORPUS, 3);
        }
        if (model != null) return Generate.run(model, prompt, new GenerationConfig().maxNewTokens(30));
        System.out.println("\n(GPT-2: pass --model DIR, e.g. -Dexec.args=\"--model /path/to/gpt2 --prompt 'I love programming'\")");
        return 0;
    }

    static void printRanking(SentenceEmbedder embedder, String query, List<String> corpus, int top) {
        try (Scope s = Torch.scope(); GradMode g = Torch.noGrad()) {
            Tensor docs = embedder.embed(corpus);                    // (N, 384), L2-normalised
            Tensor q = embedder.embed(List.of(query));               // (1, 384)
            float[] scores = docs.matmul(q.t()).squeeze(1).toFloatArray(); // cosine similarities
            Integer[] order = new Integer[scores.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
            System.out.println("\nquery: " + query);
            for (int i = 0; i < Math.min(top, order.length); i++)
                System.out.printf("  %.4f  %s%n", scores[order[i]], corpus.get(order[i]));
        }
    }

    @Command(name = "embed", description = "Print sentence embeddings (all-MiniLM-L6-v2, mean pooling, L2-normalised).")
    static final class Embed implements Callable<Integer> {
        @Parameters(arity = "1..*", description = "texts")
        List<String> texts;

        @Override
        public Integer call() {
            try (SentenceEmbedder embedder = SentenceEmbedder.allMiniLmL6V2()) {
                for (String t : texts) {
                    float[] e = embedder.embed(t);
                    System.out.printf("%s%n  dim %d  first 8: %s%n", t, e.length, Arrays.toString(Arrays.copyOf(e, 8)));
                }
            }
            return 0;
        }
    }

    @Command(name = "similarity", description = "Cosine similarity of two texts (all-MiniLM-L6-v2).")
    static final class Similarity implements Callable<Integer> {
        @Parameters(index = "0") String a;
        @Parameters(index = "1") String b;

        @Override
        public Integer call() {
            try (SentenceEmbedder embedder = SentenceEmbedder.allMiniLmL6V2(); Scope s = Torch.scope()) {
                Tensor e = embedder.embed(List.of(a, b));
                System.out.printf("%.6f%n", e.select(0, 0).dot(e.select(0, 1)).item());
            }
            return 0;
        }
    }

    @Command(name = "search", description = "Rank the lines of a file (or the built-in sentences) by similarity to a query.")
    static final class Search implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--query", required = true) String query;
        @Option(names = "--corpus", description = "text file, one document per line") Path corpus;
        @Option(names = "--top", defaultValue = "5") int top;

        @Override
        public Integer call() throws IOException {
            List<String> docs = corpus == null ? DEFAULT_CORPUS
                    : Files.readAllLines(corpus, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
            if (docs.isEmpty()) throw new CommandLine.ParameterException(spec.commandLine(), "corpus " + corpus + " has no lines");
            try (SentenceEmbedder embedder = SentenceEmbedder.allMiniLmL6V2()) {
                printRanking(embedder, query, docs, top);
            }
            return 0;
        }
    }

    @Command(name = "generate", description = "GPT-2 text generation from a Hugging Face model directory.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "directory with config.json + model.safetensors") Path model;
        @Option(names = "--prompt", defaultValue = "I love programming") String prompt;
        @Option(names = "--max-new-tokens", defaultValue = "30") int maxNewTokens;
        @Option(names = "--sample", description = "sample instead of greedy decoding") boolean sample;
        @Option(names = "--temperature", defaultValue = "1.0") double temperature;
        @Option(names = "--top-k", defaultValue = "50") int topK;
        @Option(names = "--top-p", defaultValue = "1.0") double topP;
        @Option(names = "--repetition-penalty", defaultValue = "1.0") double repetitionPenalty;
        @Option(names = "--seed", defaultValue = "0") long seed;

        @Override
        public Integer call() throws IOException {
            GenerationConfig c = new GenerationConfig().maxNewTokens(maxNewTokens).doSample(sample).temperature(temperature)
                    .topK(topK).topP(topP).repetitionPenalty(repetitionPenalty).seed(seed);
            return run(model, prompt, c);
        }

        /** Uses the directory's vocab.json + merges.txt when present, else the embedded GPT-2 vocabulary. */
        static int run(Path dir, String prompt, GenerationConfig config) throws IOException {
            Path vocab = dir.resolve("vocab.json"), merges = dir.resolve("merges.txt");
            try (Gpt2Tokenizer tok = Files.exists(vocab) && Files.exists(merges) ? Gpt2Tokenizer.fromFiles(vocab, merges) : Gpt2Tokenizer.gpt2();
                 GPT2LMHeadModel lm = GPT2LMHeadModel.fromPretrained(dir);
                 Scope s = Torch.scope()) {
                lm.eval();
                if (tok.vocabSize() > lm.config().vocabSize())
                    throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " tokens but the model only "
                            + lm.config().vocabSize() + ": put the model's vocab.json and merges.txt into " + dir);
                long[] ids = tok.encode(prompt);
                System.out.print("\n" + prompt);
                Tensor out = lm.generate(Torch.tensor(ids, 1, ids.length), null, config, (row, step, token) -> {
                    System.out.print(tok.decode(new long[] {token}));
                    System.out.flush();
                });
                System.out.println();
                System.out.printf("(%d new tokens)%n", out.size(1));
            }
            return 0;
        }
    }

    @Command(name = "classify", description = "Sequence classification with a fine-tuned BERT directory (config.json, model.safetensors, tokenizer.json).")
    static final class Classify implements Callable<Integer> {
        @Option(names = "--model", required = true) Path model;
        @Parameters(arity = "1..*") List<String> texts;

        @Override
        public Integer call() throws IOException {
            try (Tokenizer tok = Tokenizer.fromFile(model.resolve("tokenizer.json"));
                 BertForSequenceClassification clf = BertForSequenceClassification.fromPretrained(model);
                 Scope s = Torch.scope(); GradMode g = Torch.noGrad()) {
                clf.eval();
                var batch = tok.encodeBatch(texts, 512);
                Tensor p = clf.forward(batch.inputIds(), batch.attentionMask(), batch.tokenTypeIds()).softmax(1);
                for (int i = 0; i < texts.size(); i++)
                    System.out.printf("%s -> %s%n", texts.get(i), Arrays.toString(p.select(0, i).toFloatArray()));
            }
            return 0;
        }
    }

    @Command(name = "sample", description = "Run a training sample: spirals, mlp, iris, keras, cnn, lstm, transformer, bert-finetune, distributed.")
    static final class Samples implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0") String name;

        @Override
        public Integer call() throws Exception {
            String[] none = new String[0];
            switch (name) {
                case "spirals" -> SpiralClassifier.main(none);
                case "mlp" -> MlpRegression.main(none);
                case "iris" -> IrisClassifier.main(none);
                case "keras" -> KerasStyleClassifier.main(none);
                case "cnn" -> CnnClassifier.main(none);
                case "lstm" -> LstmClassifier.main(none);
                case "transformer" -> TransformerLM.main(none);
                case "bert-finetune" -> BertFineTune.main(none);
                case "distributed" -> DistributedTraining.main(none);
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown sample '" + name
                        + "' (spirals, mlp, iris, keras, cnn, lstm, transformer, bert-finetune, distributed)");
            }
            return 0;
        }
    }
}
