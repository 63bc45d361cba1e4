package dev.torch4j.nn;

import dev.torch4j.Tensor;

/** Elementwise `silu` as a module (no parameters). */
public class SiLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }
}
