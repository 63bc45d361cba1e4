package dev.torch4j.samples;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * A small MLP (2 -> 64 -> 64 -> 2, tanh) trained with plain autograd and SGD with momentum on two
 * interleaved spirals. The PyTorch original is {@code spiral_classifier.py} beside this file.
 */
public final class SpiralClassifier {
    private SpiralClassifier() {}

    /** Two spirals of n points each: x [2n, 2], labels [2n] (int64). */
    static Tensor[] spirals(long n) {
        try (Scope s = Torch.scope()) {
            Tensor t = Torch.linspace(0.25, 3 * Math.PI, n);
            Tensor r = t.div(3 * Math.PI);
            Tensor a = Torch.stack(java.util.List.of(t.cos().mul(r), t.sin().mul(r)), 1);
            Tensor b = a.neg();
            Tensor x = Torch.cat(java.util.List.of(a, b), 0).add(Torch.randn(2 * n, 2).mul(0.02));
            Tensor y = Torch.cat(java.util.List.of(Torch.zeros(new long[] {n}, dev.torch4j.DType.INT64),
                    Torch.ones(new long[] {n}, dev.torch4j.DType.INT64)), 0);
            return new Tensor[] {s.keep(x), s.keep(y)};
        }
    }

    /** Uniform(-1/sqrt(fanIn), 1/sqrt(fanIn)) as PyTorch's Linear default for the bias. */
    static Tensor uniform(double bound, long... shape) {
        try (Scope s = Torch.scope()) {
            return s.keep(Torch.rand(shape).mul(2 * bound).sub(bound).requiresGrad_());
        }
    }

    public static void main(String[] args) {
        Torch.manualSeed(0);
        Tensor[] data = spirals(200);
        Tensor x = data[0], y = data[1];
        long hidden = 64;
        Tensor[] params = {
            uniform(1 / Math.sqrt(2), 2, hidden), uniform(1 / Math.sqrt(2), hidden),
            uniform(1 / Math.sqrt(hidden), hidden, hidden), uniform(1 / Math.sqrt(hidden), hidden),
            uniform(1 / Math.sqrt(hidden), hidden, 2), uniform(1 / Math.sqrt(hidden), 2),
        };
        Tensor[] velocity = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) velocity[i] = Torch.zerosLike(params[i]);
        double lr = 0.3, momentum = 0.9;
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= 2000; epoch++) {
            try (Scope s = Torch.scope()) {
                Tensor h1 = x.matmul(params[0]).add(params[1]).tanh();
                Tensor h2 = h1.matmul(params[2]).add(params[3]).tanh();
                Tensor logits = h2.matmul(params[4]).add(params[5]);
                // cross entropy = mean(-log_softmax[label])
                Tensor loss = logits.logSoftmax(1).gather(1, y.unsqueeze(1)).neg().mean();
                loss.backward();
                try (var ng = Torch.noGrad()) {
                    for (int i = 0; i < params.length; i++) {
                        Tensor g = params[i].grad();
                        velocity[i].mul_(momentum).add_(g);
                        params[i].sub_(velocity[i].mul(lr));
                        params[i].zeroGrad();
                    }
                }
                if (epoch == 1 || epoch % 250 == 0) {
                    double acc = logits.argmax(1, false).eq(y).to(dev.torch4j.DType.FLOAT32).mean().item();
                    System.out.printf("epoch %3d  loss %.4f  accuracy %.3f%n", epoch, loss.item(), acc);
                }
            }
        }
        System.out.printf("trained %d parameters in %.2f s%n",
                java.util.Arrays.stream(params).mapToLong(Tensor::numel).sum(), (System.nanoTime() - start) / 1e9);
        for (Tensor t : params) t.close();
        for (Tensor t : velocity) t.close();
        x.close();
        y.close();
    }
}
