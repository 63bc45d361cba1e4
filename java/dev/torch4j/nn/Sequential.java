package dev.torch4j.nn;

import java.util.ArrayList;
import java.util.List;

import dev.torch4j.Tensor;

/**
 * Applies its children in order; children are named {@code "0"}, {@code "1"}, ... as in PyTorch, so
 * state-dict keys read {@code "0.weight"}. Intermediate outputs are closed as soon as the next child has
 * consumed them (autograd keeps what it needs natively), so a forward pass leaves only its result.
 */
public class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends {@code m} under the next index; returns this. */
    public Sequential add(Module m) {
        layers.add(registerModule(Integer.toString(layers.size()), m));
        return this;
    }

    public Module get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        checkOpen();
        Tensor cur = x;
        for (Module m : layers) {
            Tensor next = m.forward(cur);
            if (cur != x && next != cur) cur.close();
            cur = next;
        }
        return cur == x ? x.view(x.shape()) : cur;
    }
}
