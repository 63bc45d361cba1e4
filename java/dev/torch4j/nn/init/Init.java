package dev.torch4j.nn.init;

import java.util.Arrays;

import dev.torch4j.GradMode;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Parameter initialisers, as {@code torch.nn.init}: each fills its tensor in place without recording
 * gradients and returns it. Random ones draw from the default generator, so {@link Torch#manualSeed}
 * gives PyTorch's numbers.
 */
public final class Init {
    private Init() {}

    /** Fan mode of the Kaiming initialisers. */
    public enum FanMode { FAN_IN, FAN_OUT }

    /** U(a, b). */
    public static Tensor uniform_(Tensor t, double a, double b) {
        try (GradMode g = Torch.noGrad()) {
            return t.uniform_(a, b);
        }
    }

    /** N(mean, std^2). */
    public static Tensor normal_(Tensor t, double mean, double std) {
        try (GradMode g = Torch.noGrad()) {
            return t.normal_(mean, std);
        }
    }

    public static Tensor constant_(Tensor t, double value) {
        try (GradMode g = Torch.noGrad()) {
            return t.fill_(value);
        }
    }

    public static Tensor zeros_(Tensor t) {
        return constant_(t, 0);
    }

    public static Tensor ones_(Tensor t) {
        return constant_(t, 1);
    }

    /** N(mean, std^2) truncated to [a, b], by inverse-CDF sampling as PyTorch's {@code trunc_normal_}. */
    public static Tensor truncNormal_(Tensor t, double mean, double std, double a, double b) {
        if (!(a < b)) throw new IllegalArgumentException("truncNormal_: expected a < b, got a=" + a + ", b=" + b);
        try (GradMode g = Torch.noGrad()) {
            double l = normCdf((a - mean) / std), u = normCdf((b - mean) / std);
            t.uniform_(2 * l - 1, 2 * u - 1).erfinv_();
            t.mul_(std * Math.sqrt(2.0)).add_(mean);
            return t.clamp_(a, b);
        }
    }

    private static double normCdf(double x) {
        return (1.0 + erf(x / Math.sqrt(2.0))) / 2.0;
    }

    /** erf from Numerical Recipes' erfc approximation (|error| < 1.2e-7): enough to place truncation bounds. */
    private static double erf(double x) {
        double t = 1.0 / (1.0 + 0.5 * Math.abs(x));
        double y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }

    /** Recommended gain for a nonlinearity ({@code "linear"}, {@code "conv2d"}, {@code "sigmoid"}, {@code "tanh"}, {@code "relu"}, {@code "leaky_relu"}, {@code "selu"}). */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("Unsupported nonlinearity " + nonlinearity);
        };
    }

    /** (fan_in, fan_out) of a weight {@code [out, in, k...]}. */
    public static long[] fans(Tensor t) {
        long[] s = t.shape();
        if (s.length < 2)
            throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions, got "
                    + Arrays.toString(s));
        long receptive = 1;
        for (int i = 2; i < s.length; i++) receptive *= s[i];
        return new long[] {s[1] * receptive, s[0] * receptive};
    }

    public static Tensor xavierUniform_(Tensor t, double gain) {
        long[] f = fans(t);
        double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform_(t, -a, a);
    }

    public static Tensor xavierNormal_(Tensor t, double gain) {
        long[] f = fans(t);
        return normal_(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
    }

    /** He uniform: U(-b, b) with {@code b = gain * sqrt(3 / fan)}; PyTorch's Linear/Conv default is a = sqrt(5). */
    public static Tensor kaimingUniform_(Tensor t, double a, FanMode mode, String nonlinearity) {
        long[] f = fans(t);
        long fan = mode == FanMode.FAN_IN ? f[0] : f[1];
        double bound = calculateGain(nonlinearity, a) * Math.sqrt(3.0 / fan);
        return uniform_(t, -bound, bound);
    }

    public static Tensor kaimingNormal_(Tensor t, double a, FanMode mode, String nonlinearity) {
        long[] f = fans(t);
        long fan = mode == FanMode.FAN_IN ? f[0] : f[1];
        return normal_(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan));
    }
}
