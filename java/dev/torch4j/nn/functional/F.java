package dev.torch4j.nn.functional;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.torch4j.DType;
import dev.torch4j.NN;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * {@code torch.nn.functional} for Java: stateless layers, activations and losses. Shapes follow PyTorch
 * ({@code N} batch, {@code C} channels or classes). Arguments are checked here and named in errors.
 */
public final class F {
    private F() {}

    // ------------------------------------------------------------------ activations

    public static Tensor relu(Tensor x) { return x.relu(); }
    public static Tensor tanh(Tensor x) { return x.tanh(); }
    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }
    public static Tensor silu(Tensor x) { return x.silu(); }

    /** Exact GELU {@code x * Phi(x)}. */
    public static Tensor gelu(Tensor x) { return x.gelu(); }

    /** GELU with {@code approximate} = {@code "none"} or {@code "tanh"} (GPT-2's {@code gelu_new}). */
    public static Tensor gelu(Tensor x, String approximate) { return x.gelu(approximate); }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return NN.leakyRelu(x, negativeSlope); }

    public static Tensor softmax(Tensor x, long dim) { return x.softmax(dim); }

    public static Tensor logSoftmax(Tensor x, long dim) { return x.logSoftmax(dim); }

    // ------------------------------------------------------------------ layers

    /** {@code x W^T + b}: x {@code [*, in]}, weight {@code [out, in]}, bias {@code [out]} or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        long[] ws = weight.shape();
        if (ws.length != 2) throw new IllegalArgumentException("weight: expected 2 dimensions [out, in], got " + Arrays.toString(ws));
        long in = x.dim() == 0 ? -1 : x.size(-1);
        if (in != ws[1])
            throw new IllegalArgumentException("input: expected last dimension " + ws[1] + " (in_features), got shape "
                    + Arrays.toString(x.shape()));
        return NN.linear(x, weight, bias);
    }

    /** {@code x1^T W x2 + b}: weight {@code [out, in1, in2]}. */
    public static Tensor bilinear(Tensor x1, Tensor x2, Tensor weight, Tensor bias) {
        return NN.bilinear(x1, x2, weight, bias);
    }

    /** Randomly zeroes elements with probability {@code p} and scales the rest by {@code 1/(1-p)} when training. */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        return NN.dropout(x, p, training);
    }

    /** Layer normalization over the trailing {@code normalizedShape} dimensions. */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        long[] s = x.shape();
        int k = normalizedShape.length;
        if (k > s.length || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape))
            throw new IllegalArgumentException("input: expected trailing dimensions " + Arrays.toString(normalizedShape)
                    + ", got shape " + Arrays.toString(s));
        return NN.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    public static Tensor groupNorm(Tensor x, long numGroups, Tensor weight, Tensor bias, double eps) {
        return NN.groupNorm(x, numGroups, weight, bias, eps);
    }

    /** Batch normalization; see {@link dev.torch4j.nn.BatchNorm1d}. */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return NN.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** Rows of {@code weight} {@code [num, dim]} at integer {@code indices}. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        return embedding(indices, weight, -1);
    }

    /** As {@link #embedding(Tensor, Tensor)}; row {@code paddingIdx} gets no gradient (-1: none). */
    public static Tensor embedding(Tensor indices, Tensor weight, long paddingIdx) {
        DType d = indices.dtype();
        if (d != DType.INT64 && d != DType.INT32)
            throw new IllegalArgumentException("indices: expected an int64 or int32 tensor, got " + d.pytorchName());
        return NN.embedding(weight, indices, paddingIdx, false, false);
    }

    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, long stride, long padding, long dilation, long groups) {
        if (x.dim() != 2 && x.dim() != 3)
            throw new IllegalArgumentException("input: expected 2-D or 3-D input [N, C, L], got shape " + Arrays.toString(x.shape()));
        return NN.conv1d(x, weight, bias, new long[] {stride}, new long[] {padding}, new long[] {dilation}, groups);
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, long[] stride, long[] padding, long[] dilation, long groups) {
        if (x.dim() != 3 && x.dim() != 4)
            throw new IllegalArgumentException("input: expected 3-D or 4-D input [N, C, H, W], got shape " + Arrays.toString(x.shape()));
        return NN.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    public static Tensor maxPool2d(Tensor x, long[] kernel, long[] stride, long[] padding) {
        return NN.maxPool2d(x, kernel, stride, padding, new long[] {1, 1}, false);
    }

    public static Tensor avgPool2d(Tensor x, long[] kernel, long[] stride, long[] padding) {
        return NN.avgPool2d(x, kernel, stride, padding, false, true);
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, long[] outputSize) {
        return NN.adaptiveAvgPool2d(x, outputSize);
    }

    /** Constant padding of the last dimensions ({@code pad = [left, right, top, bottom, ...]}). */
    public static Tensor pad(Tensor x, long[] pad, double value) {
        if (pad.length % 2 != 0) throw new IllegalArgumentException("pad: expected an even number of sizes, got " + pad.length);
        return NN.pad(x, pad, value);
    }

    public static Tensor oneHot(Tensor indices, long numClasses) {
        return NN.oneHot(indices, numClasses);
    }

    /**
     * Attention {@code softmax(q k^T / sqrt(d) + mask) v} over {@code [..., L, d]} queries and
     * {@code [..., S, d]} keys/values. {@code mask}: bool (true = may attend) or additive float,
     * broadcastable to {@code [..., L, S]}; null for none. {@code isCausal} masks future positions.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, double dropoutP, boolean isCausal) {
        if (mask != null && isCausal) throw new IllegalArgumentException("mask: give either an explicit mask or isCausal, not both");
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2)
            throw new IllegalArgumentException("query/key/value: expected at least 2 dimensions [..., L, d]");
        if (q.size(-1) != k.size(-1))
            throw new IllegalArgumentException("key: expected last dimension " + q.size(-1) + " (as query), got " + k.size(-1));
        return NN.scaledDotProductAttention(q, k, v, mask, dropoutP, isCausal, null);
    }

    // ------------------------------------------------------------------ losses

    private static void sameShape(Tensor input, Tensor target, String loss) {
        if (!Arrays.equals(input.shape(), target.shape()))
            throw new IllegalArgumentException(loss + ": target shape " + Arrays.toString(target.shape())
                    + " must equal input shape " + Arrays.toString(input.shape()));
    }

    private static long code(Reduction r) {
        Objects.requireNonNull(r, "reduction");
        if (r == Reduction.BATCHMEAN) throw new IllegalArgumentException("reduction: BATCHMEAN is only for kldiv");
        return r.code;
    }

    public static Tensor mseLoss(Tensor input, Tensor target) { return mseLoss(input, target, Reduction.MEAN); }

    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        sameShape(input, target, "mseLoss");
        return NN.mseLoss(input, target, code(reduction));
    }

    public static Tensor l1Loss(Tensor input, Tensor target) { return l1Loss(input, target, Reduction.MEAN); }

    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        sameShape(input, target, "l1Loss");
        return NN.l1Loss(input, target, code(reduction));
    }

    /** Huber-like loss: quadratic below {@code beta}, linear above. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
        if (beta < 0) throw new IllegalArgumentException("beta must be >= 0, got " + beta);
        sameShape(input, target, "smoothL1Loss");
        return NN.smoothL1Loss(input, target, code(reduction), beta);
    }

    public static Tensor smoothL1Loss(Tensor input, Tensor target) { return smoothL1Loss(input, target, Reduction.MEAN, 1.0); }

    /** Cross entropy of logits {@code [N, C]} (or {@code [N, C, d...]}) against class indices or class probabilities. */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, new CrossEntropyOptions());
    }

    public static Tensor crossEntropy(Tensor input, Tensor target, CrossEntropyOptions o) {
        checkClassTarget(input, target, "crossEntropy");
        return NN.crossEntropy(input, target, o.weight, code(o.reduction), o.ignoreIndex, o.labelSmoothing);
    }

    /** Negative log likelihood of log-probabilities {@code [N, C]} at class indices {@code [N]}. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return nllLoss(input, target, new CrossEntropyOptions());
    }

    public static Tensor nllLoss(Tensor input, Tensor target, CrossEntropyOptions o) {
        if (o.labelSmoothing != 0) throw new IllegalArgumentException("nllLoss: labelSmoothing is not supported");
        checkClassTarget(input, target, "nllLoss");
        return NN.nllLoss(input, target, o.weight, code(o.reduction), o.ignoreIndex);
    }

    private static void checkClassTarget(Tensor input, Tensor target, String loss) {
        if (input.dim() < 1) throw new IllegalArgumentException(loss + ": input must have at least one dimension");
        if (target.isFloatingPoint()) {
            if (!Arrays.equals(input.shape(), target.shape()))
                throw new IllegalArgumentException(loss + ": class-probability target shape " + Arrays.toString(target.shape())
                        + " must equal input shape " + Arrays.toString(input.shape()));
            return;
        }
        DType d = target.dtype();
        if (d != DType.INT64)
            throw new IllegalArgumentException(loss + ": class-index target must be int64, got " + d.pytorchName());
        long[] in = input.shape(), t = target.shape();
        long[] expected = in.length == 1 ? new long[0] : new long[in.length - 1];
        if (in.length > 1) {
            expected[0] = in[0];
            System.arraycopy(in, 2, expected, 1, in.length - 2);
        }
        if (!Arrays.equals(expected, t))
            throw new IllegalArgumentException(loss + ": target shape " + Arrays.toString(t) + " does not match input shape "
                    + Arrays.toString(in) + " (expected " + Arrays.toString(expected) + ")");
    }

    /** Binary cross entropy of probabilities in [0, 1]. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return binaryCrossEntropy(input, target, null, Reduction.MEAN);
    }

    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        sameShape(input, target, "binaryCrossEntropy");
        return NN.binaryCrossEntropy(input, target, weight, code(reduction));
    }

    /** Numerically stable sigmoid + binary cross entropy; {@code posWeight} rescales positive examples. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, null, Reduction.MEAN);
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                                      Reduction reduction) {
        sameShape(input, target, "binaryCrossEntropyWithLogits");
        return NN.binaryCrossEntropyWithLogits(input, target, weight, posWeight, code(reduction));
    }

    /**
     * KL divergence with {@code input} as log-probabilities; {@code target} as probabilities, or as
     * log-probabilities when {@code logTarget}. {@link Reduction#BATCHMEAN} divides the sum by the batch size.
     */
    public static Tensor kldiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
        sameShape(input, target, "kldiv");
        Objects.requireNonNull(reduction, "reduction");
        if (reduction != Reduction.BATCHMEAN) return NN.klDiv(input, target, reduction.code, logTarget);
        try (Scope s = Torch.scope()) {
            Tensor sum = NN.klDiv(input, target, Reduction.SUM.code, logTarget);
            return s.keep(input.dim() == 0 ? sum : sum.div((double) input.size(0)));
        }
    }

    /** L1 penalty {@code sum_p sum |p|}, e.g. {@code loss.add(F.l1Penalty(model.parameters()).mul(1e-4))}. */
    public static Tensor l1Penalty(List<Tensor> params) {
        return penalty(params, true);
    }

    /** L2 penalty {@code sum_p sum p^2}. */
    public static Tensor l2Penalty(List<Tensor> params) {
        return penalty(params, false);
    }

    private static Tensor penalty(List<Tensor> params, boolean l1) {
        if (params.isEmpty()) throw new IllegalArgumentException("params: expected at least one tensor");
        try (Scope s = Torch.scope()) {
            Tensor total = null;
            for (Tensor p : params) {
                Tensor term = (l1 ? p.abs() : p.square()).sum();
                total = total == null ? term : total.add(term);
            }
            return s.keep(total);
        }
    }
}
