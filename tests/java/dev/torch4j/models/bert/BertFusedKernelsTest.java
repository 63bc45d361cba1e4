package dev.torch4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.kernels.FusedKernels;

/**
 * BERT's inference path (no-grad) with the fused kernels (bias + exact GELU, residual + LayerNorm) on and off: both
 * match the PyTorch reference of tests/fixtures/bert_tiny within 1e-4, and each other within 1e-4.
 */
class BertFusedKernelsTest {
    private static final JsonNode E = BertFixtures.expected();

    private static float[][] run(BertModel model, boolean on) {
        boolean old = FusedKernels.setEnabled(on);
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor[] in = BertFixtures.inputs(E);
            BertOutput out = model.forward(in[0], in[1], in[2]);
            return new float[][] {out.lastHiddenState().toFloatArray(), out.pooledOutput().toFloatArray()};
        } finally {
            FusedKernels.setEnabled(old);
        }
    }

    @Test
    void hiddenStatesMatchReferenceWithKernelsOnAndOff() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir())) {
            float[][] on = run(model, true), off = run(model, false);
            float[] wantHidden = BertFixtures.floats(E.get("last_hidden_state")), wantPooled = BertFixtures.floats(E.get("pooler_output"));
            for (float[][] got : new float[][][] {on, off}) {
                String which = got == on ? "kernels on" : "kernels off";
                double dh = BertFixtures.maxAbsDiff(got[0], wantHidden), dp = BertFixtures.maxAbsDiff(got[1], wantPooled);
                assertTrue(dh < BertFixtures.TOL, which + ": last_hidden_state max abs diff " + dh);
                assertTrue(dp < BertFixtures.TOL, which + ": pooler_output max abs diff " + dp);
            }
            double d = BertFixtures.maxAbsDiff(on[0], off[0]);
            assertTrue(d < BertFixtures.TOL, "kernels on vs off: last_hidden_state max abs diff " + d);
        }
    }

    /**
     * The packed weight copies the kernels reuse across batches follow the weights: after an in-place change (an
     * optimizer step) and after loading a state dict, the fused path agrees with the composite on the new weights.
     */
    @Test
    void packedWeightsFollowInPlaceChangesAndLoadedStateDicts() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir())) {
            float[][] before = run(model, true);                      // packs every encoder linear
            Tensor w = model.namedParameters().get("encoder.layer.1.intermediate.dense.weight");
            try (var g = Torch.noGrad()) {
                w.mul_(1.5);
            }
            float[][] on = run(model, true), off = run(model, false);
            assertTrue(BertFixtures.maxAbsDiff(on[0], before[0]) > 1e-3, "the change must show in the output");
            double d = BertFixtures.maxAbsDiff(on[0], off[0]);
            assertTrue(d < BertFixtures.TOL, "after an in-place change, kernels on vs off: max abs diff " + d);
            try (BertModel fresh = BertModel.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope()) {
                model.loadStateDict(fresh.stateDict());
            }
            float[][] reloaded = run(model, true);
            d = BertFixtures.maxAbsDiff(reloaded[0], before[0]);
            assertTrue(d < 1e-6, "after loading the original weights back: max abs diff " + d);
        }
    }

    @Test
    void trainingModeAndGradModeKeepTheComposite() throws IOException {
        try (BertModel model = BertModel.fromPretrained(BertFixtures.dir()); Scope s = Torch.scope()) {
            Tensor[] in = BertFixtures.inputs(E);
            BertOutput out = model.forward(in[0], in[1], in[2]);
            assertTrue(out.lastHiddenState().requiresGrad(), "grad mode: the output must carry a graph");
            out.lastHiddenState().sum().backward();
            Tensor g = model.namedParameters().get("encoder.layer.0.intermediate.dense.bias").grad();
            assertTrue(g != null && g.abs().sum().item() > 0, "intermediate.dense.bias got no gradient");
            out.close();
        }
    }
}
