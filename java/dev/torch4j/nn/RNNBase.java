package dev.torch4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.torch4j.NN;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.nn.init.Init;

/**
 * Base of {@link RNN}, {@link LSTM} and {@link GRU} over LibTorch's fused recurrent ops. Parameters are named
 * and registered as PyTorch's: per layer {@code k} and direction, {@code weight_ih_lk [G*H, in]},
 * {@code weight_hh_lk [G*H, H]}, {@code bias_ih_lk [G*H]}, {@code bias_hh_lk [G*H]} (suffix {@code _reverse}
 * for the backward direction; {@code G} = 4 for LSTM, 3 for GRU, 1 for RNN; {@code in} is {@code inputSize}
 * for layer 0 and {@code H * numDirections} above), all initialised U(-1/sqrt(H), 1/sqrt(H)) in that order,
 * so {@link Torch#manualSeed} gives PyTorch's numbers.
 *
 * <p>Shapes ({@code L} sequence, {@code N} batch, {@code D} = 2 if bidirectional else 1): input
 * {@code [L, N, inputSize]} ({@code [N, L, inputSize]} with {@code batchFirst}) or unbatched {@code [L, inputSize]};
 * output {@code [L, N, D*H]} (batch first likewise); hidden and cell states {@code [D*numLayers, N, H]}
 * ({@code [D*numLayers, H]} unbatched; never batch first). Packed sequences are not supported.
 */
public abstract class RNNBase extends Module {
    private final String mode;
    final long inputSize, hiddenSize, numLayers;
    final boolean bias, batchFirst, bidirectional;
    final double dropout;
    private final List<String> flatNames = new ArrayList<>();

    /** {@code mode}: {@code "LSTM"}, {@code "GRU"}, {@code "RNN_TANH"} or {@code "RNN_RELU"}. */
    RNNBase(String mode, RNNOptionsBase<?> o) {
        this.mode = mode;
        this.inputSize = o.inputSize;
        this.hiddenSize = o.hiddenSize;
        this.numLayers = o.numLayers;
        this.bias = o.bias;
        this.batchFirst = o.batchFirst;
        this.dropout = o.dropout;
        this.bidirectional = o.bidirectional;
        long gates = switch (mode) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
        long gateSize = gates * hiddenSize;
        int dirs = bidirectional ? 2 : 1;
        for (long layer = 0; layer < numLayers; layer++) {
            for (int dir = 0; dir < dirs; dir++) {
                long layerInput = layer == 0 ? inputSize : hiddenSize * dirs;
                String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
                add("weight_ih" + suffix, Torch.empty(gateSize, layerInput));
                add("weight_hh" + suffix, Torch.empty(gateSize, hiddenSize));
                if (bias) {
                    add("bias_ih" + suffix, Torch.empty(gateSize));
                    add("bias_hh" + suffix, Torch.empty(gateSize));
                }
            }
        }
        resetParameters();
    }

    private void add(String name, Tensor t) {
        registerParameter(name, t);
        flatNames.add(name);
    }

    /** Refills every weight and bias from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)), in registration order. */
    public void resetParameters() {
        double stdv = 1.0 / Math.sqrt(hiddenSize);
        for (String n : flatNames) Init.uniform_(parameter(n), -stdv, stdv);
    }

    /** Features per input time step. */
    public long inputSize() {
        return inputSize;
    }

    /** Features of the hidden state {@code H}. */
    public long hiddenSize() {
        return hiddenSize;
    }

    /** Number of stacked layers. */
    public long numLayers() {
        return numLayers;
    }

    /** Whether every layer also runs backwards ({@code D} = 2). */
    public boolean isBidirectional() {
        return bidirectional;
    }

    /** Whether input and output are {@code [N, L, feature]}. */
    public boolean isBatchFirst() {
        return batchFirst;
    }

    /** The output sequence only, as {@code rnn(input)[0]} in PyTorch (initial states are zeros). */
    @Override
    public Tensor forward(Tensor input) {
        NN.RnnResult r = run(input, null, null);
        r.h().close();
        if (r.c() != null) r.c().close();
        return r.output();
    }

    /** Runs the fused op; null states mean zeros. {@code c0} is used by LSTM only. */
    final NN.RnnResult run(Tensor input, Tensor h0, Tensor c0) {
        checkOpen();
        String name = getClass().getSimpleName();
        int d = input.dim();
        if (d != 2 && d != 3)
            throw new IllegalArgumentException(name + ": expected input to be 2-D or 3-D, got " + d + "-D input of shape "
                    + Arrays.toString(input.shape()));
        if (input.size(-1) != inputSize)
            throw new IllegalArgumentException(name + ": input.size(-1) must be equal to input_size. Expected " + inputSize
                    + ", got " + input.size(-1) + " (input shape " + Arrays.toString(input.shape()) + ")");
        boolean batched = d == 3;
        long batch = batched ? input.size(batchFirst ? 0 : 1) : 1;
        long layers = numLayers * (bidirectional ? 2 : 1);
        long[] stateShape = batched ? new long[] {layers, batch, hiddenSize} : new long[] {layers, hiddenSize};
        checkState(h0, "h0", stateShape);
        checkState(c0, "c0", stateShape);
        List<Tensor> params = new ArrayList<>(flatNames.size());
        for (String n : flatNames) params.add(parameter(n));
        try (Scope s = Torch.scope()) {
            Tensor x = input, h = h0, c = c0;
            if (!batched) {
                x = input.unsqueeze(batchFirst ? 0 : 1);
                if (h != null) h = h.unsqueeze(1);
                if (c != null) c = c.unsqueeze(1);
            }
            long[] full = {layers, batch, hiddenSize};
            if (h == null) h = zeros(full, input);
            NN.RnnResult r;
            if ("LSTM".equals(mode)) {
                if (c == null) c = zeros(full, input);
                r = NN.lstm(x, h, c, params, bias, numLayers, dropout, isTraining(), bidirectional, batchFirst);
            } else {
                r = NN.rnn(mode, x, h, params, bias, numLayers, dropout, isTraining(), bidirectional, batchFirst);
            }
            Tensor out = r.output(), hn = r.h(), cn = r.c();
            if (!batched) {
                out = out.squeeze(batchFirst ? 0 : 1);
                hn = hn.squeeze(1);
                if (cn != null) cn = cn.squeeze(1);
            }
            return new NN.RnnResult(s.keep(out), s.keep(hn), cn == null ? null : s.keep(cn));
        }
    }

    private void checkState(Tensor t, String what, long[] expected) {
        if (t != null && !Arrays.equals(t.shape(), expected))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + what + ": expected hidden size "
                    + Arrays.toString(expected) + " (num_layers * num_directions, batch, hidden_size), got "
                    + Arrays.toString(t.shape()));
    }

    /** Zeros of {@code shape} with the dtype and device of {@code like}. */
    static Tensor zeros(long[] shape, Tensor like) {
        Tensor z = Torch.zeros(shape, like.dtype());
        return like.device().equals(z.device()) ? z : z.to(like.device());
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (numLayers != 1) sb.append(", num_layers=").append(numLayers);
        if (!bias) sb.append(", bias=False");
        if (batchFirst) sb.append(", batch_first=True");
        if (dropout != 0) sb.append(", dropout=").append(pyFloat(dropout));
        if (bidirectional) sb.append(", bidirectional=True");
        return sb.toString();
    }
}
