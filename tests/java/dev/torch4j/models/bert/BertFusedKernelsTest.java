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
