package dev.torch4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.torch4j.DType;
import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.kernels.FusedKernels;
import dev.torch4j.kernels.Kernels;

/**
 * {@link BertModel#forwardRealTokens}: at real tokens the same numbers as {@link BertModel#forward}, zeros at padding,
 * on the real-token path (kernels on, padding present) and on every fallback.
 */
class BertRealTokensTest {
    private static BertConfig config() {
        return new BertConfig().vocabSize(200).hiddenSize(64).numHiddenLayers(2).numAttentionHeads(4).intermediateSize(160)
                .maxPositionEmbeddings(32);
    }

    private static BertModel model() {
        Torch.manualSeed(11);
        BertModel m = new BertModel(config());
        m.eval();
        return m;
    }

    /** Ids and a mask for rows of the given real lengths, padded to t (pad id 0, [CLS] = 1 first). */
    private static Tensor[] batch(long t, long... lengths) {
        long b = lengths.length;
        long[] ids = new long[(int) (b * t)], mask = new long[ids.length];
        for (int r = 0; r < b; r++)
            for (int j = 0; j < lengths[r]; j++) {
                ids[(int) (r * t + j)] = j == 0 ? 1 : 2 + (r * 37 + j * 11) % 190;
                mask[(int) (r * t + j)] = 1;
            }
        return new Tensor[] {Torch.tensor(ids, b, t), Torch.tensor(mask, b, t)};
    }

    /** forwardRealTokens against forward: equal (exactly when exact) at real positions, zero at padding, same pooled output. */
    private static void assertMatchesForward(BertModel m, Tensor ids, Tensor mask, boolean exact, String what) {
        try (Scope s = Torch.scope()) {
            BertOutput full = m.forward(ids, mask, null), real = m.forwardRealTokens(ids, mask, null);
            Tensor keep = (mask == null ? Torch.onesLike(ids) : mask).ne(0).unsqueeze(-1);
            Tensor want = full.lastHiddenState().mul(keep.to(DType.FLOAT32)), got = real.lastHiddenState();
            assertEquals(0.0, got.mul(keep.logicalNot().to(DType.FLOAT32)).abs().sum().item(), what + ": padding must be zero");
            if (exact) assertTrue(got.equal(want), what + ": max abs diff " + got.sub(want).abs().max().item());
            else assertTrue(got.allclose(want, 1e-5, 1e-5), what + ": max abs diff " + got.sub(want).abs().max().item());
            // The pooler reads position 0: the same wherever that is a real token ([CLS] with right padding).
            Tensor first = (mask == null ? Torch.onesLike(ids) : mask).select(1, 0).ne(0).unsqueeze(-1).to(DType.FLOAT32);
            Tensor pf = full.pooledOutput().mul(first), pr = real.pooledOutput().mul(first);
            assertTrue(exact ? pr.equal(pf) : pr.allclose(pf, 1e-5, 1e-5), what + ": pooled output");
            full.close();
            real.close();
        }
    }

    @Test
    void realTokensMatchForwardBitForBitAndPaddingIsZero() {
        try (BertModel m = model(); GradMode g = Torch.noGrad(); Scope s = Torch.scope()) {
            Tensor[] in = batch(12, 12, 4, 7, 1);
            // Bit-identical where the fused kernels run both paths (each token's arithmetic does not depend on the others).
            assertMatchesForward(m, in[0], in[1], Kernels.linearIsFast(), "padded batch");
            Tensor[] full = batch(9, 9, 9);
            assertMatchesForward(m, full[0], full[1], true, "no padding");
            // Left and middle padding: the real tokens keep their order, only their softmax lanes move (float32 rounding).
            Tensor ids = Torch.tensor(new long[] {0, 0, 1, 5, 9, 1, 0, 7, 0, 3}, 2, 5);
            Tensor mask = Torch.tensor(new long[] {0, 0, 1, 1, 1, 1, 0, 1, 0, 1}, 2, 5);
            assertMatchesForward(m, ids, mask, false, "left and middle padding");
            assertMatchesForward(m, in[0], null, true, "no mask");
        }
    }

