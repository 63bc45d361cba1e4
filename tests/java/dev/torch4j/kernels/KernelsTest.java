package dev.torch4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import dev.torch4j.DType;
import dev.torch4j.Fixtures;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our tanh-GELU kernel against LibTorch's {@code gelu(approximate="tanh")} on the same memory. */
class KernelsTest {
    private static final double RTOL = 1.3e-6, ATOL = 1e-5;

    static Stream<long[]> shapes() {
        return Stream.of(new long[] {1}, new long[] {7}, new long[] {15}, new long[] {16}, new long[] {17},
                new long[] {33}, new long[] {3, 5}, new long[] {4, 16}, new long[] {2, 3, 67}, new long[] {1000},
                new long[] {4097}, new long[] {64, 768});
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void geluTanhMatchesLibTorch(long[] shape) {
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(shape.length * 1000L + shape[shape.length - 1]);
            Tensor x = Torch.randn(shape).mul(4);
            Fixtures.assertClose(x.gelu("tanh"), Kernels.geluTanh(x), RTOL, ATOL, "geluTanh " + java.util.Arrays.toString(shape));
        }
    }

    @Test
    void extremeValuesStayFinite() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.tensor(new float[] {-1e30f, -100, -20, -0f, 0, 1e-30f, 20, 100, 1e30f});
            Tensor y = Kernels.geluTanh(x);
            assertEquals(0.0, y.isnan().logicalOr(y.isinf()).sum().item());
            Fixtures.assertClose(x.gelu("tanh"), y, RTOL, ATOL, "extremes");
        }
    }

    @Test
    void nonContiguousInputIsHandled() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.randn(8, 5).t();
            Tensor y = Kernels.geluTanh(x);
            assertTrue(y.isContiguous());
            Fixtures.assertClose(x.gelu("tanh"), y, RTOL, ATOL, "transposed input");
        }
    }

    @Test
    void inPlaceVariantWritesIntoItsInput() {
        try (Scope s = Torch.scope()) {
            Tensor x = Torch.randn(100);
            Tensor expected = x.gelu("tanh");
            assertSame(x, Kernels.geluTanh_(x));
            Fixtures.assertClose(expected, x, RTOL, ATOL, "in place");
        }
    }

    @Test
    void emptyTensorIsANoOp() {
        try (Scope s = Torch.scope()) {
            assertEquals(0, Kernels.geluTanh(Torch.zeros(0)).numel());
        }
    }

    @Test
    void invalidInputsAreRejectedBeforeNativeCode() {
        try (Scope s = Torch.scope()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Kernels.geluTanh(Torch.ones(new long[] {3}, DType.FLOAT64)));
            assertTrue(e.getMessage().contains("expected dtype torch.float32, got torch.float64"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Kernels.geluTanh(Torch.ones(3).requiresGrad_()));
            assertThrows(IllegalArgumentException.class, () -> Kernels.geluTanh_(Torch.ones(3, 2).t()));
            Tensor closed = Torch.ones(2);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Kernels.geluTanh(closed));
            assertThrows(NullPointerException.class, () -> Kernels.geluTanh(null));
        }
    }

    @Test
    void reportsItsBuild() {
        assertTrue(Stream.of("avx512_vnni", "avx512", "avx2", "scalar").anyMatch(Kernels.cpuIsa()::equals), Kernels.cpuIsa());
        if (!Torch.cudaIsAvailable()) {
            try (Scope s = Torch.scope()) {
                // Without a GPU the CUDA path is never reached: tensors cannot be moved to CUDA.
                assertThrows(IllegalArgumentException.class, () -> Torch.ones(2).to(dev.torch4j.Device.cuda(0)));
            }
        }
    }
}
