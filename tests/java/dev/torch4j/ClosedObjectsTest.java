package dev.torch4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.torch4j.nn.Linear;
import dev.torch4j.nn.Module;

import org.junit.jupiter.api.Test;

/** Every public method of a closed Tensor or Module throws IllegalStateException before touching native memory. */
class ClosedObjectsTest {
    private static final Set<String> ALLOWED_ON_CLOSED = Set.of("close", "isClosed", "toString", "equals", "hashCode",
            "getClass", "notify", "notifyAll", "wait");

    private static Object dummy(Class<?> type, Tensor live) {
        if (type == Tensor.class) return live;
        if (type == long.class || type == Long.class) return 1L;
        if (type == int.class || type == Integer.class) return 1;
        if (type == double.class || type == Double.class) return 0.5;
        if (type == float.class) return 0.5f;
        if (type == boolean.class) return false;
        if (type == String.class) return "none";
        if (type == long[].class) return new long[] {1};
        if (type == DType.class) return DType.FLOAT32;
        if (type == Device.class) return Device.CPU;
        if (type == List.class) return List.of(live);
        if (type == Map.class) return Map.of();
        if (type == java.nio.Buffer.class) return FloatBuffer.allocate(1);
        if (type == java.util.function.Consumer.class) return (java.util.function.Consumer<Object>) o -> {};
        if (type.isArray()) return java.lang.reflect.Array.newInstance(type.getComponentType(), 0);
        throw new IllegalStateException("no dummy for " + type);
    }

    private static List<String> callAll(Object closed, Class<?> api, Tensor live) {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Method m : api.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || ALLOWED_ON_CLOSED.contains(m.getName())) continue;
            Object[] args = new Object[m.getParameterCount()];
            Parameter[] ps = m.getParameters();
            for (int i = 0; i < args.length; i++) args[i] = dummy(ps[i].getType(), live);
            checked++;
            try {
                m.invoke(closed, args);
                wrong.add(m + " returned normally");
            } catch (InvocationTargetException e) {
                if (!(e.getCause() instanceof IllegalStateException)) wrong.add(m + " threw " + e.getCause());
            } catch (IllegalAccessException e) {
                wrong.add(m + " not accessible");
            }
        }
        assertTrue(checked >= 20, "walked only " + checked + " methods of " + api.getSimpleName());
        return wrong;
    }

    @Test
    void everyPublicTensorMethodRefusesAClosedTensor() {
        try (Tensor live = Torch.ones(1)) {
            Tensor closed = Torch.ones(1);
            closed.close();
            assertEquals(List.of(), callAll(closed, Tensor.class, live));
            assertEquals(1.0, live.item(), "the live argument was never touched");
        }
    }

    @Test
    void everyPublicModuleMethodRefusesAClosedModule() {
        try (Tensor live = Torch.ones(1, 2)) {
            Linear closed = new Linear(2, 2);
            closed.close();
            assertEquals(List.of(), callAll(closed, Linear.class, live));
            List<String> base = callAll(closed, Module.class, live);
            assertEquals(List.of(), base);
        }
    }

    @Test
    void theWalkDetectsAMethodThatIgnoresClose() {
        try (Tensor live = Torch.ones(1)) {
            // An open tensor answers normally: the walk reports it, so it can fail.
            List<String> wrong = callAll(live, Tensor.class, live);
            if (wrong.isEmpty()) fail("calls on an open tensor should have returned normally");
        }
    }
}
