package dev.torch4j.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Base of all optimizers: parameter groups, per-parameter state, {@link #step()}, {@link #zeroGrad()} and
 * state save/restore.
 *
 * <p>{@link #step()} visits every parameter of every group in order and, for each one that has a gradient,
 * calls {@link #update} under {@code Torch.noGrad()} inside a scope that closes the update's temporaries.
 * Parameters without a gradient are skipped (their state is neither created nor advanced).
 *
 * <p>The optimizer does not own the parameters; it owns its state tensors and frees them in
 * {@link #close()}. Not thread-safe.
 *
 * @param <O> the options type of each parameter group
 */
public abstract class Optimizer<O extends OptimizerOptions> implements AutoCloseable {
    private final List<ParamGroup<O>> groups = new ArrayList<>();
    private final Map<Tensor, ParamState> state = new IdentityHashMap<>();
    private final IdentityHashMap<Tensor, Boolean> known = new IdentityHashMap<>();
    private boolean closed;

    /**
     * @param params the first group's parameters: non-empty, floating point, leaf tensors, no duplicates
     * @param options the first group's options (copied)
     */
    protected Optimizer(List<Tensor> params, O options) {
        addParamGroup(params, options);
    }

    /**
     * Adds a group of parameters with its own options (copied). A parameter may belong to one group only.
     *
     * @throws IllegalArgumentException if {@code params} is empty, holds a non-floating, non-leaf, closed or
     *     already optimized tensor, or the options are inconsistent (e.g. Nesterov without momentum)
     */
    public final void addParamGroup(List<Tensor> params, O options) {
        checkOpen();
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(options, "options");
        if (params.isEmpty()) throw new IllegalArgumentException("params: optimizer got an empty parameter list");
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            String name = "params[" + i + "]";
            if (p == null) throw new IllegalArgumentException(name + " is null");
            if (p.isClosed()) throw new IllegalArgumentException(name + " is a closed tensor");
            if (!p.isFloatingPoint())
                throw new IllegalArgumentException(name + ": can only optimize floating point tensors, got dtype "
                        + p.dtype().pytorchName());
            if (!p.isLeaf()) throw new IllegalArgumentException(name + ": can't optimize a non-leaf tensor");
            if (known.containsKey(p) || seen.put(p, Boolean.TRUE) != null)
                throw new IllegalArgumentException(name + ": some parameters appear in more than one parameter group"
                        + " (or twice in one)");
        }
        @SuppressWarnings("unchecked")
        O copy = (O) options.copy();
        checkOptions(copy);
        ParamGroup<O> group = new ParamGroup<>(params, copy);
        known.putAll(seen);
        groups.add(group);
        initGroup(group);
    }

    /** The parameter groups, in order (unmodifiable). */
    public final List<ParamGroup<O>> paramGroups() {
        return Collections.unmodifiableList(groups);
    }

    /** The learning rate of group {@code group}. */
    public final double getLr(int group) {
        return group(group).options().lr();
    }

    /** Sets the learning rate of group {@code group}. */
    public final void setLr(int group, double lr) {
        group(group).options().lr(lr);
    }

    /** Sets the learning rate of every group. */
    public final void setLr(double lr) {
        for (ParamGroup<O> g : groups) g.options().lr(lr);
    }

    private ParamGroup<O> group(int i) {
        if (i < 0 || i >= groups.size())
            throw new IndexOutOfBoundsException("group: expected an index in [0, " + groups.size() + "), got " + i);
        return groups.get(i);
    }

    /** Performs one optimization step on every parameter that has a gradient. */
    public void step() {
        checkOpen();
        try (GradMode g = Torch.noGrad()) {
            for (ParamGroup<O> group : groups) {
                for (Tensor p : group.params()) {
                    try (Scope s = Torch.scope()) {
                        Tensor grad = p.grad();
                        if (grad == null) continue;
                        ParamState st = state.get(p);
                        if (st == null) {
                            st = new ParamState();
                            state.put(p, st);
                        }
                        update(group.options(), p, grad, st);
                    }
                }
            }
        }
    }

    /**
     * Updates one parameter in place. Runs under {@code Torch.noGrad()} in a scope that closes every tensor
     * created here; create state with {@link ParamState#zerosBuffer} and friends, never with factories.
     *
     * @param options the parameter's group options
     * @param param the parameter (update it in place)
     * @param grad its gradient (closed after the call)
     * @param state its state, empty on the first update
     */
    protected abstract void update(O options, Tensor param, Tensor grad, ParamState state);

    /** Rejects inconsistent options when a group is added; the default accepts all. */
    protected void checkOptions(O options) {}

    /** Called when a group is added, e.g. to create state eagerly (Adagrad); the default does nothing. */
    protected void initGroup(ParamGroup<O> group) {}

    /** The state of {@code param} (created on demand), for {@link #initGroup}. */
    protected final ParamState stateOf(Tensor param) {
        return state.computeIfAbsent(param, k -> new ParamState());
    }

    /** Drops the gradient of every parameter (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        checkOpen();
        for (ParamGroup<O> g : groups)
            for (Tensor p : g.params()) p.zeroGrad();
    }

    /** The live state of {@code param}, or null if it has none yet; owned by this optimizer, do not close it. */
    public final ParamState state(Tensor param) {
        return state.get(param);
    }

    /** Number of state tensors this optimizer holds (for memory checks). */
    public final int stateTensorCount() {
        int n = 0;
        for (ParamState s : state.values()) n += s.buffers().size();
        return n;
    }

    // ------------------------------------------------------------------ state dict

    /** All parameters, numbered across groups in order. */
    private List<Tensor> flatParams() {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup<O> g : groups) all.addAll(g.params());
        return all;
    }

    /**
     * A snapshot of the hyper-parameters and state (copies of the state tensors, owned by the returned
     * object and registered in the current scope like any new tensor). See {@link OptimizerStateDict} for
     * the layout.
     */
    public OptimizerStateDict stateDict() {
        checkOpen();
        List<Object> groupMaps = new ArrayList<>();
        int index = 0;
        for (ParamGroup<O> g : groups) {
            Map<String, Object> m = new LinkedHashMap<>(g.options().toMap());
            g.initialLr().ifPresent(v -> m.put("initial_lr", v));
            List<Object> ids = new ArrayList<>();
            for (int i = 0; i < g.params().size(); i++) ids.add(index++);
            m.put("params", ids);
            groupMaps.add(m);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Object> stateMap = new LinkedHashMap<>();
        List<Tensor> all = flatParams();
        try (GradMode ng = Torch.noGrad()) {
            for (int i = 0; i < all.size(); i++) {
                ParamState s = state.get(all.get(i));
                if (s == null) continue;
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("step", s.step());
                stateMap.put(Integer.toString(i), entry);
                for (Map.Entry<String, Tensor> b : s.buffers().entrySet())
                    tensors.put("state." + i + "." + b.getKey(), b.getValue().clone());
            }
        }
        Map<String, Object> hyper = new LinkedHashMap<>();
        hyper.put("param_groups", groupMaps);
        hyper.put("state", stateMap);
        return new OptimizerStateDict(tensors, hyper);
    }

    /**
     * Restores hyper-parameters and state from {@link #stateDict()} output (possibly read back from files).
     * The groups must have the same sizes as this optimizer's; state tensors must have their parameter's
     * shape and are copied (converted to the parameter's dtype and device). Everything is checked before
     * anything changes. {@code dict} stays owned by the caller.
     *
     * @throws IllegalArgumentException naming the offending key when the dict does not fit this optimizer
     */
    public void loadStateDict(OptimizerStateDict dict) {
        checkOpen();
        Objects.requireNonNull(dict, "dict");
        Map<String, Object> hyper = dict.hyper();
        if (!(hyper.get("param_groups") instanceof List<?> savedGroups))
            throw new IllegalArgumentException("loadStateDict: hyper has no \"param_groups\" list");
        if (savedGroups.size() != groups.size())
            throw new IllegalArgumentException("loadStateDict: loaded state dict has " + savedGroups.size()
                    + " parameter groups, this optimizer has " + groups.size());
        List<O> newOptions = new ArrayList<>();
        List<Double> initialLrs = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            if (!(savedGroups.get(gi) instanceof Map<?, ?> raw))
                throw new IllegalArgumentException("param_groups[" + gi + "]: expected a map");
            @SuppressWarnings("unchecked")
            Map<String, ?> m = (Map<String, ?>) raw;
            int size = groups.get(gi).params().size();
            if (!(m.get("params") instanceof List<?> ids) || ids.size() != size)
                throw new IllegalArgumentException("param_groups[" + gi + "].params: expected " + size
                        + " parameters, got " + m.get("params"));
            @SuppressWarnings("unchecked")
            O o = (O) groups.get(gi).options().copy();
            o.loadMap(m);
            checkOptions(o);
            newOptions.add(o);
            Object init = m.get("initial_lr");
            initialLrs.add(init instanceof Number n ? n.doubleValue() : null);
        }
        List<Tensor> all = flatParams();
        Map<Integer, Long> steps = new LinkedHashMap<>();
        if (hyper.get("state") instanceof Map<?, ?> st) {
            for (Map.Entry<?, ?> e : st.entrySet()) {
                int i = paramIndex(String.valueOf(e.getKey()), all.size(), "state");
                Object step = e.getValue() instanceof Map<?, ?> em ? em.get("step") : null;
                steps.put(i, step instanceof Number n ? n.longValue() : 0L);
            }
        }
        for (Map.Entry<String, Tensor> e : dict.tensors().entrySet()) {
            String key = e.getKey();
            String[] parts = key.split("\\.", 3);
            if (parts.length != 3 || !parts[0].equals("state") || parts[2].isEmpty())
                throw new IllegalArgumentException("loadStateDict: unexpected tensor key \"" + key
                        + "\" (expected state.<index>.<name>)");
            int i = paramIndex(parts[1], all.size(), key);
            long[] want = all.get(i).shape(), got = e.getValue().shape();
            if (!Arrays.equals(want, got))
                throw new IllegalArgumentException(key + ": expected shape " + Arrays.toString(want) + " (the parameter's), got "
                        + Arrays.toString(got));
            steps.putIfAbsent(i, 0L);
        }
        clearState();
        for (Map.Entry<Integer, Long> e : steps.entrySet()) {
            ParamState s = stateOf(all.get(e.getKey()));
            s.step(e.getValue());
        }
        for (Map.Entry<String, Tensor> e : dict.tensors().entrySet()) {
            String[] parts = e.getKey().split("\\.", 3);
            Tensor p = all.get(Integer.parseInt(parts[1]));
            Tensor buf = state.get(p).zerosBuffer(parts[2], p);
            try (GradMode ng = Torch.noGrad()) {
                buf.copy_(e.getValue());
            }
        }
        for (int gi = 0; gi < groups.size(); gi++) {
            groups.get(gi).options().loadMap(newOptions.get(gi).toMap());
            if (initialLrs.get(gi) != null) groups.get(gi).initialLr(initialLrs.get(gi));
        }
    }

    private static int paramIndex(String s, int n, String where) {
        int i;
        try {
            i = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": parameter index \"" + s + "\" is not an integer");
        }
        if (i < 0 || i >= n)
            throw new IllegalArgumentException(where + ": parameter index " + i + " out of range [0, " + n + ")");
        return i;
    }

    private void clearState() {
        for (ParamState s : state.values()) s.close();
        state.clear();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    }

    /** Frees the state tensors. The parameters stay open. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        clearState();
    }
}
