package dev.torch4j.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.Tensor;

/**
 * A snapshot of an optimizer's state, split for storage: {@link #tensors()} fits a safetensors file and
 * {@link #hyper()} a JSON file.
 *
 * <ul>
 *   <li>{@code tensors}: {@code "state.<i>.<name>"} to a tensor, where {@code i} numbers the parameters
 *       across all groups in order (as PyTorch's {@code state_dict()} does) and {@code name} is the
 *       PyTorch buffer name ({@code exp_avg}, {@code exp_avg_sq}, {@code max_exp_avg_sq},
 *       {@code momentum_buffer}, {@code square_avg}, {@code grad_avg}, {@code sum}).</li>
 *   <li>{@code hyper}: {@code "param_groups"} to a list of maps (the group's options as in
 *       {@link OptimizerOptions#toMap()}, {@code "initial_lr"} when a scheduler set one, and
 *       {@code "params"}: the indices of its parameters), and {@code "state"} to a map from {@code "<i>"} to
 *       {@code {"step": n}} for every parameter that has state. Only numbers, booleans, strings, lists
 *       and maps.</li>
 * </ul>
 *
 * <p>Owns its tensors: {@link #close()} closes them.
 */
public final class OptimizerStateDict implements AutoCloseable {
    private final Map<String, Tensor> tensors;
    private final Map<String, Object> hyper;

    /**
     * Wraps state read back from storage; the tensors become owned by this object.
     *
     * @param tensors {@code state.<i>.<name>} keys as described above
     * @param hyper the JSON-able part as described above
     */
    public OptimizerStateDict(Map<String, Tensor> tensors, Map<String, Object> hyper) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        this.hyper = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(hyper, "hyper")));
    }

    /** The state tensors by key (unmodifiable). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The scalar part (unmodifiable; JSON-able). */
    public Map<String, Object> hyper() {
        return hyper;
    }

    /** Closes the tensors. */
    @Override
    public void close() {
        for (Tensor t : tensors.values()) t.close();
    }
}
