package dev.torch4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.models.bert.BertConfig;
import dev.torch4j.models.bert.BertModel;
import dev.torch4j.models.bert.BertOutput;
import dev.torch4j.models.bert.SentenceEmbedder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native memory stays flat, with JavaCPP's GC deallocation off, over long loops of mixed ops, over many BERT
 * forwards, and over load/close cycles of a model; closing a model closes every parameter.
 */
class NativeMemoryReliabilityTest {

    @Test
    void testsRunWithoutGcDeallocation() {
        assertEquals("true", System.getProperty("org.bytedeco.javacpp.nopointergc"));
    }

    /** 2 warm-up + 8 measured rounds of 31,250: 312,500 scoped iterations of add/mul/matmul/softmax/index/cat. */
    @Test
    void mixedOpLoopOf250kScopedIterationsKeepsRssFlat() {
        try (Tensor a = Torch.randn(8, 8); Tensor b = Torch.randn(8, 8); Tensor rows = Torch.tensor(new long[] {3, 0, 7}, 3)) {
            long growth = Rss.growthOverRounds(() -> {
                for (int i = 0; i < 31_250; i++) {
                    try (Scope s = Torch.scope()) {
                        Tensor h = a.add(b).mul(0.5).matmul(b).softmax(1);   // (8, 8)
                        Tensor picked = h.index(rows);                        // (3, 8)
                        Torch.cat(List.of(picked, a), 0).sum().item();        // (11, 8)
                    }
                }
            }, 2, 8);
            assertTrue(growth < Rss.LIMIT, "RSS grew by " + Rss.mib(growth) + " over 250k scoped iterations");
        }
    }

    /** all-MiniLM-L6-v2 (22M parameters), eval, no grad, a padded 1 x 8 batch: 100 warm-up and 1,000 measured forwards. */
    @Test
    void thousandMiniLmForwardsKeepRssFlat() {
        try (SentenceEmbedder emb = SentenceEmbedder.allMiniLmL6V2();
             Tensor ids = Torch.tensor(new long[] {101, 1996, 4248, 2829, 4419, 102, 0, 0}, 1, 8);
             Tensor mask = Torch.tensor(new long[] {1, 1, 1, 1, 1, 1, 0, 0}, 1, 8);
             GradMode g = Torch.noGrad()) {
            BertModel bert = emb.model();
            bert.eval();
            long growth = Rss.growthOverRounds(() -> {
                for (int i = 0; i < 100; i++) {
                    try (BertOutput out = bert.forward(ids, mask, null)) {
                        assertEquals(384, out.lastHiddenState().shape()[2]);
                    }
                }
            }, 1, 10);
            assertTrue(growth < Rss.LIMIT, "RSS grew by " + Rss.mib(growth) + " over 1,000 BERT forwards");
        }
    }

    /** Padded sentence batches take BertModel.forwardRealTokens (real rows only, attention per sequence): 500 of them. */
    @Test
    void paddedEmbeddingBatchesKeepRssFlat() {
        try (SentenceEmbedder emb = SentenceEmbedder.allMiniLmL6V2()) {
            List<String> texts = List.of("A man is playing a guitar on the stage tonight.", "Hi", "Three short words");
            long growth = Rss.growthOverRounds(() -> {
                for (int i = 0; i < 50; i++) {
                    try (Tensor e = emb.embed(texts)) {
                        assertEquals(384, e.size(1));
                    }
                }
            }, 1, 10);
            assertTrue(growth < Rss.LIMIT, "RSS grew by " + Rss.mib(growth) + " over 500 padded embedding batches");
        }
    }

