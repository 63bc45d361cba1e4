package dev.torch4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torch4j.DType;
import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.Linear;

import org.junit.jupiter.api.Test;

/** Weights packed once for the linear kernel: same results as packing per call, staleness, ownership, bad input. */
class PackedLinearWeightTest {
    private static final Kernels.Activation[] ACTS = Kernels.Activation.values();

    @Test
    void packedGemmIsBitIdenticalToTheUnpackedCallAndGemvAgreesWithinFloat32() {
        long[][] shapes = {{5, 7, 3}, {13, 513, 33}, {100, 64, 70}, {1, 768, 301}, {3, 33, 17}, {4, 1, 1}};
        try (Scope s = Torch.scope()) {
            for (long[] sh : shapes) {
                long rows = sh[0], in = sh[1], out = sh[2];
                Torch.manualSeed(rows * 31 + in + out);
                Tensor x = Torch.randn(rows, in), w = Torch.randn(out, in).mul(0.1), b = Torch.randn(out);
                for (Kernels.WeightLayout layout : Kernels.WeightLayout.values()) {
                    Tensor src = layout == Kernels.WeightLayout.OUT_IN ? w : w.t().contiguous();
                    try (PackedLinearWeight p = PackedLinearWeight.pack(src, layout)) {
                        assertEquals(in, p.inFeatures());
                        assertEquals(out, p.outFeatures());
                        for (Kernels.Activation act : ACTS) {
                            Tensor want = Kernels.linear(x, src, b, layout, act);
                            Tensor got = Kernels.linear(x, p, b, act);
                            String what = layout + " " + act + " " + rows + " x " + in + " -> " + out;
                            if (rows > 4 || !Kernels.linearIsFast()) assertTrue(want.equal(got), what);
                            else assertTrue(got.allclose(want, 1.3e-6, 1e-5), what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aNonContiguousWeightPacksLikeItsContiguousCopy() {
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(5);
            Tensor wt = Torch.randn(40, 50).t();                      // [50, 40] view, not contiguous
            Tensor x = Torch.randn(9, 40);
            try (PackedLinearWeight a = PackedLinearWeight.pack(wt, Kernels.WeightLayout.OUT_IN);
                 PackedLinearWeight c = PackedLinearWeight.pack(wt.contiguous(), Kernels.WeightLayout.OUT_IN)) {
                assertTrue(Kernels.linear(x, a, null, Kernels.Activation.NONE).equal(Kernels.linear(x, c, null, Kernels.Activation.NONE)));
            }
        }
    }

    @Test
    void isCurrentForTracksInPlaceChangesAndIdentity() {
        try (Scope s = Torch.scope()) {
            Tensor w = Torch.randn(8, 6);
            PackedLinearWeight p = PackedLinearWeight.pack(w, Kernels.WeightLayout.OUT_IN);
            assertTrue(p.isCurrentFor(w));
            assertFalse(p.isCurrentFor(w.clone()), "another tensor with the same values is not the source");
            w.add_(1.0);
            assertFalse(p.isCurrentFor(w), "an in-place change makes the copy stale");
            PackedLinearWeight q = PackedLinearWeight.pack(w, Kernels.WeightLayout.OUT_IN);
            try (GradMode g = Torch.noGrad()) {
                w.copy_(Torch.zeros(8, 6));                          // what loadStateDict does
            }
            assertFalse(q.isCurrentFor(w));
            p.close();
            q.close();
            assertFalse(p.isCurrentFor(w));
            assertTrue(p.isClosed());
            p.close();                                               // twice is harmless
            Tensor x = Torch.randn(2, 6);
            assertThrows(IllegalStateException.class, () -> Kernels.linear(x, p, null, Kernels.Activation.NONE));
        }
    }

    @Test
    void theCopyIsOwnedByItsObjectNotByTheOpenScope() {
        PackedLinearWeight p;
        Tensor w = Torch.randn(33, 20);
        try (Scope s = Torch.scope()) {
            p = PackedLinearWeight.pack(w, Kernels.WeightLayout.OUT_IN);
        }
        try (Scope s = Torch.scope()) {
            Tensor y = Kernels.linear(Torch.randn(7, 20), p, null, Kernels.Activation.NONE);  // still open after the scope
            assertEquals(33, y.size(1));
        } finally {
            p.close();
            w.close();
        }
    }

    @Test
    void linearModuleKeepsOneCurrentCopyAndClosesReplacedOnes() {
        try (Linear l = new Linear(24, 40); Scope s = Torch.scope(); GradMode g = Torch.noGrad()) {
            PackedLinearWeight a = l.packedWeight();
            assertSame(a, l.packedWeight(), "reused while the weight is unchanged");
            Tensor x = Torch.randn(6, 24);
            assertTrue(Kernels.linear(x, a, l.bias(), Kernels.Activation.NONE).allclose(l.forward(x), 1.3e-6, 1e-5));
            l.weight().mul_(2.0);                                   // an optimizer step, say
            PackedLinearWeight b = l.packedWeight();
            assertNotSame(a, b);
            assertTrue(a.isClosed(), "the stale copy is closed when replaced");
            assertTrue(Kernels.linear(x, b, l.bias(), Kernels.Activation.NONE).allclose(l.forward(x), 1.3e-6, 1e-5),
                    "the new copy holds the changed weight");
            l.close();
            assertTrue(b.isClosed(), "closing the module closes its copy");
        }
        try (Linear d = new Linear(4, 4)) {
            PackedLinearWeight first = d.packedWeight();
            d.to(DType.FLOAT64);
            assertNull(d.packedWeight(), "only float32 weights are packed");
            assertTrue(first.isClosed(), "the float32 copy goes when the weight stops being float32");
            d.to(DType.FLOAT32);                                    // a new parameter object, maybe at the old address
            PackedLinearWeight again = d.packedWeight();
            assertTrue(again != null && again.isCurrentFor(d.weight()));
        }
    }

    @Test
    void badInputFailsWithClearJavaExceptions() {
        try (Scope s = Torch.scope()) {
            Tensor w = Torch.randn(3, 4);
            PackedLinearWeight p = PackedLinearWeight.pack(w, Kernels.WeightLayout.OUT_IN);
            var none = Kernels.Activation.NONE;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(Torch.randn(2, 3), p, null, none));
            assertTrue(e.getMessage().contains("x: expected shape [..., 4]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(Torch.randn(2, 4), p, Torch.randn(4), none));
            assertTrue(e.getMessage().contains("bias: expected shape [3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(Torch.randn(2, 4).to(DType.FLOAT64), p, null, none));
            assertTrue(e.getMessage().contains("x: expected dtype torch.float32"), e.getMessage());
            Tensor xg = Torch.randn(2, 4).requiresGrad_();
            e = assertThrows(IllegalArgumentException.class, () -> Kernels.linear(xg, p, null, none));
            assertTrue(e.getMessage().contains("linear has no autograd graph"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> PackedLinearWeight.pack(Torch.randn(3, 4, 1), Kernels.WeightLayout.OUT_IN));
            assertTrue(e.getMessage().contains("expected a 2-D tensor"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> PackedLinearWeight.pack(w.to(DType.FLOAT64), Kernels.WeightLayout.OUT_IN));
            assertTrue(e.getMessage().contains("expected dtype torch.float32"), e.getMessage());
            assertThrows(NullPointerException.class, () -> PackedLinearWeight.pack(w, null));
            assertThrows(NullPointerException.class, () -> Kernels.linear(Torch.randn(2, 4), (PackedLinearWeight) null, null, none));
            Tensor closed = Torch.randn(3, 4);
            closed.close();
            assertThrows(IllegalStateException.class, () -> PackedLinearWeight.pack(closed, Kernels.WeightLayout.OUT_IN));
            p.close();
        }
    }
}
