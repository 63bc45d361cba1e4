package dev.torch4j.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** An indexed list of modules registered as {@code "0"}, {@code "1"}, ... (as {@code nn.ModuleList}). */
public class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    @SafeVarargs
    public ModuleList(M... modules) {
        for (M m : modules) add(m);
    }

    public ModuleList<M> add(M m) {
        items.add(registerModule(Integer.toString(items.size()), m));
        return this;
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return java.util.Collections.unmodifiableList(items).iterator();
    }
}
