package dev.torch4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import dev.torch4j.DType;
import dev.torch4j.Device;
import dev.torch4j.GradMode;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Base class of all layers and models, as {@code torch.nn.Module}: parameters, buffers and child modules
 * are registered by name, in order, so {@link #stateDict()} keys match PyTorch's exactly
 * ({@code "encoder.layer.0.attention.self.query.weight"}).
 *
 * <p>A module owns its parameters and buffers: {@link #close()} frees them and those of its children.
 * Tensors handed to {@link #registerParameter} / {@link #registerBuffer} are taken out of any open
 * {@link Scope}, so building a model inside a scope is safe.
 *
 * <p>Thread safety: {@link #forward} on an eval-mode module may run on many threads at once (it only
 * reads parameters); training steps, {@link #to}, {@link #loadStateDict} and {@link #close} must not run
 * concurrently with anything else on the same module.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean closed;

    /** Applies the module to one input; modules with other signatures add their own {@code forward}. */
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not take a single tensor input");
    }

    // ------------------------------------------------------------------ registration

    /**
     * Registers (or replaces) parameter {@code name}; {@code value} may be null for an absent optional
     * parameter (PyTorch's {@code bias=None}). The module takes ownership and sets {@code requiresGrad}.
     */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        checkOpen();
        if (value != null) {
            Scope.release(value);
            if (value.isFloatingPoint() && !value.requiresGrad()) value.requiresGrad_(true);
        }
        Tensor old = parameters.put(name, value);
        if (old != null && old != value) old.close();
        return value;
    }

    /** Registers (or replaces) buffer {@code name} (state that is saved but not trained, e.g. running means). */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        checkOpen();
        if (value != null) Scope.release(value);
        Tensor old = buffers.put(name, value);
        if (old != null && old != value) old.close();
        return value;
    }

    /** Registers child module {@code name} and returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        checkOpen();
        Objects.requireNonNull(module, "module");
        Module old = children.put(name, module);
        if (old != null && old != module) old.close();
        return module;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("."))
            throw new IllegalArgumentException("name: expected a non-empty name without '.', got '" + name + "'");
    }

    /** The parameter registered under {@code name} on this module (not children), or null. */
    protected final Tensor parameter(String name) {
        checkOpen();
        return parameters.get(name);
    }

    protected final Tensor buffer(String name) {
        checkOpen();
        return buffers.get(name);
    }

    // ------------------------------------------------------------------ traversal

    /** All parameters of this module and its descendants, in registration order (owned by the module). */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters by dotted name (owned by the module; do not close them). */
    public Map<String, Tensor> namedParameters() {
        checkOpen();
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    /** Buffers by dotted name (owned by the module). */
    public Map<String, Tensor> namedBuffers() {
        checkOpen();
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    public List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params) {
        for (Map.Entry<String, Tensor> e : (params ? parameters : buffers).entrySet())
            if (e.getValue() != null) out.putIfAbsent(prefix + e.getKey(), e.getValue());
        for (Map.Entry<String, Module> c : children.entrySet()) c.getValue().collect(prefix + c.getKey() + ".", out, params);
    }

    /** Direct children by name. */
    public Map<String, Module> namedChildren() {
        checkOpen();
        return Collections.unmodifiableMap(children);
    }

    public List<Module> children() {
        return new ArrayList<>(namedChildren().values());
    }

    /** This module and all descendants, depth first, by dotted name ({@code ""} for this one). */
    public Map<String, Module> namedModules() {
        checkOpen();
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), this);
        for (Map.Entry<String, Module> c : children.entrySet()) c.getValue().collectModules(prefix + c.getKey() + ".", out);
    }

    /** Calls {@code fn} on every descendant and then on this module (as PyTorch's {@code apply}). */
    public Module apply(Consumer<Module> fn) {
        checkOpen();
        for (Module c : children.values()) c.apply(fn);
        fn.accept(this);
        return this;
    }

    // ------------------------------------------------------------------ state dict

    /**
     * Parameters and persistent buffers by dotted name, as new detached tensors sharing storage with the
     * module's (the caller owns them: close them or create them inside a scope).
     */
    public Map<String, Tensor> stateDict() {
        checkOpen();
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        for (Map.Entry<String, Tensor> e : parameters.entrySet())
            if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue().detach());
        for (Map.Entry<String, Tensor> e : buffers.entrySet())
            if (e.getValue() != null && isPersistentBuffer(e.getKey())) out.put(prefix + e.getKey(), e.getValue().detach());
        for (Map.Entry<String, Module> c : children.entrySet()) c.getValue().collectState(prefix + c.getKey() + ".", out);
    }

    /** Whether buffer {@code name} belongs in the state dict (PyTorch's {@code persistent=True}). Default: true. */
    protected boolean isPersistentBuffer(String name) {
        return true;
    }

    /** Loads a state dict strictly: every key must match, with the same shape. See {@link #loadStateDict(Map, boolean)}. */
    public LoadResult loadStateDict(Map<String, Tensor> state) {
        return loadStateDict(state, true);
    }

    /**
     * Copies {@code state} into this module's parameters and buffers (values are converted to each
     * target's dtype and device). Shape mismatches always fail. With {@code strict}, missing or unexpected
     * keys fail too; otherwise they are reported in the result. Nothing is copied when it fails.
     *
     * @throws IllegalArgumentException listing every missing, unexpected and misshapen key
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        checkOpen();
        Map<String, Tensor> targets = new LinkedHashMap<>();
        collectTargets("", targets);
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misshapen = new ArrayList<>();
        for (Map.Entry<String, Tensor> t : targets.entrySet()) {
            Tensor src = state.get(t.getKey());
            if (src == null) missing.add(t.getKey());
            else if (!Arrays.equals(src.shape(), t.getValue().shape()))
                misshapen.add(t.getKey() + " (expected " + Arrays.toString(t.getValue().shape()) + ", got "
                        + Arrays.toString(src.shape()) + ")");
        }
        for (String k : state.keySet()) if (!targets.containsKey(k)) unexpected.add(k);
        if (!misshapen.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder sb = new StringBuilder("Error(s) in loading state dict for " + getClass().getSimpleName() + ":");
            if (!missing.isEmpty()) sb.append("\n  missing keys: ").append(missing);
            if (!unexpected.isEmpty()) sb.append("\n  unexpected keys: ").append(unexpected);
            if (!misshapen.isEmpty()) sb.append("\n  size mismatch: ").append(misshapen);
            throw new IllegalArgumentException(sb.toString());
        }
        try (GradMode g = Torch.noGrad()) {
            for (Map.Entry<String, Tensor> t : targets.entrySet()) {
                Tensor src = state.get(t.getKey());
                if (src != null) t.getValue().copy_(src);
            }
        }
        return new LoadResult(missing, unexpected);
    }

    private void collectTargets(String prefix, Map<String, Tensor> out) {
        for (Map.Entry<String, Tensor> e : parameters.entrySet())
            if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
        for (Map.Entry<String, Tensor> e : buffers.entrySet())
            if (e.getValue() != null && isPersistentBuffer(e.getKey())) out.put(prefix + e.getKey(), e.getValue());
        for (Map.Entry<String, Module> c : children.entrySet()) c.getValue().collectTargets(prefix + c.getKey() + ".", out);
    }

    /** Keys that {@link #loadStateDict(Map, boolean)} did not find or did not use. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    // ------------------------------------------------------------------ modes and conversion

    /** Training mode (dropout active, batch norm uses batch statistics); returns this. */
    public Module train() {
        return train(true);
    }

    public Module train(boolean mode) {
        apply(m -> m.training = mode);
        return this;
    }

    /** Evaluation mode; returns this. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        checkOpen();
        return training;
    }

    /** Moves every parameter and buffer to {@code device} in place (the module keeps its identity); returns this. */
    public Module to(Device device) {
        Objects.requireNonNull(device, "device");
        return convert(t -> t.to(device), true);
    }

    /** Converts floating parameters and buffers to {@code dtype}; returns this. */
    public Module to(DType dtype) {
        Objects.requireNonNull(dtype, "dtype");
        if (!dtype.isFloatingPoint()) throw new IllegalArgumentException("dtype: expected a floating dtype, got " + dtype.pytorchName());
        return convert(t -> t.isFloatingPoint() ? t.to(dtype) : t.clone(), false);
    }

    private Module convert(java.util.function.Function<Tensor, Tensor> f, boolean all) {
        checkOpen();
        for (Module c : children.values()) c.convert(f, all);
        try (GradMode g = Torch.noGrad()) {
            for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
                Tensor old = e.getValue();
                if (old == null) continue;
                boolean grad = old.requiresGrad();
                Tensor moved = Scope.release(f.apply(old));
                if (grad) moved.requiresGrad_(true);
                e.setValue(moved);
                old.close();
            }
            for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
                Tensor old = e.getValue();
                if (old == null) continue;
                e.setValue(Scope.release(f.apply(old)));
                old.close();
            }
        }
        return this;
    }

    /** Drops the gradients of all parameters. */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /** Number of parameter elements. */
    public long numParameters() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    // ------------------------------------------------------------------ lifecycle and printing

    /** Frees all parameters and buffers of this module and its children. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Module c : children.values()) c.close();
        for (Tensor t : parameters.values()) if (t != null) t.close();
        for (Tensor t : buffers.values()) if (t != null) t.close();
    }

    public boolean isClosed() {
        return closed;
    }

    protected final void checkOpen() {
        if (closed) throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    }

    /** The part between the parentheses of {@link #toString()}, e.g. {@code in_features=2, out_features=3, bias=True}. */
    protected String extraRepr() {
        return "";
    }

    /** PyTorch's module print, children indented by two spaces. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(');
        String extra = extraRepr();
        if (children.isEmpty()) return sb.append(extra).append(')').toString();
        if (!extra.isEmpty()) sb.append("\n  ").append(extra);
        for (Map.Entry<String, Module> c : children.entrySet()) {
            String child = c.getValue().toString().replace("\n", "\n  ");
            sb.append("\n  (").append(c.getKey()).append("): ").append(child);
        }
        return sb.append("\n)").toString();
    }

    /** Python's {@code repr(float)}: {@code 1e-05}, {@code 0.1}, {@code 1.0}. */
    static String pyFloat(double v) {
        String j = Double.toString(v);
        int e = j.indexOf('E');
        if (e < 0) return j;
        String mant = j.substring(0, e);
        int exp = Integer.parseInt(j.substring(e + 1));
        if (exp >= -4 && exp < 16) return new java.math.BigDecimal(j).toPlainString();
        if (mant.endsWith(".0")) mant = mant.substring(0, mant.length() - 2);
        String digits = Integer.toString(Math.abs(exp));
        return mant + "e" + (exp < 0 ? "-" : "+") + (digits.length() < 2 ? "0" + digits : digits);
    }

    static String pyBool(boolean b) {
        return b ? "True" : "False";
    }
}
