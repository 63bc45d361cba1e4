package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

import org.junit.jupiter.api.Test;

/** Tensors from Java arrays and NIO buffers and back, metadata and conversions. */
class CreationTest {

    @Test
    void floatArrayRoundTripWithShape() {
        try (Tensor t = Torch.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertArrayEquals(new long[] {3, 1}, t.strides());
            assertEquals(2, t.dim());
            assertEquals(6, t.numel());
            assertEquals(DType.FLOAT32, t.dtype());
            assertEquals(Device.CPU, t.device());
            assertEquals(24, t.nbytes());
            assertEquals(3, t.size(-1));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
        }
    }

    @Test
    void everyArrayTypeRoundTrips() {
        try (Scope s = Torch.scope()) {
            assertArrayEquals(new double[] {1.5, -2}, Torch.tensor(new double[] {1.5, -2}).toDoubleArray());
            assertEquals(DType.FLOAT64, Torch.tensor(new double[] {1}).dtype());
            assertArrayEquals(new long[] {Long.MAX_VALUE, -1}, Torch.tensor(new long[] {Long.MAX_VALUE, -1}).toLongArray());
            assertEquals(DType.INT64, Torch.tensor(new long[] {1}).dtype());
            assertArrayEquals(new int[] {7, -8}, Torch.tensor(new int[] {7, -8}).toIntArray());
            assertEquals(DType.INT32, Torch.tensor(new int[] {1}).dtype());
            assertArrayEquals(new boolean[] {true, false, true}, Torch.tensor(new boolean[] {true, false, true}).toBooleanArray());
            assertEquals(DType.BOOL, Torch.tensor(new boolean[] {true}).dtype());
        }
    }

    @Test
    void emptyTensorsGiveEmptyArrays() {
        try (Scope s = Torch.scope()) {
            Tensor e = Torch.zeros(0);
            assertEquals(0, e.toFloatArray().length);
            assertEquals(0, e.toDoubleArray().length);
            assertEquals(0, e.toLongArray().length);
            assertEquals(0, e.toIntArray().length);
            assertEquals(0, e.toBooleanArray().length);
            assertEquals(0, e.toByteBuffer().remaining());
            assertEquals(0, Torch.tensor(new float[0]).numel());
        }
    }

    @Test
    void conversionsBetweenDtypes() {
        try (Scope s = Torch.scope()) {
            Tensor f = Torch.tensor(new float[] {1.7f, -2.7f});
            assertArrayEquals(new long[] {1, -2}, f.toLongArray(), "truncation toward zero as in PyTorch");
            assertArrayEquals(new long[] {1, -2}, f.to(DType.INT64).toLongArray());
            for (DType d : DType.values()) assertEquals(d, f.to(d).dtype());
            assertEquals(1.703125, f.to(DType.BFLOAT16).toDoubleArray()[0]);
            assertEquals(1.7001953125, f.to(DType.FLOAT16).toDoubleArray()[0]);
            assertEquals(DType.FLOAT64, f.typeAs(Torch.zeros(new long[] {1}, DType.FLOAT64)).dtype());
        }
    }

    @Test
    void scalarsAndItems() {
        try (Scope s = Torch.scope()) {
            Tensor t = Torch.scalarTensor(2.5);
            assertEquals(0, t.dim());
            assertEquals(2.5, t.item());
            assertEquals(2, t.itemLong());
            assertTrue(t.itemBoolean());
            assertEquals(Long.MAX_VALUE, Torch.tensor(new long[] {Long.MAX_VALUE}).itemLong(), "itemLong is exact");
            assertEquals("tensor(2.5000)", t.toString());
        }
    }

    @Test
    void nioBuffersRoundTrip() {
        try (Scope s = Torch.scope()) {
            FloatBuffer fb = FloatBuffer.wrap(new float[] {9, 1, 2, 3, 4});
            fb.position(1);
            Tensor f = Torch.fromBuffer(fb, DType.FLOAT32, 2, 2);
            assertArrayEquals(new float[] {1, 2, 3, 4}, f.toFloatArray());
            assertEquals(1, fb.position(), "the buffer's position is left alone");
            assertArrayEquals(new double[] {1, 2}, Torch.fromBuffer(DoubleBuffer.wrap(new double[] {1, 2}), DType.FLOAT64).toDoubleArray());
            assertArrayEquals(new int[] {5, 6}, Torch.fromBuffer(IntBuffer.wrap(new int[] {5, 6}), DType.INT32).toIntArray());
            assertArrayEquals(new long[] {5, 6}, Torch.fromBuffer(LongBuffer.wrap(new long[] {5, 6}), DType.INT64).toLongArray());

            ByteBuffer big = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
            big.putFloat(1.5f).putFloat(-3f).flip();
            assertArrayEquals(new float[] {1.5f, -3f}, Torch.fromBuffer(big, DType.FLOAT32).toFloatArray(), "byte order honoured");

            ByteBuffer out = f.toByteBuffer();
            assertEquals(16, out.remaining());
            assertEquals(ByteOrder.nativeOrder(), out.order());
            assertEquals(3f, out.getFloat(8));
            Tensor back = Torch.fromBuffer(out, DType.FLOAT32, 2, 2);
            assertTrue(back.equal(f));
        }
    }

