package dev.torch4j.models.gpt2;

import static dev.torch4j.models.gpt2.Gpt2Fixture.EXPECTED;
import static dev.torch4j.models.gpt2.Gpt2Fixture.longs;
import static dev.torch4j.models.gpt2.Gpt2Fixture.matrix;
import static dev.torch4j.models.gpt2.Gpt2Fixture.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.generation.GenerationConfig;
import dev.torch4j.generation.KVCache;
import dev.torch4j.kernels.FusedKernels;

/**
 * GPT-2's inference paths with the fused kernels on and off (no-grad, where they apply): both match the PyTorch
 * reference within GPT2ParityTest's 1e-4 and each other within 1e-4; greedy continuations are the same.
 */
class GPT2FusedKernelsTest {
    static GPT2LMHeadModel model;

    @BeforeAll
    static void load() {
        model = Gpt2Fixture.load();
        GPT2ParityTest.load();
    }

    @AfterAll
    static void close() {
        model.close();
        GPT2ParityTest.close();
    }

    /** The supplier's logits with the kernels switched to {@code on} (restored afterwards), as a double array. */
    static double[] with(boolean on, Supplier<Tensor> run) {
        boolean old = FusedKernels.setEnabled(on);
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            return run.get().toDoubleArray();
        } finally {
            FusedKernels.setEnabled(old);
        }
    }

    static void assertClose(double[] a, double[] b, double tol, String what) {
        assertTrue(a.length == b.length, what + ": lengths differ");
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        assertTrue(max <= tol, what + ": kernels on vs off max |diff| " + max);
    }

    @Test
    void paddedBatchPromptMatchesReferenceWithKernelsOnAndOff() {
        Supplier<Tensor> run = () -> model.forward(matrix(EXPECTED.get("input_ids")), matrix(EXPECTED.get("attention_mask")));
        double[] on = with(true, run), off = with(false, run);
        GPT2ParityTest.assertLogits(on, GPT2ParityTest.b, GPT2ParityTest.t, 0, 0, "kernels on");
        GPT2ParityTest.assertLogits(off, GPT2ParityTest.b, GPT2ParityTest.t, 0, 0, "kernels off");
        assertClose(on, off, GPT2ParityTest.ATOL, "padded prompt");
    }

    /** Prefill 2 positions, then single-token decode steps: the steps run the decode-attention kernel when on. */
    static Tensor decodeOneByOne(long[] ids) {
        Tensor all = row(ids);
        List<Tensor> steps = new ArrayList<>();
        try (KVCache cache = model.newCache(1, 3)) {
            steps.add(model.forward(all.narrow(1, 0, 2), null, null, cache));
            for (int i = 2; i < ids.length; i++) steps.add(model.forward(all.narrow(1, i, 1), null, null, cache));
        }
        return Torch.cat(steps, 1);
    }

    @Test
    void cachedDecodeStepsMatchReferenceWithKernelsOnAndOff() {
        long[] ids0 = longs(EXPECTED.get("input_ids").get(0));
        double[] on = with(true, () -> decodeOneByOne(ids0)), off = with(false, () -> decodeOneByOne(ids0));
        GPT2ParityTest.assertLogits(on, 1, GPT2ParityTest.t, 0, 0, "decode, kernels on");
        GPT2ParityTest.assertLogits(off, 1, GPT2ParityTest.t, 0, 0, "decode, kernels off");
        assertClose(on, off, GPT2ParityTest.ATOL, "decode steps");
        double[] full = with(false, () -> model.forward(row(ids0)));
        assertClose(on, full, 1e-5, "decode with kernels vs full recompute without");
    }

    @Test
    void batchedDecodeStepsMatchWithKernelsOnAndOff() {
        Supplier<Tensor> run = () -> {
            Tensor ids = matrix(EXPECTED.get("input_ids"));                         // (2, 7), both rows unpadded here
            List<Tensor> steps = new ArrayList<>();
            try (KVCache cache = model.newCache(2, 2)) {
                for (int i = 0; i < ids.size(1); i++) steps.add(model.forward(ids.narrow(1, i, 1), null, null, cache));
            }
            return Torch.cat(steps, 1);
        };
        double[] on = with(true, run), off = with(false, run);
        assertClose(on, off, GPT2ParityTest.ATOL, "batched decode");
        double[] full = with(false, () -> model.forward(matrix(EXPECTED.get("input_ids"))));
        assertClose(on, full, 1e-5, "batched decode with kernels vs full recompute without");
    }

    @Test
    void greedyContinuationIsTheSameWithKernelsOnAndOff() {
        long[] ids0 = longs(EXPECTED.get("input_ids").get(0));
        GenerationConfig greedy = new GenerationConfig().maxNewTokens(12);
        boolean old = FusedKernels.setEnabled(true);
        try (Scope s = Torch.scope()) {
            long[] on = model.generate(row(ids0), greedy).toLongArray();
            FusedKernels.setEnabled(false);
            long[] off = model.generate(row(ids0), greedy).toLongArray();
            assertArrayEquals(longs(EXPECTED.get("greedy_row0")), on, "kernels on");
            assertArrayEquals(on, off, "kernels off");
        } finally {
            FusedKernels.setEnabled(old);
        }
    }

    @Test
    void unpaddedPromptRunsTheFusedAttentionAndMatchesReference() {
        // No mask: the prompt's causal attention runs Kernels.attention when on.
        long[] ids0 = longs(EXPECTED.get("input_ids").get(0));
        Supplier<Tensor> run = () -> model.forward(row(ids0));
        double[] on = with(true, run), off = with(false, run);
        GPT2ParityTest.assertLogits(on, 1, GPT2ParityTest.t, 0, 0, "prompt, kernels on");
        assertClose(on, off, 1e-5, "prompt");
    }

    @Test
    void forwardLastIsTheLastPositionOfForward() {
        Supplier<Tensor> full = () -> {
            Tensor logits = model.forward(matrix(EXPECTED.get("input_ids")), matrix(EXPECTED.get("attention_mask")));
            return logits.select(1, logits.size(1) - 1);
        };
        Supplier<Tensor> last = () -> model.forwardLast(matrix(EXPECTED.get("input_ids")), matrix(EXPECTED.get("attention_mask")), null, null);
        for (boolean on : new boolean[] {true, false}) assertClose(with(on, last), with(on, full), 1e-5, "forwardLast, kernels " + on);
    }

    @Test
    void gradModeKeepsTheComposite() {
        // With grad recorded and parameters requiring grad, the kernels must step aside: backward works.
        boolean old = FusedKernels.setEnabled(true);
        try (Scope s = Torch.scope()) {
            Tensor logits = model.forward(row(longs(EXPECTED.get("input_ids").get(0))));
            assertTrue(logits.requiresGrad(), "logits must carry a graph");
            logits.sum().backward();
            assertTrue(model.transformer().namedParameters().get("h.0.mlp.c_fc.bias").grad() != null, "c_fc.bias got no gradient");
            model.zeroGrad();
        } finally {
            FusedKernels.setEnabled(old);
        }
    }
}
