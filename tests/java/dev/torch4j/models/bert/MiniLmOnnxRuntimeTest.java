package dev.torch4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.tokenizers.BatchEncoding;

/**
 * The real all-MiniLM-L6-v2 (the ONNX file in langchain4j's jar) run by torch4j and by ONNX Runtime on the same
 * tokenized batch: hidden states and sentence embeddings (mean pooling + L2 norm) agree within 1e-4, and cosine
 * similarities rank sentences sensibly.
 */
class MiniLmOnnxRuntimeTest {
    static final List<String> SENTENCES = List.of(
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The new movie is awesome, I loved every minute of it!",
            "A man is riding a white horse on an enclosed ground.",
            "The stock market fell sharply today as investors worried about inflation.");

    static SentenceEmbedder embedder;
    static OrtEnvironment env;
    static OrtSession session;

    @BeforeAll
    static void load() throws IOException, OrtException {
        embedder = SentenceEmbedder.allMiniLmL6V2();
        byte[] onnx;
        try (InputStream in = MiniLmOnnxRuntimeTest.class.getClassLoader().getResourceAsStream(SentenceEmbedder.MINILM_ONNX)) {
            onnx = in.readAllBytes();
        }
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            session = env.createSession(onnx, o);
        }
    }

    @AfterAll
    static void close() throws OrtException {
        if (session != null) session.close();
        if (embedder != null) embedder.close();
    }

    /** ONNX Runtime's last_hidden_state [B, T, H] for a batch, flattened. */
    static float[] ortHidden(BatchEncoding b) throws OrtException {
        long[][] ids = b.ids();
        long[][] mask = new long[ids.length][], types = new long[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            mask[i] = b.encodings().get(i).attentionMask();
            types[i] = b.encodings().get(i).typeIds();
        }
        try (OnnxTensor tIds = OnnxTensor.createTensor(env, ids); OnnxTensor tMask = OnnxTensor.createTensor(env, mask);
             OnnxTensor tTypes = OnnxTensor.createTensor(env, types);
             OrtSession.Result r = session.run(Map.of("input_ids", tIds, "attention_mask", tMask, "token_type_ids", tTypes))) {
            float[][][] h = (float[][][]) r.get(0).getValue();
            int bs = h.length, t = h[0].length, hs = h[0][0].length;
            float[] flat = new float[bs * t * hs];
            for (int i = 0; i < bs; i++) for (int j = 0; j < t; j++) System.arraycopy(h[i][j], 0, flat, (i * t + j) * hs, hs);
            return flat;
        }
    }

    @Test
    void hiddenStatesAndEmbeddingsMatchOnnxRuntime() throws OrtException {
        BatchEncoding batch = embedder.tokenizer().encodeBatch(SENTENCES, 256);
        float[] expectedHidden = ortHidden(batch);
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor ids = batch.inputIds(), mask = batch.attentionMask(), types = batch.tokenTypeIds();
            BertOutput out = embedder.model().forward(ids, mask, types);
            assertArrayEquals(new long[] {SENTENCES.size(), batch.length(), 384}, out.lastHiddenState().shape());
            double dHidden = BertFixtures.maxAbsDiff(out.lastHiddenState().toFloatArray(), expectedHidden);
            System.out.println("all-MiniLM-L6-v2 last_hidden_state max abs diff vs ONNX Runtime: " + dHidden);
            assertTrue(dHidden < 1e-4, "last_hidden_state max abs diff " + dHidden);

            Tensor ortEmb = Pooling.l2Normalize(Pooling.mean(Torch.tensor(expectedHidden, out.lastHiddenState().shape()), mask));
            Tensor emb = embedder.embed(SENTENCES);
            assertArrayEquals(new long[] {SENTENCES.size(), 384}, emb.shape());
            double dEmb = BertFixtures.maxAbsDiff(emb.toFloatArray(), ortEmb.toFloatArray());
            System.out.println("all-MiniLM-L6-v2 sentence embedding max abs diff vs ONNX Runtime: " + dEmb);
            assertTrue(dEmb < 1e-4, "embedding max abs diff " + dEmb);
            float[] norms = emb.square().sum(1).sqrt().toFloatArray();
            for (float n : norms) assertEquals(1.0, n, 1e-5);
        }
    }

    @Test
    void paddingDoesNotChangeEmbeddings() {
        try (Scope s = Torch.scope()) {
            float[] alone = embedder.embed(SENTENCES.get(0));
            float[] inBatch = embedder.embed(SENTENCES).select(0, 0).toFloatArray();
            assertTrue(BertFixtures.maxAbsDiff(alone, inBatch) < 1e-5, "padding changed the embedding");
        }
    }

    @Test
    void cosineSimilaritiesRankSensibly() {
        try (Scope s = Torch.scope()) {
            Tensor emb = embedder.embed(SENTENCES);
            float[] sim = emb.matmul(emb.t()).select(0, 0).toFloatArray(); // cosine similarity to sentence 0
            System.out.println("cosine similarities to '" + SENTENCES.get(0) + "': " + java.util.Arrays.toString(sim));
            assertEquals(1.0, sim[0], 1e-5);
            for (int i = 2; i < sim.length; i++)
                assertTrue(sim[1] > sim[i] + 0.2, "bread sentence should be far closer than sentence " + i + ": " + sim[1] + " vs " + sim[i]);
            assertTrue(sim[1] > 0.6, "eating food vs eating bread: " + sim[1]);
            assertTrue(sim[4] < 0.2, "eating food vs stock market: " + sim[4]);
        }
    }
}
