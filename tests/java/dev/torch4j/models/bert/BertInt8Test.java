package dev.torch4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.kernels.Int8AccuracyReport;

/** BertModel.quantizeInt8(): stated error on the tiny fixture, and all-MiniLM-L6-v2 embeddings close to float32. */
class BertInt8Test {
    static final List<String> SENTENCES = List.of("A man is eating food.", "A man is eating a piece of bread.",
            "The new movie is awesome, I loved every minute of it!", "Hi", "The stock market fell sharply today.");

    @Test
    void tinyFixtureHiddenStatesStayClose() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir())) {
            Int8AccuracyReport r = model.quantizeInt8();
            System.out.println("bert_tiny int8 vs float32 last_hidden_state on the probe: " + r);
            // Measured: max 0.040, mean 0.0095, with hidden states up to 2.7 in magnitude.
            assertTrue(r.maxAbsError() > 0 && r.maxAbsError() < 0.08, "max abs hidden-state error " + r);
            assertTrue(r.meanAbsError() < 0.02, "mean abs hidden-state error " + r);
            assertThrows(IllegalStateException.class, model::quantizeInt8);
        }
    }

    @Test
    void miniLmSentenceEmbeddingsKeepCosineAbove099() {
        try (SentenceEmbedder fp32 = SentenceEmbedder.allMiniLmL6V2(); SentenceEmbedder int8 = SentenceEmbedder.allMiniLmL6V2();
             Scope s = Torch.scope()) {
            Int8AccuracyReport r = int8.model().quantizeInt8();
            System.out.println("all-MiniLM-L6-v2 int8 vs float32 last_hidden_state on the probe: " + r);
            Tensor a = fp32.embed(SENTENCES), b = int8.embed(SENTENCES);                  // [N, 384], unit rows
            float[] cos = a.mul(b).sum(1).toFloatArray();
            System.out.println("all-MiniLM-L6-v2 int8 vs float32 embedding cosines: " + java.util.Arrays.toString(cos));
            for (int i = 0; i < cos.length; i++) assertTrue(cos[i] > 0.99, "sentence " + i + ": cosine " + cos[i]);
            // "Hi" is 3 tokens with [CLS]/[SEP]. With VNNI the kernel serves both (each activation row is quantized on its
            // own, so its neighbours in the batch do not matter); without, alone it runs the exact kernel (<= 4 rows) and
            // in the batch the float GEMM on the dequantized weights.
            float[] alone = int8.embed(SENTENCES.get(3));
            float[] inBatch = b.select(0, 3).toFloatArray();
            assertTrue(BertFixtures.maxAbsDiff(alone, inBatch) < 1e-4, "\"Hi\" alone vs in the batch");
        }
    }
}
