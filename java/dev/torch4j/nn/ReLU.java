package dev.torch4j.nn;

import dev.torch4j.Tensor;

/** Elementwise `relu` as a module (no parameters). */
public class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
