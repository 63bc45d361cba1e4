package dev.torch4j.samples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.Embedding;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.TransformerEncoder;
import dev.torch4j.nn.TransformerEncoderLayer;
import dev.torch4j.nn.TransformerEncoderLayerOptions;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.Adam;
import dev.torch4j.optim.AdamOptions;
import dev.torch4j.training.LossCurve;

import me.tongfei.progressbar.ProgressBar;

/**
 * Java twin of {@code transformer_lm.py}: a character-level Transformer encoder language model with a causal
 * mask and sinusoidal positional encoding, trained with Adam on {@code samples/data/tiny_text.txt}.
 */
public final class TransformerLM extends Module {
    static final long D_MODEL = 32, CONTEXT = 32, BATCH = 16;

    /** Adds the fixed sinusoidal encoding {@code pe[pos, 2i] = sin(pos / 10000^(2i/d))}, {@code pe[pos, 2i+1] = cos(...)}. */
    static final class PositionalEncoding extends Module {
        PositionalEncoding(long dModel, long maxLen) {
            try (Scope s = Torch.scope()) {
                Tensor position = Torch.arange(maxLen).unsqueeze(1);
                Tensor divTerm = Torch.arange(0, dModel, 2).mul(-Math.log(10000.0) / dModel).exp();
                Tensor angles = position.mul(divTerm); // (maxLen, d/2)
                Tensor pe = Torch.stack(java.util.List.of(angles.sin(), angles.cos()), 2).view(maxLen, dModel);
                registerBuffer("pe", s.keep(pe.contiguous()));
            }
        }

        @Override
        public Tensor forward(Tensor x) { // (B, T, D)
            try (Tensor pe = buffer("pe").slice(0, 0, x.size(1))) {
                return x.add(pe);
            }
        }
    }

    private final long vocab;
    private final Embedding embed;
    private final PositionalEncoding pos;
    private final TransformerEncoder encoder;
    private final Linear head;

    TransformerLM(long vocab) {
        this.vocab = vocab;
        embed = registerModule("embed", new Embedding(vocab, D_MODEL));
        pos = registerModule("pos", new PositionalEncoding(D_MODEL, CONTEXT));
        TransformerEncoderLayer layer = new TransformerEncoderLayer(
                new TransformerEncoderLayerOptions(D_MODEL, 4).dimFeedforward(64).dropout(0.0).batchFirst(true));
        encoder = registerModule("encoder", new TransformerEncoder(layer, 2));
        head = registerModule("head", new Linear(D_MODEL, vocab));
    }

    @Override
    public Tensor forward(Tensor x) { // (B, T) -> (B, T, vocab)
        try (Scope s = Torch.scope()) {
            long t = x.size(1);
            Tensor mask = Torch.full(new long[] {t, t}, Double.NEGATIVE_INFINITY).triu(1);
            Tensor h = encoder.forward(pos.forward(embed.forward(x).mul(Math.sqrt(D_MODEL))), mask, null);
            return s.keep(head.forward(h));
        }
    }

    /** 150 Adam steps on random windows of {@code data}; returns each step's loss. Reseeds the generator first. */
    static double[] train(TransformerLM model, Tensor data, int steps, boolean progress) {
        double[] losses = new double[steps];
        Torch.manualSeed(1); // batch windows from here on, as in the twin
        try (Adam optimizer = new Adam(model.parameters(), new AdamOptions(3e-3));
             ProgressBar bar = progress ? new ProgressBar("transformer", steps) : null) {
            for (int step = 0; step < steps; step++) {
                try (Scope s = Torch.scope()) {
                    Tensor ix = Torch.randint(0, data.size(0) - CONTEXT - 1, BATCH);
                    Tensor idx = ix.unsqueeze(1).add(Torch.arange(CONTEXT)); // (B, T)
                    Tensor x = data.index(idx), y = data.index(idx.add(1));
                    optimizer.zeroGrad();
                    Tensor loss = F.crossEntropy(model.forward(x).view(-1, model.vocab), y.view(-1));
                    loss.backward();
                    optimizer.step();
                    losses[step] = loss.item();
                }
                if (bar != null) bar.step();
            }
        }
        return losses;
    }

    /** Greedy continuation of {@code prompt} by {@code n} characters. */
    String complete(String prompt, String chars, int n) {
        StringBuilder out = new StringBuilder(prompt);
        try (GradMode g = Torch.noGrad()) {
            eval();
            for (int i = 0; i < n; i++) {
                try (Scope s = Torch.scope()) {
                    String ctx = out.substring(Math.max(0, out.length() - (int) CONTEXT));
                    long[] ids = ctx.chars().mapToLong(c -> chars.indexOf(c)).toArray();
                    Tensor logits = forward(Torch.tensor(ids, 1, ids.length));
                    out.append(chars.charAt((int) logits.select(1, -1).argmax().itemLong()));
                }
            }
        }
        return out.toString();
    }

    public static void main(String[] args) throws Exception {
        Torch.manualSeed(0);
        Torch.setNumThreads(1);
        String text = Files.readString(Path.of("samples", "data", "tiny_text.txt"), StandardCharsets.UTF_8);
        StringBuilder vocab = new StringBuilder();
        new TreeSet<>(text.chars().boxed().toList()).forEach(c -> vocab.appendCodePoint(c));
        String chars = vocab.toString();
        try (Scope s = Torch.scope(); TransformerLM model = new TransformerLM(chars.length())) {
            Tensor data = Torch.tensor(text.chars().mapToLong(c -> chars.indexOf(c)).toArray());
            double[] losses = train(model, data, 150, true);
            for (int i = 24; i < losses.length; i += 25) System.out.printf("step %3d  loss %.4f%n", i + 1, losses[i]);
            System.out.println("sample: " + model.complete("the river ", chars, 60).replace('\n', ' '));
            Path png = Path.of("target", "samples", "transformer_lm_loss.png");
            LossCurve.writePng(png, "Transformer LM (Adam)", "train loss", losses);
            System.out.println("loss curve: " + png);
        }
    }
}
