package dev.torch4j.nn;

import dev.torch4j.Tensor;

/** Elementwise `tanh` as a module (no parameters). */
public class Tanh extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
