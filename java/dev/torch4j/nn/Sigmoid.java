package dev.torch4j.nn;

import dev.torch4j.Tensor;

/** Elementwise `sigmoid` as a module (no parameters). */
public class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
