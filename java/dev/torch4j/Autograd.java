package dev.torch4j;

import java.util.List;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** Functional autograd, as {@code torch.autograd}: reached through {@link Torch#autograd}. */
public final class Autograd {
    Autograd() {}

    /** Gradients of the scalar {@code output} with respect to each of {@code inputs}. */
    public List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        return grad(List.of(output), inputs, null, false, false);
    }

    /**
     * Gradients of {@code outputs} (weighted by {@code gradOutputs}, which may be null for scalar outputs)
     * with respect to {@code inputs}. With {@code createGraph} the result can be differentiated again.
     * An input that does not influence the outputs gets a null entry.
     */
    public List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                             boolean retainGraph, boolean createGraph) {
        if (outputs.isEmpty()) throw new IllegalArgumentException("outputs: expected at least one tensor");
        if (inputs.isEmpty()) throw new IllegalArgumentException("inputs: expected at least one tensor");
        if (gradOutputs != null && gradOutputs.size() != outputs.size())
            throw new IllegalArgumentException("gradOutputs: expected " + outputs.size() + " tensors (one per output), got "
                    + gradOutputs.size());
        for (int i = 0; i < inputs.size(); i++)
            if (!Tensor.h(inputs.get(i), "inputs[" + i + "]").requires_grad())
                throw new IllegalArgumentException("inputs[" + i + "]: does not require grad");
        try (TensorVector out = Tensor.vector(outputs, "outputs");
             TensorVector in = Tensor.vector(inputs, "inputs");
             TensorVector go = gradOutputs == null ? new TensorVector() : Tensor.vector(gradOutputs, "gradOutputs");
             BoolOptional retain = new BoolOptional(retainGraph || createGraph)) {
            return Tensor.list(() -> torch.grad(out, in, go, retain, createGraph, true)).stream()
                    .map(Autograd::nullIfUndefined).toList();
        } catch (RuntimeException e) {
            throw Native.translate(e);
        }
    }

    private static Tensor nullIfUndefined(Tensor t) {
        if (t.unwrap().defined()) return t;
        t.close();
        return null;
    }

}
