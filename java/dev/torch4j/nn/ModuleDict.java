package dev.torch4j.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named modules in insertion order (as {@code nn.ModuleDict}). */
public class ModuleDict<M extends Module> extends Module {
    private final Map<String, M> items = new LinkedHashMap<>();

    public ModuleDict<M> put(String name, M m) {
        items.put(name, registerModule(name, m));
        return this;
    }

    public M get(String name) {
        M m = items.get(name);
        if (m == null) throw new IllegalArgumentException("no module named '" + name + "' (have " + items.keySet() + ")");
        return m;
    }

    public boolean contains(String name) {
        return items.containsKey(name);
    }

    public Map<String, M> asMap() {
        return Collections.unmodifiableMap(items);
    }
}
