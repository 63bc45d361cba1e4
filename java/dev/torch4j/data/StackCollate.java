package dev.torch4j.data;

import java.util.ArrayList;
import java.util.List;

import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** {@link Collate#stack()}. */
final class StackCollate implements Collate<List<Tensor>> {
    static final StackCollate INSTANCE = new StackCollate();

    private StackCollate() {}

    @Override
    public List<Tensor> collate(List<List<Tensor>> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("collate: expected at least one sample");
        int fields = samples.get(0).size();
        for (int i = 1; i < samples.size(); i++)
            if (samples.get(i).size() != fields)
                throw new IllegalArgumentException("collate: sample " + i + " of the batch has " + samples.get(i).size()
                        + " tensors, sample 0 has " + fields);
        List<Tensor> out = new ArrayList<>(fields);
        List<Tensor> column = new ArrayList<>(samples.size());
        for (int f = 0; f < fields; f++) {
            column.clear();
            for (List<Tensor> s : samples) column.add(s.get(f));
            out.add(Torch.stack(column, 0));
        }
        return out;
    }

    @Override
    public String toString() {
        return "Collate.stack()";
    }
}
