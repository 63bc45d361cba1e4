package dev.torch4j;

import java.util.List;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensorTensor_T;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * LibTorch's neural-network primitives with PyTorch's argument order, as {@code torch.*} / {@code torch._C._nn}
 * in Python. Most code uses {@link dev.torch4j.nn.functional.F}, which adds defaults and argument checks;
 * optional tensors are {@code null}. Reductions: 0 = none, 1 = mean, 2 = sum.
 */
public final class NN {
    private NN() {}

    static {
        Native.init();
    }

    private static final TensorOptional NONE = new TensorOptional();

    /** Runs {@code op} with {@code t} as an optional native tensor, closing the wrapper afterwards. */
    private static TensorOptional opt(Tensor t, String name) {
        return t == null ? null : new TensorOptional(Tensor.h(t, name));
    }

    private static TensorOptional orNone(TensorOptional o) {
        return o == null ? NONE : o;
    }

    private static void close(TensorOptional... os) {
        for (TensorOptional o : os) if (o != null) o.close();
    }

    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        TensorOptional b = opt(bias, "bias");
        try {
            return Tensor.call(() -> torch.linear(Tensor.h(input, "input"), Tensor.h(weight, "weight"), orNone(b)));
        } finally {
            close(b);
        }
    }

    public static Tensor bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor bias) {
        TensorOptional b = opt(bias, "bias");
        try {
            return Tensor.call(() -> torch.bilinear(Tensor.h(input1, "input1"), Tensor.h(input2, "input2"),
                    Tensor.h(weight, "weight"), orNone(b)));
        } finally {
            close(b);
        }
    }

    public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        TensorOptional w = opt(weight, "weight"), b = opt(bias, "bias");
        try {
            return Tensor.call(() -> torch.layer_norm(Tensor.h(input, "input"), normalizedShape, orNone(w), orNone(b), eps, false));
        } finally {
            close(w, b);
        }
    }

    public static Tensor groupNorm(Tensor input, long numGroups, Tensor weight, Tensor bias, double eps) {
        TensorOptional w = opt(weight, "weight"), b = opt(bias, "bias");
        try {
            return Tensor.call(() -> torch.group_norm(Tensor.h(input, "input"), numGroups, orNone(w), orNone(b), eps, false));
        } finally {
            close(w, b);
        }
    }

    /**
     * Batch normalization; in training mode the running statistics (if given) are updated in place with
     * {@code momentum}.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        TensorOptional w = opt(weight, "weight"), b = opt(bias, "bias");
        TensorOptional rm = opt(runningMean, "runningMean"), rv = opt(runningVar, "runningVar");
        try {
            return Tensor.call(() -> torch.batch_norm(Tensor.h(input, "input"), orNone(w), orNone(b), orNone(rm), orNone(rv),
                    training, momentum, eps, false));
        } finally {
            close(w, b, rm, rv);
        }
    }

    public static Tensor embedding(Tensor weight, Tensor indices, long paddingIdx, boolean scaleGradByFreq, boolean sparse) {
        return Tensor.call(() -> torch.embedding(Tensor.h(weight, "weight"), Tensor.h(indices, "indices"), paddingIdx,
                scaleGradByFreq, sparse));
    }

    public static Tensor dropout(Tensor input, double p, boolean train) {
        return Tensor.call(() -> torch.dropout(Tensor.h(input, "input"), p, train));
    }

    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, long[] stride, long[] padding, long[] dilation, long groups) {
        TensorOptional b = opt(bias, "bias");
        try {
            return Tensor.call(() -> torch.conv1d(Tensor.h(input, "input"), Tensor.h(weight, "weight"), orNone(b), stride, padding,
                    dilation, groups));
        } finally {
            close(b);
        }
    }

    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, long[] stride, long[] padding, long[] dilation, long groups) {
        TensorOptional b = opt(bias, "bias");
        try {
            return Tensor.call(() -> torch.conv2d(Tensor.h(input, "input"), Tensor.h(weight, "weight"), orNone(b), stride, padding,
                    dilation, groups));
        } finally {
            close(b);
        }
    }

    public static Tensor maxPool2d(Tensor input, long[] kernel, long[] stride, long[] padding, long[] dilation, boolean ceilMode) {
        return Tensor.call(() -> torch.max_pool2d(Tensor.h(input, "input"), kernel, stride, padding, dilation, ceilMode));
    }

    public static Tensor avgPool2d(Tensor input, long[] kernel, long[] stride, long[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        try (LongOptional none = new LongOptional()) {
            return Tensor.call(() -> torch.avg_pool2d(Tensor.h(input, "input"), kernel, stride, padding, ceilMode,
                    countIncludePad, none));
        }
    }

    public static Tensor adaptiveAvgPool2d(Tensor input, long[] outputSize) {
        return Tensor.call(() -> torch.adaptive_avg_pool2d(Tensor.h(input, "input"), outputSize));
    }

    public static Tensor leakyRelu(Tensor input, double negativeSlope) {
        try (Scalar s = new Scalar(negativeSlope)) {
            return Tensor.call(() -> torch.leaky_relu(Tensor.h(input, "input"), s));
        }
    }

    /** Pads the last dimensions: {@code pad = [left, right, top, bottom, ...]} with a constant. */
    public static Tensor pad(Tensor input, long[] pad, double value) {
        try (Scalar s = new Scalar(value)) {
            return Tensor.call(() -> torch.constant_pad_nd(Tensor.h(input, "input"), pad, s));
        }
    }

    public static Tensor oneHot(Tensor indices, long numClasses) {
        return Tensor.call(() -> torch.one_hot(Tensor.h(indices, "indices"), numClasses));
    }

    /**
     * {@code softmax(q k^T * scale + mask) v}; {@code mask} is a bool mask (true = attend) or an additive
     * float mask; {@code scale} null means {@code 1/sqrt(head_dim)}.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, double dropoutP,
                                                   boolean isCausal, Double scale) {
        TensorOptional m = opt(mask, "mask");
        try (DoubleOptional sc = scale == null ? new DoubleOptional() : new DoubleOptional(scale)) {
            return Tensor.call(() -> torch.scaled_dot_product_attention(Tensor.h(q, "query"), Tensor.h(k, "key"),
                    Tensor.h(v, "value"), orNone(m), dropoutP, isCausal, sc, false));
        } finally {
            close(m);
        }
    }

    // ------------------------------------------------------------------ losses

    public static Tensor mseLoss(Tensor input, Tensor target, long reduction) {
        return Tensor.call(() -> torch.mse_loss(Tensor.h(input, "input"), Tensor.h(target, "target"), reduction));
    }

    public static Tensor l1Loss(Tensor input, Tensor target, long reduction) {
        return Tensor.call(() -> torch.l1_loss(Tensor.h(input, "input"), Tensor.h(target, "target"), reduction));
    }

    public static Tensor smoothL1Loss(Tensor input, Tensor target, long reduction, double beta) {
        return Tensor.call(() -> torch.smooth_l1_loss(Tensor.h(input, "input"), Tensor.h(target, "target"), reduction, beta));
    }

    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long reduction, long ignoreIndex,
                                      double labelSmoothing) {
        TensorOptional w = opt(weight, "weight");
        try {
            return Tensor.call(() -> torch.cross_entropy_loss(Tensor.h(input, "input"), Tensor.h(target, "target"), orNone(w),
                    reduction, ignoreIndex, labelSmoothing));
        } finally {
            close(w);
        }
    }

    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long reduction, long ignoreIndex) {
        TensorOptional w = opt(weight, "weight");
        try {
            return Tensor.call(() -> torch.nll_loss(Tensor.h(input, "input"), Tensor.h(target, "target"), orNone(w), reduction,
                    ignoreIndex));
        } finally {
            close(w);
        }
    }

    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, long reduction) {
        TensorOptional w = opt(weight, "weight");
        try {
            return Tensor.call(() -> torch.binary_cross_entropy(Tensor.h(input, "input"), Tensor.h(target, "target"), orNone(w),
                    reduction));
        } finally {
            close(w);
        }
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                                      long reduction) {
        TensorOptional w = opt(weight, "weight"), pw = opt(posWeight, "posWeight");
        try {
            return Tensor.call(() -> torch.binary_cross_entropy_with_logits(Tensor.h(input, "input"), Tensor.h(target, "target"),
                    orNone(w), orNone(pw), reduction));
        } finally {
            close(w, pw);
        }
    }

    public static Tensor klDiv(Tensor input, Tensor target, long reduction, boolean logTarget) {
        return Tensor.call(() -> torch.kl_div(Tensor.h(input, "input"), Tensor.h(target, "target"), reduction, logTarget));
    }

    // ------------------------------------------------------------------ recurrent layers

    /** Output and final hidden states of a recurrent layer. */
    public record RnnResult(Tensor output, Tensor h, Tensor c) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            h.close();
            if (c != null) c.close();
        }
    }

    /**
     * LibTorch's fused multi-layer LSTM. {@code params} are per layer and direction
     * {@code w_ih, w_hh[, b_ih, b_hh]}, as PyTorch's {@code _flat_weights}.
     */
    public static RnnResult lstm(Tensor input, Tensor h0, Tensor c0, List<Tensor> params, boolean hasBiases, long numLayers,
                                 double dropout, boolean train, boolean bidirectional, boolean batchFirst) {
        try (TensorVector hx = Tensor.vector(List.of(h0, c0), "hx"); TensorVector ps = Tensor.vector(params, "params")) {
            T_TensorTensorTensor_T r;
            try {
                r = torch.lstm(Tensor.h(input, "input"), hx, ps, hasBiases, numLayers, dropout, train, bidirectional, batchFirst);
            } catch (RuntimeException e) {
                throw Native.translate(e);
            }
            try (T_TensorTensorTensor_T t = r) {
                return new RnnResult(new Tensor(Tensor.own(t.get0())), new Tensor(Tensor.own(t.get1())),
                        new Tensor(Tensor.own(t.get2())));
            }
        }
    }

    /** LibTorch's fused GRU ({@code mode = "GRU"}) or Elman RNN ({@code "RNN_TANH"}, {@code "RNN_RELU"}). */
    public static RnnResult rnn(String mode, Tensor input, Tensor h0, List<Tensor> params, boolean hasBiases, long numLayers,
                                double dropout, boolean train, boolean bidirectional, boolean batchFirst) {
        try (TensorVector ps = Tensor.vector(params, "params")) {
            org.bytedeco.pytorch.Tensor in = Tensor.h(input, "input"), hx = Tensor.h(h0, "h0");
            T_TensorTensor_T r;
            try {
                r = switch (mode) {
                    case "GRU" -> torch.gru(in, hx, ps, hasBiases, numLayers, dropout, train, bidirectional, batchFirst);
                    case "RNN_TANH" -> torch.rnn_tanh(in, hx, ps, hasBiases, numLayers, dropout, train, bidirectional, batchFirst);
                    case "RNN_RELU" -> torch.rnn_relu(in, hx, ps, hasBiases, numLayers, dropout, train, bidirectional, batchFirst);
                    default -> throw new IllegalArgumentException("mode: expected GRU, RNN_TANH or RNN_RELU, got " + mode);
                };
            } catch (RuntimeException e) {
                throw Native.translate(e);
            }
            try (T_TensorTensor_T t = r) {
                return new RnnResult(new Tensor(Tensor.own(t.get0())), new Tensor(Tensor.own(t.get1())), null);
            }
        }
    }

}
