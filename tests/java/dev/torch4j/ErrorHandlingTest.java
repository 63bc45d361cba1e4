package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Misuse gets a clear Java exception, never a crash, and the library keeps working afterwards. */
class ErrorHandlingTest {

    private record Misuse(String name, Class<? extends Throwable> expected, String messagePart, Consumer<Scope> action) {}

    private static Misuse m(String name, Class<? extends Throwable> ex, String part, Consumer<Scope> action) {
        return new Misuse(name, ex, part, action);
    }

    private static final List<Misuse> CASES = List.of(
            m("broadcast mismatch", TorchException.class, "must match the size", s -> Torch.ones(3).add(Torch.ones(4))),
            m("matmul inner mismatch", TorchException.class, "cannot be multiplied", s -> Torch.ones(2, 3).matmul(Torch.ones(2, 3))),
            m("bmm rank", TorchException.class, "3D", s -> Torch.ones(2, 3).bmm(Torch.ones(3, 2))),
            m("view incompatible size", TorchException.class, "invalid for input of size", s -> Torch.ones(6).view(4, 2)),
            m("view two -1", IllegalArgumentException.class, "only one dimension", s -> Torch.ones(6).view(-1, -1)),
            m("view negative", IllegalArgumentException.class, "invalid size -3", s -> Torch.ones(6).view(-3, 2)),
            m("view of non-contiguous", TorchException.class, "view size is not compatible", s -> Torch.ones(2, 3).t().view(6)),
            m("data/shape mismatch", IllegalArgumentException.class, "needs 6 elements, data has 5",
                    s -> Torch.tensor(new float[5], 2, 3)),
            m("negative shape", IllegalArgumentException.class, "non-negative", s -> Torch.zeros(2, -1)),
            m("overflowing shape", IllegalArgumentException.class, "overflows", s -> Torch.zeros(1L << 40, 1L << 40)),
            m("cuda without gpu", IllegalArgumentException.class, "CUDA is not available", s -> Torch.ones(2).to(Device.cuda(0))),
            m("negative cuda index", IllegalArgumentException.class, ">= 0", s -> Device.cuda(-1)),
            m("bad device string", IllegalArgumentException.class, "cpu, cuda or cuda:N", s -> Device.parse("tpu")),
            m("dim out of range", IllegalArgumentException.class, "out of range", s -> Torch.ones(2, 3).size(2)),
            m("sum dim out of range", TorchException.class, "out of range", s -> Torch.ones(2, 3).sum(5)),
            m("softmax dim out of range", TorchException.class, "out of range", s -> Torch.ones(2, 3).softmax(3)),
            m("select index out of range", TorchException.class, "out of range", s -> Torch.ones(2, 3).select(1, 3)),
            m("index_select with float index", TorchException.class, "int32 or int64", s -> Torch.ones(3).indexSelect(0, Torch.ones(1))),
            m("gather index out of range", TorchException.class, "out of bounds", s -> Torch.ones(2, 2).gather(1, Torch.tensor(new long[] {5, 0}, 2, 1))),
            m("masked_fill with float mask", IllegalArgumentException.class, "expected dtype bool", s -> Torch.ones(2).maskedFill(Torch.ones(2), 0)),
            m("where with int condition", IllegalArgumentException.class, "bool", s -> Torch.ones(2).where(Torch.arange(2), Torch.ones(2))),
            m("cat empty list", IllegalArgumentException.class, "non-empty", s -> Torch.cat(List.of(), 0)),
            m("cat shape mismatch", TorchException.class, "Sizes of tensors must match", s -> Torch.cat(List.of(Torch.ones(2, 3), Torch.ones(2, 4)), 0)),
            m("stack shape mismatch", TorchException.class, "stack expects each tensor to be equal size", s -> Torch.stack(List.of(Torch.ones(2), Torch.ones(3)), 0)),
            m("item of many elements", IllegalStateException.class, "one element", s -> Torch.ones(3).item()),
            m("backward of non-scalar", IllegalStateException.class, "scalar outputs", s -> Torch.ones(3).requiresGrad_().mul(2).backward()),
            m("backward without grad", TorchException.class, "does not require grad", s -> Torch.ones(1).sum().backward()),
            m("requires grad on ints", IllegalArgumentException.class, "floating point", s -> Torch.arange(3).requiresGrad_()),
            m("in-place on leaf requiring grad", TorchException.class, "leaf Variable that requires grad", s -> Torch.ones(2).requiresGrad_().add_(1.0)),
            m("split size zero", IllegalArgumentException.class, "splitSize must be > 0", s -> Torch.ones(4).split(0, 0)),
            m("chunk zero", IllegalArgumentException.class, "chunks must be > 0", s -> Torch.ones(4).chunk(0, 0)),
            m("slice step zero", IllegalArgumentException.class, "step must be > 0", s -> Torch.ones(4).slice(0, 0, 4, 0)),
            m("clamp min > max", IllegalArgumentException.class, "min (1.0) must be <= max (0.0)", s -> Torch.ones(2).clamp(1, 0)),
            m("topk negative k", IllegalArgumentException.class, "k must be >= 0", s -> Torch.ones(4).topk(-1, 0, true)),
            m("topk k too big", TorchException.class, "out of range", s -> Torch.ones(4).topk(5, 0, true)),
            m("randint low >= high", IllegalArgumentException.class, "low < high", s -> Torch.randint(3, 3, 2)),
            m("rand of int dtype", IllegalArgumentException.class, "floating point", s -> Torch.rand(new long[] {2}, DType.INT64)),
            m("arange zero step", IllegalArgumentException.class, "non-zero", s -> Torch.arange(0, 5, 0)),
            m("linspace negative steps", IllegalArgumentException.class, "steps must be >= 0", s -> Torch.linspace(0, 1, -1)),
            m("eye negative", IllegalArgumentException.class, ">= 0", s -> Torch.eye(-1)),
            m("setNumThreads zero", IllegalArgumentException.class, "n >= 1", s -> Torch.setNumThreads(0)),
            m("gelu bad approximate", IllegalArgumentException.class, "\"none\" or \"tanh\"", s -> Torch.ones(2).gelu("fast")),
            m("index spec too many", IllegalArgumentException.class, "too many indices", s -> Torch.ones(2, 2).index("0, 0, 0")),
            m("index spec bad token", IllegalArgumentException.class, "is not an integer", s -> Torch.ones(2).index("a")),
            m("index spec two ellipses", IllegalArgumentException.class, "single ellipsis", s -> Torch.ones(2).index("..., ...")),
            m("index spec out of bounds", IllegalArgumentException.class, "out of bounds", s -> Torch.ones(2, 3).index("2")),
            m("index spec negative step", IllegalArgumentException.class, "step must be positive", s -> Torch.ones(4).index("::-1")),
            m("index with float tensor", IllegalArgumentException.class, "bool or integer", s -> Torch.ones(4).index(Torch.ones(1))),
            m("long index out of range", TorchException.class, "out of bounds", s -> Torch.ones(4).index(Torch.tensor(new long[] {9}))),
            m("bool mask shape mismatch", TorchException.class, "shape of the mask", s -> Torch.ones(4).index(Torch.tensor(new boolean[] {true, false}))),
            m("buffer dtype mismatch", IllegalArgumentException.class, "holds torch.float32", s -> Torch.fromBuffer(java.nio.FloatBuffer.allocate(2), DType.INT64)),
            m("byte buffer not a multiple", IllegalArgumentException.class, "not a multiple of 4", s -> Torch.fromBuffer(java.nio.ByteBuffer.allocate(5), DType.FLOAT32)),
            m("null argument", NullPointerException.class, "other must not be null", s -> Torch.ones(2).add((Tensor) null)),
            m("autograd.grad input without grad", IllegalArgumentException.class, "does not require grad",
                    s -> Torch.autograd.grad(Torch.ones(1).requiresGrad_().sum(), List.of(Torch.ones(1)))),
            m("adopt undefined", IllegalArgumentException.class, "defined tensor", s -> Tensor.adopt(new org.bytedeco.pytorch.Tensor())),
            m("dot of different dtypes", TorchException.class, "dtype", s -> Torch.ones(2).dot(Torch.ones(new long[] {2}, DType.FLOAT64))));