    /** A BERT of about 6.3 MiB of float32 weights (1.65M parameters), written as a Hugging Face directory. */
    private static Path writeCheckpoint(Path dir) throws IOException {
        BertConfig c = new BertConfig().vocabSize(8000).hiddenSize(128).numHiddenLayers(4).numAttentionHeads(4)
                .intermediateSize(512).maxPositionEmbeddings(64);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\", \"vocab_size\": 8000, \"hidden_size\": 128, "
                + "\"num_hidden_layers\": 4, \"num_attention_heads\": 4, \"intermediate_size\": 512, \"max_position_embeddings\": 64}");
        try (BertModel m = new BertModel(c); Scope s = Torch.scope()) {
            Map<String, Tensor> sd = m.stateDict();
            SafeTensors.save(dir.resolve("model.safetensors"), sd);
        }
        return dir;
    }

    @Test
    void closingAModelClosesEveryParameterAndBuffer(@TempDir Path tmp) throws IOException {
        Path dir = writeCheckpoint(tmp);
        BertModel m = BertModel.fromPretrained(dir);
        List<Tensor> params = m.parameters();
        List<Tensor> buffers = m.buffers();
        assertTrue(params.size() > 50, "parameters: " + params.size());
        for (Tensor p : params) assertFalse(p.isClosed());
        m.close();
        assertTrue(m.isClosed());
        for (Tensor p : params) assertTrue(p.isClosed(), "a parameter survived close()");
        for (Tensor b : buffers) assertTrue(b.isClosed(), "a buffer survived close()");
    }

    /** 2 warm-up + 30 measured load/forward/close cycles: a leaked model (6.3 MiB) per cycle would add ~95 MiB. */
    @Test
    void loadCloseCyclesKeepRssFlat(@TempDir Path tmp) throws IOException {
        Path dir = writeCheckpoint(tmp);
        try (Tensor ids = Torch.tensor(new long[] {1, 2, 3, 4}, 1, 4)) {
            long growth = Rss.growthOverRounds(() -> {
                try (BertModel m = BertModel.fromPretrained(dir); GradMode g = Torch.noGrad(); BertOutput out = m.forward(ids, null, null)) {
                    assertEquals(128, out.lastHiddenState().shape()[2]);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, 2, 30);
            assertTrue(growth < Rss.LIMIT, "RSS grew by " + Rss.mib(growth) + " over 30 load/close cycles");
        }
    }

    /**
     * Weights changed in place between forwards (as in fine-tuning with evaluation in between) make every forward
     * repack the encoder's linears for the fused kernel: each replaced copy (3 MiB per model here) must be freed.
     */
    @Test
    void repackingAfterWeightUpdatesKeepsRssFlat(@TempDir Path tmp) throws IOException {
        Path dir = writeCheckpoint(tmp);
        try (BertModel m = BertModel.fromPretrained(dir); Tensor ids = Torch.tensor(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 16); GradMode g = Torch.noGrad()) {
            m.eval();
            List<Tensor> params = m.parameters();
            long growth = Rss.growthOverRounds(() -> {
                for (int i = 0; i < 10; i++) {
                    for (Tensor p : params) p.mul_(1.0);             // bumps every version counter
                    try (BertOutput out = m.forward(ids, null, null)) {
                        assertEquals(128, out.lastHiddenState().shape()[2]);
                    }
                }
            }, 2, 20);
            assertTrue(growth < Rss.LIMIT, "RSS grew by " + Rss.mib(growth) + " over 200 weight updates + forwards");
        }
    }

    /** Closing a model gives its memory back: RSS rises by the weights while it is open and falls back after close. */
    @Test
    void closingAModelReturnsItsMemory() {
        BertConfig big = new BertConfig().vocabSize(30522).hiddenSize(512).numHiddenLayers(2).numAttentionHeads(8)
                .intermediateSize(2048).maxPositionEmbeddings(128);
        try (BertModel warm = new BertModel(big)) {
            warm.numParameters();
        }
        long before = Rss.settled();
        BertModel m = new BertModel(big);
        long weights = m.numParameters() * 4;                        // ~85 MiB of float32
        long open = Rss.settled();
        m.close();
        long after = Rss.settled();
        assertTrue(open - before > weights / 2, "RSS should show the open model: +" + Rss.mib(open - before) + " for " + Rss.mib(weights));
        assertTrue(after - before < weights / 4, "RSS after close is still +" + Rss.mib(after - before) + " (weights " + Rss.mib(weights) + ")");
    }
}
