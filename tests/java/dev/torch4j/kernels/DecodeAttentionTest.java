package dev.torch4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kernels.decodeAttention against LibTorch's scaled dot-product attention on the valid prefix of each row. */
class DecodeAttentionTest {
    private static final double ATOL = 1e-5, RTOL = 1e-5;

    static Stream<Arguments> cases() {
        // {B, H, Tmax, D}: odd head sizes exercise the vector tails, D = 64 is GPT-2's.
        return Stream.of(new long[] {1, 1, 1, 1}, new long[] {1, 12, 9, 64}, new long[] {2, 3, 17, 7}, new long[] {3, 2, 33, 16},
                new long[] {2, 5, 64, 17}, new long[] {4, 4, 130, 64}, new long[] {1, 2, 5, 100}, new long[] {3, 1, 40, 33},
                new long[] {2, 2, 300, 48}).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesScaledDotProductAttentionOnEachRowsPrefix(long[] dims) {
        long b = dims[0], h = dims[1], tMax = dims[2], d = dims[3];
        String what = Arrays.toString(dims);
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Torch.manualSeed(tMax * 131 + d);
            Tensor q = Torch.randn(b, h, d), k = Torch.randn(b, h, tMax, d), v = Torch.randn(b, h, tMax, d);
            long[] lens = new long[(int) b];
            for (int i = 0; i < b; i++) lens[i] = Math.max(1, tMax - i * (tMax / 3 + 1));
            double scale = 1.0 / Math.sqrt(d);
            Tensor out = Kernels.decodeAttention(q, k, v, Torch.tensor(lens, b), scale);
            assertArrayEquals(new long[] {b, h, d}, out.shape(), what);
            for (int i = 0; i < b; i++) {
                long len = lens[i];
                Tensor qi = q.narrow(0, i, 1).unsqueeze(2);                                  // (1, H, 1, D)
                Tensor ki = k.narrow(0, i, 1).narrow(2, 0, len), vi = v.narrow(0, i, 1).narrow(2, 0, len);
                Tensor want = F.scaledDotProductAttention(qi, ki, vi, null, 0.0, false).view(h, d);
                Tensor got = out.select(0, i);
                Tensor tol = want.abs().mul(RTOL).add(ATOL);
                double excess = got.sub(want).abs().sub(tol).max().item();
                assertTrue(excess <= 0, what + " row " + i + " (length " + len + "): exceeds tolerance by " + excess);
            }
        }
    }

    @Test
    void emptyRowGivesZerosAndStaleSlotsAreNeverRead() {
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor q = Torch.randn(2, 3, 8);
            Tensor k = Torch.randn(2, 3, 6, 8), v = Torch.randn(2, 3, 6, 8);
            // NaN in the slots past each row's length: a kernel reading them would return NaN.
            k.narrow(2, 4, 2).fill_(Double.NaN);
            v.narrow(2, 4, 2).fill_(Double.NaN);
            Tensor out = Kernels.decodeAttention(q, k, v, Torch.tensor(new long[] {4, 0}, 2), 1.0 / Math.sqrt(8));
            assertTrue(!out.isnan().any().itemBoolean(), "a row read a slot past its length");
            assertEquals(0.0, out.select(0, 1).abs().max().item(), "an empty row gives zeros");
            Tensor want = F.scaledDotProductAttention(q.narrow(0, 0, 1).unsqueeze(2), k.narrow(0, 0, 1).narrow(2, 0, 4),
                    v.narrow(0, 0, 1).narrow(2, 0, 4), null, 0.0, false).view(3, 8);
            assertTrue(out.select(0, 0).sub(want).abs().max().item() < 1e-5);
        }
    }

    @Test
    void nonContiguousArgumentsAreCopied() {
        try (Scope s = Torch.scope(); var g = Torch.noGrad()) {
            Tensor qt = Torch.randn(4, 2, 3).transpose(0, 2);                                 // (3, 2, 4), strided
            Tensor k = Torch.randn(3, 2, 5, 4), v = Torch.randn(3, 2, 5, 4);
            Tensor lens = Torch.tensor(new long[] {5, 2, 3}, 3);
            Tensor a = Kernels.decodeAttention(qt, k, v, lens, 0.5);
            Tensor b = Kernels.decodeAttention(qt.contiguous(), k, v, lens, 0.5);
            assertEquals(0.0, a.sub(b).abs().max().item());
        }
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        try (Scope s = Torch.scope()) {
            Tensor q = Torch.randn(2, 3, 8), k = Torch.randn(2, 3, 6, 8), v = Torch.randn(2, 3, 6, 8);
            Tensor lens = Torch.tensor(new long[] {6, 1}, 2);
            assertMessage("q", () -> Kernels.decodeAttention(Torch.randn(2, 3, 1, 8), k, v, lens, 1));
            assertMessage("q", () -> Kernels.decodeAttention(q.to(DType.FLOAT64), k, v, lens, 1));
            assertMessage("kCache", () -> Kernels.decodeAttention(q, Torch.randn(2, 3, 6, 7), v, lens, 1));
            assertMessage("kCache", () -> Kernels.decodeAttention(q, Torch.randn(2, 4, 6, 8), v, lens, 1));
            assertMessage("vCache", () -> Kernels.decodeAttention(q, k, Torch.randn(2, 3, 5, 8), lens, 1));
            assertMessage("lengths", () -> Kernels.decodeAttention(q, k, v, Torch.tensor(new long[] {6}, 1), 1));
            assertMessage("lengths", () -> Kernels.decodeAttention(q, k, v, Torch.tensor(new long[] {7, 1}, 2), 1));
            assertMessage("lengths", () -> Kernels.decodeAttention(q, k, v, Torch.tensor(new long[] {-1, 1}, 2), 1));
            assertMessage("lengths", () -> Kernels.decodeAttention(q, k, v, lens.to(DType.INT32), 1));
            assertMessage("scale", () -> Kernels.decodeAttention(q, k, v, lens, Double.NaN));
            assertMessage("q", () -> Kernels.decodeAttention(q.clone().requiresGrad_(), k, v, lens, 1));
            assertThrows(NullPointerException.class, () -> Kernels.decodeAttention(q, k, v, null, 1));
            Tensor closed = Torch.randn(2, 3, 8);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Kernels.decodeAttention(closed, k, v, lens, 1));
        }
    }

    private static void assertMessage(String arg, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(arg + ":"), "message should name " + arg + ": " + e.getMessage());
    }
}
