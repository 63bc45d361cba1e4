package dev.torch4j.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * The optimizer state of one parameter: a step count and named buffers ({@code exp_avg},
 * {@code momentum_buffer}, ...), named as in PyTorch. The optimizer owns the buffers; they are created
 * outside any {@link dev.torch4j.Scope} and closed by {@link Optimizer#close()}.
 */
public final class ParamState {
    private long step;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();

    ParamState() {}

    /** Number of updates applied to this parameter (PyTorch's {@code state['step']}). */
    public long step() {
        return step;
    }

    /** Adds one to {@link #step()} and returns the new count. */
    public long incrementStep() {
        return ++step;
    }

    void step(long step) {
        this.step = step;
    }

    /** The buffer called {@code name}, or null. */
    public Tensor buffer(String name) {
        return buffers.get(name);
    }

    /** The buffer called {@code name}, created as {@code zeros_like(param)} if absent. */
    public Tensor zerosBuffer(String name, Tensor param) {
        return fullBuffer(name, param, 0.0);
    }

    /** The buffer called {@code name}, created as {@code full_like(param, value)} if absent. */
    public Tensor fullBuffer(String name, Tensor param, double value) {
        Tensor b = buffers.get(name);
        if (b == null) {
            // State outlives the caller's scope: the optimizer owns it.
            b = Scope.release(value == 0.0 ? Torch.zerosLike(param) : Torch.fullLike(param, value));
            buffers.put(name, b);
        }
        return b;
    }

    /** A new buffer called {@code name} holding a copy of {@code value} (a detached clone). */
    public Tensor copyBuffer(String name, Tensor value) {
        Tensor old = buffers.remove(name);
        if (old != null) old.close();
        Tensor b = Scope.release(Torch.emptyLike(value));
        try (var g = Torch.noGrad()) {
            b.copy_(value);
        }
        buffers.put(name, b);
        return b;
    }

    /** The buffers by name (unmodifiable view, insertion order). */
    public Map<String, Tensor> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    void close() {
        for (Tensor t : buffers.values()) t.close();
        buffers.clear();
    }
}