    @Test
    void atLeastFiftyMisuseCases() {
        assertTrue(CASES.size() >= 50, "misuse table has " + CASES.size() + " cases");
    }

    @TestFactory
    Stream<DynamicTest> misuseGetsAClearExceptionAndTheNextOpWorks() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            try (Scope s = Torch.scope()) {
                Throwable e = assertThrows(c.expected(), () -> c.action().accept(s));
                assertEquals(c.expected(), e.getClass(), c.name() + ": " + e);
                assertTrue(e.getMessage() != null && e.getMessage().contains(c.messagePart()),
                        c.name() + ": message should mention '" + c.messagePart() + "' but was: " + e.getMessage());
                assertFalse(e.getMessage().contains("Exception raised from"), "C++ backtrace leaked: " + e.getMessage());
                assertFalse(e.getMessage().contains("frame #"), "C++ frames leaked: " + e.getMessage());
                assertEquals(3.0, Torch.ones(3).sum().item(), "library still works after " + c.name());
            }
        }));
    }

    @Test
    void torchExceptionKeepsTheNativeMessageText() {
        TorchException e = assertThrows(TorchException.class, () -> Torch.ones(3).add(Torch.ones(4)));
        assertEquals("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0", e.getMessage());
    }

    @Test
    void cleanMessageStripsBacktraces() {
        String raw = "boom\nException raised from f at x.cpp:1 (most recent call first):\nframe #0: g()";
        assertEquals("boom", Native.cleanMessage(raw));
        assertEquals("plain", Native.cleanMessage("plain"));
    }
}