    @Test
    void factories() {
        try (Scope s = Torch.scope()) {
            assertArrayEquals(new float[] {0, 0}, Torch.zeros(2).toFloatArray());
            assertArrayEquals(new float[] {1, 1}, Torch.ones(2).toFloatArray());
            assertArrayEquals(new long[] {2, 2}, Torch.full(new long[] {2}, 2, DType.INT64).toLongArray());
            assertArrayEquals(new long[] {3, 4}, Torch.empty(3, 4).shape());
            assertEquals(DType.INT32, Torch.zeros(new long[] {1}, DType.INT32).dtype());
            Tensor r = Torch.rand(1000);
            assertTrue(r.min().item() >= 0 && r.max().item() < 1);
            Tensor n = Torch.randn(10000);
            assertEquals(0, n.mean().item(), 0.05);
            assertEquals(1, n.std().item(), 0.05);
            Tensor ri = Torch.randint(-3, 3, 500);
            assertTrue(ri.min().item() >= -3 && ri.max().item() <= 2);
            assertArrayEquals(new long[] {0, 1, 2, 3, 4}, Torch.randperm(5).sort(0, false).values().toLongArray());
            Tensor like = Torch.onesLike(Torch.zeros(new long[] {2, 2}, DType.FLOAT64));
            assertEquals(DType.FLOAT64, like.dtype());
            assertArrayEquals(new long[] {2, 2}, Torch.zerosLike(like).shape());
            assertArrayEquals(new double[] {7, 7}, Torch.fullLike(Torch.zeros(2), 7).toDoubleArray());
            assertArrayEquals(new long[] {3}, Torch.randnLike(Torch.zeros(3)).shape());
            assertArrayEquals(new long[] {3}, Torch.randLike(Torch.zeros(3)).shape());
            assertArrayEquals(new long[] {3}, Torch.emptyLike(Torch.zeros(3)).shape());
            assertArrayEquals(new float[] {1, 0, 0, 1}, Torch.eye(2).toFloatArray());
        }
    }

    @Test
    void manualSeedMakesRandomnessRepeatable() {
        try (Scope s = Torch.scope()) {
            Torch.manualSeed(42);
            Tensor a = Torch.randn(5);
            Torch.manualSeed(42);
            assertTrue(a.equal(Torch.randn(5)));
            assertFalse(a.equal(Torch.randn(5)));
        }
    }

    @Test
    void threadsAndDevices() {
        int before = Torch.getNumThreads();
        Torch.setNumThreads(1);
        assertEquals(1, Torch.getNumThreads());
        Torch.setNumThreads(before);
        assertEquals(Device.cuda(1), Device.parse("cuda:1"));
        assertEquals(Device.cuda(0), Device.parse("CUDA"));
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals("cuda:2", Device.cuda(2).toString());
        assertEquals(Torch.cudaIsAvailable() ? Device.cuda(0) : Device.CPU, Torch.defaultDevice());
        if (!Torch.cudaIsAvailable()) assertEquals(0, Torch.cudaDeviceCount());
        try (Tensor t = Torch.ones(2); Tensor c = t.to(Device.CPU); Tensor c2 = t.cpu()) {
            assertEquals(Device.CPU, c.device());
            assertTrue(c2.equal(t));
        }
    }

    @Test
    void outVariantsWriteIntoTheirTarget() {
        try (Scope s = Torch.scope()) {
            Tensor a = Torch.tensor(new float[] {1, 2}), b = Torch.tensor(new float[] {3, 4});
            Tensor out = Torch.empty(2);
            assertTrue(Torch.addOut(out, a, b) == out);
            assertArrayEquals(new float[] {4, 6}, out.toFloatArray());
            Torch.mulOut(out, a, b);
            assertArrayEquals(new float[] {3, 8}, out.toFloatArray());
            Torch.subOut(out, a, b);
            assertArrayEquals(new float[] {-2, -2}, out.toFloatArray());
            Torch.divOut(out, b, a);
            assertArrayEquals(new float[] {3, 2}, out.toFloatArray());
            Tensor m = Torch.empty(1, 1);
            Torch.matmulOut(m, a.unsqueeze(0), b.unsqueeze(1));
            assertArrayEquals(new float[] {11}, m.toFloatArray());
            int before = s.size();
            for (int i = 0; i < 100; i++) Torch.addOut(out, a, b);
            assertEquals(before, s.size(), "out variants allocate no tensors");
        }
    }

    @Test
    void readmeExampleRuns() {
        try (Scope scope = Torch.scope()) {
            Tensor w = Torch.randn(3, 2).requiresGrad_();
            Tensor loss = Torch.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).matmul(w).tanh().sum();
            loss.backward();
            assertArrayEquals(new long[] {3, 2}, w.grad().shape());
            assertTrue(w.grad().toString().startsWith("tensor([["));
        }
    }
}
