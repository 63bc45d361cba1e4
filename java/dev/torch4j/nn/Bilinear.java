package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.init.Init;

/** {@code y = x1^T W x2 + b}; weight {@code [out, in1, in2]}, initialised U(-1/sqrt(in1), 1/sqrt(in1)) as PyTorch. */
public class Bilinear extends Module {
    private final long in1, in2, out;

    public Bilinear(long in1, long in2, long out, boolean bias) {
        if (in1 <= 0 || in2 <= 0 || out <= 0)
            throw new IllegalArgumentException("Bilinear: sizes must be > 0, got " + in1 + ", " + in2 + ", " + out);
        this.in1 = in1;
        this.in2 = in2;
        this.out = out;
        double bound = 1 / Math.sqrt(in1);
        Init.uniform_(registerParameter("weight", Torch.empty(out, in1, in2)), -bound, bound);
        if (bias) Init.uniform_(registerParameter("bias", Torch.empty(out)), -bound, bound);
        else registerParameter("bias", null);
    }

    public Tensor forward(Tensor x1, Tensor x2) {
        return F.bilinear(x1, x2, parameter("weight"), parameter("bias"));
    }

    @Override
    protected String extraRepr() {
        return "in1_features=" + in1 + ", in2_features=" + in2 + ", out_features=" + out + ", bias=" + pyBool(parameter("bias") != null);
    }
}
