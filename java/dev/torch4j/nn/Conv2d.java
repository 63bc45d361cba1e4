package dev.torch4j.nn;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.functional.F;

/** 2-D convolution {@code [N, Cin, H, W] -> [N, Cout, H', W']}; weight {@code [Cout, Cin/groups, kH, kW]}, PyTorch's init. */
public class Conv2d extends Module {
    private final Conv2dOptions o;

    public Conv2d(long inChannels, long outChannels, long kernelSize) {
        this(new Conv2dOptions(inChannels, outChannels, kernelSize));
    }

    public Conv2d(Conv2dOptions o) {
        this.o = o;
        Tensor w = registerParameter("weight", Torch.empty(o.outChannels, o.inChannels / o.groups, o.kernel[0], o.kernel[1]));
        Conv1d.initConv(w, o.bias ? registerParameter("bias", Torch.empty(o.outChannels)) : registerParameter("bias", null));
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv2d(x, parameter("weight"), parameter("bias"), o.stride, o.padding, o.dilation, o.groups);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder(o.inChannels + ", " + o.outChannels + ", kernel_size=" + pair(o.kernel) + ", stride=" + pair(o.stride));
        if (o.padding[0] != 0 || o.padding[1] != 0) sb.append(", padding=").append(pair(o.padding));
        if (o.dilation[0] != 1) sb.append(", dilation=").append(pair(o.dilation));
        if (o.groups != 1) sb.append(", groups=").append(o.groups);
        if (!o.bias) sb.append(", bias=False");
        return sb.toString();
    }

    static String pair(long[] p) {
        return "(" + p[0] + ", " + p[1] + ")";
    }
}
