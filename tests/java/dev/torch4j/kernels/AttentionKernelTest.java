package dev.torch4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The fused encoder/prompt attention kernel against LibTorch's scaled-dot-product attention. */
class AttentionKernelTest {
    @ParameterizedTest
    @CsvSource({"1,1,1,1,1,false,false", "2,3,5,5,16,false,true", "2,12,17,17,32,false,true", "1,2,4,9,33,true,false",
            "3,2,13,13,64,true,false", "1,1,7,70,65,false,true", "2,2,3,130,130,false,true"})
    void matchesScaledDotProductAttentionOnHeadViews(long b, long h, long t, long s, long d, boolean causal, boolean masked) {
        try (Scope sc = Torch.scope()) {
            Torch.manualSeed(b * 100 + t * 10 + d);
            // q as head views of a fused [B, T, 3 * H * D] projection (strided, not contiguous); k, v as [B, S, H, D] views.
            Tensor qkv = Torch.randn(b, t, 3 * h * d);
            Tensor q = qkv.narrow(2, 0, h * d).view(b, t, h, d).transpose(1, 2);
            Tensor k = Torch.randn(b, s, h, d).transpose(1, 2);
            Tensor v = Torch.randn(b, s, h, d).transpose(1, 2);
            Tensor mask = null;
            if (masked) {
                // Every row keeps key 0, so no row is fully masked (there LibTorch gives NaN and the kernel zeros).
                mask = Torch.rand(b, s).gt(0.3);
                mask.narrow(1, 0, 1).fill_(1);
            }
            double scale = 1.0 / Math.sqrt(d);
            Tensor ref = F.scaledDotProductAttention(q, k, v, mask == null ? null : mask.view(b, 1, 1, s), 0.0,
                    causal && t == s ? true : false);
            if (causal && t != s) {
                // LibTorch's is_causal aligns to the top-left; the kernel's rule (j <= i + S - T) is the KV-cache one.
                Tensor allowed = Torch.ones(t, s).tril(s - t).to(DType.BOOL);
                ref = F.scaledDotProductAttention(q, k, v, allowed, 0.0, false);
            }
            Tensor got = Kernels.attention(q, k, v, mask, scale, causal);
            assertArrayEquals(new long[] {b, t, h, d}, got.shape());
            Tensor want = ref.transpose(1, 2);
            Tensor tol = v.abs().amax(new long[] {2}, true).transpose(1, 2).mul(4e-6).add(1e-5);    // (B, 1, H, D)
            Tensor err = got.sub(want).abs().sub(tol.expand(want.shape()));
            assertTrue(err.max().item() <= 0, "max excess over tolerance " + err.max().item());
        }
    }

    @Test
    void rowsThatSeeNoKeyGiveZeros() {
        try (Scope sc = Torch.scope()) {
            Tensor q = Torch.randn(2, 1, 3, 4), k = Torch.randn(2, 1, 5, 4), v = Torch.randn(2, 1, 5, 4);
            Tensor mask = Torch.tensor(new long[] {1, 1, 0, 1, 0, 0, 0, 0, 0, 0}, 2, 5).to(DType.BOOL);
            Tensor out = Kernels.attention(q, k, v, mask, 0.5, false);
            assertTrue(out.select(0, 1).abs().max().item() == 0);
            assertTrue(out.select(0, 0).abs().max().item() > 0);
        }
    }

    @Test
    void badInputFailsWithClearJavaExceptions() {
        try (Scope sc = Torch.scope()) {
            Tensor q = Torch.randn(1, 2, 3, 4), k = Torch.randn(1, 2, 5, 4), v = Torch.randn(1, 2, 5, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Kernels.attention(q, Torch.randn(1, 2, 5, 3), v, null, 1, false));
            assertTrue(e.getMessage().contains("k: expected shape [1, 2, S, 4]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.attention(q, k, Torch.randn(1, 2, 4, 4), null, 1, false));
            assertTrue(e.getMessage().contains("v: expected shape"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.attention(q, k, v, Torch.ones(1, 4).to(DType.BOOL), 1, false));
            assertTrue(e.getMessage().contains("keyMask: expected shape [1, 5]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.attention(q, k, v, Torch.ones(1, 5), 1, false));
            assertTrue(e.getMessage().contains("keyMask: expected dtype torch.bool or torch.uint8"), e.getMessage());
            Tensor qt = Torch.randn(1, 2, 4, 3).transpose(2, 3);                             // [1, 2, 3, 4], last stride 3
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.attention(qt, k, v, null, 1, false));
            assertTrue(e.getMessage().contains("q: expected a contiguous last dimension"), e.getMessage());
            Tensor kt = Torch.randn(1, 2, 4, 5).transpose(2, 3);                             // [1, 2, 5, 4], last stride 5
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.attention(q, kt, v, null, 1, false));
            assertTrue(e.getMessage().contains("k: expected a contiguous last dimension"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.attention(q, k, v, null, Double.NaN, false));
            assertTrue(e.getMessage().contains("scale"), e.getMessage());
            Tensor qg = Torch.randn(1, 2, 3, 4).requiresGrad_();
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.attention(qg, k, v, null, 1, false));
            assertTrue(e.getMessage().contains("q: attention has no autograd graph"), e.getMessage());
            Tensor closed = Torch.randn(1, 2, 5, 4);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Kernels.attention(q, k, closed, null, 1, false));
        }
    }
}
