package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;
import dev.torch4j.nn.init.Init;

/** 1-D convolution {@code [N, Cin, L] -> [N, Cout, L']}; weight {@code [Cout, Cin/groups, k]}. */
public class Conv1d extends Module {
    private final long in, out, kernel, stride, padding, dilation, groups;

    public Conv1d(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
    }

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation, long groups, boolean bias) {
        Conv2dOptions check = new Conv2dOptions(inChannels, outChannels, new long[] {kernelSize, 1}).stride(stride).padding(padding)
                .dilation(dilation).groups(groups);
        this.in = check.inChannels;
        this.out = check.outChannels;
        this.kernel = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        Tensor w = registerParameter("weight", Torch.empty(outChannels, inChannels / groups, kernelSize));
        initConv(w, bias ? registerParameter("bias", Torch.empty(outChannels)) : registerParameter("bias", null));
    }

    /** PyTorch's {@code _ConvNd.reset_parameters}: kaiming-uniform(a = sqrt(5)) weight, U(-1/sqrt(fan_in), ..) bias. */
    static void initConv(Tensor w, Tensor b) {
        Init.kaimingUniform_(w, Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu");
        if (b != null) {
            double bound = 1 / Math.sqrt(Init.fans(w)[0]);
            Init.uniform_(b, -bound, bound);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv1d(x, parameter("weight"), parameter("bias"), stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder(in + ", " + out + ", kernel_size=(" + kernel + ",), stride=(" + stride + ",)");
        if (padding != 0) sb.append(", padding=(").append(padding).append(",)");
        if (dilation != 1) sb.append(", dilation=(").append(dilation).append(",)");
        if (groups != 1) sb.append(", groups=").append(groups);
        if (parameter("bias") == null) sb.append(", bias=False");
        return sb.toString();
    }
}