    @Test
    void fallbacksGiveForwardWithPaddingZeroed() {
        try (BertModel m = model(); Scope s = Torch.scope()) {
            Tensor[] in = batch(10, 10, 3, 6);
            boolean old = FusedKernels.setEnabled(false);
            try (GradMode g = Torch.noGrad()) {
                assertMatchesForward(m, in[0], in[1], true, "kernels off");
            } finally {
                FusedKernels.setEnabled(old);
            }
            assertMatchesForward(m, in[0], in[1], true, "grad mode on (a graph is recorded)");
            // ... and the graph still backpropagates (the padding is zeroed out of place).
            BertOutput withGraph = m.forwardRealTokens(in[0], in[1], null);
            withGraph.lastHiddenState().sum().add(withGraph.pooledOutput().sum()).backward();
            assertTrue(m.namedParameters().get("pooler.dense.weight").grad().abs().sum().item() > 0);
            withGraph.close();
            try (GradMode g = Torch.noGrad()) {
                // A row without any real token: forward's NaN row is all padding, so zeroed; the others are unaffected.
                Tensor[] empty = batch(8, 8, 0, 5);
                BertOutput real = m.forwardRealTokens(empty[0], empty[1], null);
                assertEquals(0.0, real.lastHiddenState().select(0, 1).abs().sum().item());
                real.close();
                BertOutput a = m.forward(empty[0].narrow(0, 2, 1), empty[1].narrow(0, 2, 1), null);
                BertOutput b = m.forwardRealTokens(empty[0], empty[1], null);
                Tensor row = b.lastHiddenState().narrow(0, 2, 1).narrow(1, 0, 5), want = a.lastHiddenState().narrow(1, 0, 5);
                assertTrue(row.allclose(want, 1e-5, 1e-5), "max abs diff " + row.sub(want).abs().max().item());
                a.close();
                b.close();
            }
        }
    }

    @Test
    void sequenceClassificationLogitsOfAPaddedBatchEqualEachRowAlone() {
        try (BertForSequenceClassification m = new BertForSequenceClassification(config().numLabels(3)); GradMode g = Torch.noGrad();
             Scope s = Torch.scope()) {
            m.eval();
            long[] lengths = {9, 3, 6};
            Tensor[] in = batch(9, lengths);
            Tensor logits = m.forward(in[0], in[1], null);                // right padding: the real-token path
            for (int i = 0; i < lengths.length; i++) {
                Tensor one = m.forward(in[0].narrow(0, i, 1).narrow(1, 0, lengths[i]), null, null);
                Tensor row = logits.narrow(0, i, 1);
                assertTrue(row.allclose(one, 1e-6, 1e-6), "row " + i + ": max abs diff " + row.sub(one).abs().max().item());
            }
        }
    }

    @Test
    void int8ModelsTakeTheRealTokenPathToo() {
        try (BertModel m = model(); GradMode g = Torch.noGrad(); Scope s = Torch.scope()) {
            m.quantizeInt8();
            Tensor[] in = batch(16, 16, 5, 11);
            // int8 activations are quantized per token row, so each row still sees the same arithmetic.
            assertMatchesForward(m, in[0], in[1], false, "int8");
        }
    }

    @Test
    void sentenceEmbeddingsOfAPaddedBatchEqualOneTextAtATime() {
        try (SentenceEmbedder emb = SentenceEmbedder.allMiniLmL6V2(); Scope s = Torch.scope()) {
            java.util.List<String> texts = java.util.List.of("A man is playing a guitar.", "Hi",
                    "The quick brown fox jumps over the lazy dog near the river bank.");
            Tensor batch = emb.embed(texts);                           // padded to the longest text
            for (int i = 0; i < texts.size(); i++) {
                Tensor one = Torch.tensor(emb.embed(texts.get(i)), 1, emb.dimension());
                Tensor row = batch.narrow(0, i, 1);
                assertTrue(row.allclose(one, 1e-5, 1e-6), texts.get(i) + ": max abs diff " + row.sub(one).abs().max().item());
            }
        }
    }
}
