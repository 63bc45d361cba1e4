package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** Ownership: scopes, close semantics and flat native memory over long loops. */
class MemoryTest {

    @Test
    void scopeClosesWhatWasCreatedInsideExceptKeptTensors() {
        Tensor kept;
        Tensor temp;
        try (Scope s = Torch.scope()) {
            temp = Torch.ones(3);
            kept = s.keep(temp.mul(2));
            assertEquals(1, s.size());
        }
        assertTrue(temp.isClosed());
        assertFalse(kept.isClosed());
        assertEquals(6.0, kept.sum().item());
        kept.close();
    }

    @Test
    void tensorsCreatedOutsideAScopeAreNotClosedByIt() {
        Tensor outside = Torch.ones(2);
        try (Scope s = Torch.scope()) {
            Tensor inside = outside.add(1);
            assertEquals(1, s.size());
            assertFalse(inside.isClosed());
        }
        assertFalse(outside.isClosed());
        outside.close();
    }

    @Test
    void keptTensorMovesToTheEnclosingScope() {
        Tensor t;
        try (Scope outer = Torch.scope()) {
            try (Scope inner = Torch.scope()) {
                t = inner.keep(Torch.zeros(2));
            }
            assertFalse(t.isClosed());
            assertEquals(1, outer.size());
        }
        assertTrue(t.isClosed());
    }

    @Test
    void keepOfAForeignTensorIsRejected() {
        try (Tensor foreign = Torch.ones(1); Scope s = Torch.scope()) {
            assertThrows(IllegalArgumentException.class, () -> s.keep(foreign));
        }
    }

    @Test
    void closingTheOuterScopeClosesInnerScopesLeftOpen() {
        Tensor t;
        Scope outer = Torch.scope();
        Scope inner = Torch.scope();
        t = Torch.ones(1);
        outer.close();
        assertTrue(t.isClosed());
        inner.close();
        try (Tensor after = Torch.ones(1)) {
            assertEquals(1.0, after.item());
        }
        assertEquals(null, Scope.current());
    }

    @Test
    void scopeIsClosedWhenAnExceptionLeavesIt() {
        AtomicReference<Tensor> made = new AtomicReference<>();
        assertThrows(TorchException.class, () -> {
            try (Scope s = Torch.scope()) {
                made.set(Torch.ones(2));
                made.get().matmul(Torch.ones(3));
            }
        });
        assertTrue(made.get().isClosed());
    }

    @Test
    void closeTwiceIsHarmlessAndUseAfterCloseThrowsBeforeNativeCode() {
        Tensor t = Torch.ones(2, 2);
        t.close();
        t.close();
        assertThrows(IllegalStateException.class, t::shape);
        assertThrows(IllegalStateException.class, () -> t.add(1.0));
        assertThrows(IllegalStateException.class, t::toFloatArray);
        assertThrows(IllegalStateException.class, t::backward);
        assertThrows(IllegalStateException.class, () -> t.matmul(t));
        try (Tensor ok = Torch.ones(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ok.add(t));
            assertTrue(e.getMessage().contains("other"), e.getMessage());
        }
        assertEquals("tensor(<closed>)", t.toString());
    }

    @Test
    void viewsOutliveTheirBase() {
        Tensor base = Torch.arange(6).reshape(2, 3);
        Tensor row = base.select(0, 1);
        base.close();
        assertEquals(java.util.Arrays.toString(new long[] {3, 4, 5}), java.util.Arrays.toString(row.toLongArray()));
        row.close();
    }

    @Test
    void scopeRefusesUseFromAnotherThread() throws Exception {
        try (Scope s = Torch.scope()) {
            AtomicReference<Throwable> err = new AtomicReference<>();
            Thread th = new Thread(() -> {
                try {
                    s.close();
                } catch (Throwable e) {
                    err.set(e);
                }
            });
            th.start();
            th.join();
            assertTrue(err.get() instanceof IllegalStateException);
        }
    }

    @Test
    void scopesArePerThread() throws Exception {
        try (Scope s = Torch.scope()) {
            AtomicReference<Tensor> fromOther = new AtomicReference<>();
            Thread th = new Thread(() -> fromOther.set(Torch.ones(1)));
            th.start();
            th.join();
            assertEquals(0, s.size());
            assertFalse(fromOther.get().isClosed());
            fromOther.get().close();
        }
    }

    @Test
    void adoptTakesOwnership() {
        Tensor t;
        try (Scope s = Torch.scope()) {
            t = Tensor.adopt(org.bytedeco.pytorch.global.torch.ones(2));
            assertSame(t, s.keep(t));
        }
        assertEquals(2.0, t.sum().item());
        t.close();
    }

    /**
     * Resident memory after a GC. It fluctuates by tens of MiB (allocator arenas, heap sizing), so leak
     * checks compare the lowest reading of later rounds with the lowest of the warm-up rounds: a leak
     * raises every later reading, noise does not.
     */
    private static long settledRss() {
        System.gc();
        return Pointer.physicalBytes();
    }

    private static long growthOverRounds(Runnable round, int warmupRounds, int rounds) {
        long base = Long.MAX_VALUE;
        for (int i = 0; i < warmupRounds; i++) {
            round.run();
            base = Math.min(base, settledRss());
        }
        long tail = Long.MAX_VALUE;
        for (int i = 0; i < rounds; i++) {
            round.run();
            if (i >= rounds / 2) tail = Math.min(tail, settledRss());
        }
        return tail - base;
    }

    /** 200k scoped iterations of allocating ops keep the process's resident memory flat. */
    @Test
    void nativeMemoryStaysFlatOverLongScopedLoops() {
        try (Tensor a = Torch.randn(16, 16); Tensor b = Torch.randn(16, 16)) {
            long growth = growthOverRounds(() -> {
                for (int i = 0; i < 50_000; i++) {
                    try (Scope s = Torch.scope()) {
                        a.add(b).mul(0.5).sum().item();
                    }
                }
            }, 2, 4);
            assertTrue(growth < 32L << 20, "RSS grew by " + (growth >> 20) + " MiB over 200k scoped iterations");
        }
    }

    /** Closing without scopes frees memory too (no reliance on the GC: tests run with nopointergc). */
    @Test
    void nativeMemoryStaysFlatWithExplicitClose() {
        assertEquals("true", System.getProperty("org.bytedeco.javacpp.nopointergc"), "tests run without GC deallocation");
        try (Tensor a = Torch.randn(64, 64)) {
            long growth = growthOverRounds(() -> {
                for (int i = 0; i < 10_000; i++) {
                    try (Tensor c = a.matmul(a); Tensor d = c.relu()) {
                        d.numel();
                    }
                }
            }, 2, 4);
            assertTrue(growth < 32L << 20, "RSS grew by " + (growth >> 20) + " MiB");
        }
    }

    @Test
    void theLeakCheckCanFail() {
        // Each round leaks 500 x 64 KiB = 32 MiB; the check used above must see it.
        java.util.List<Tensor> leaked = new java.util.ArrayList<>();
        long growth = growthOverRounds(() -> {
            for (int i = 0; i < 500; i++) leaked.add(Torch.ones(16384));
        }, 2, 4);
        leaked.forEach(Tensor::close);
        assertTrue(growth >= 32L << 20, "leaking 32 MiB a round should show, saw " + (growth >> 20) + " MiB");
    }
}
