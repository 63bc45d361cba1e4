package dev.torch4j.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.io.SafeTensors;
import dev.torch4j.nn.Module;
import dev.torch4j.optim.Optimizer;
import dev.torch4j.optim.OptimizerStateDict;
import dev.torch4j.optim.lr.LRScheduler;

/**
 * A training checkpoint in one safetensors file: model weights under {@code model.<key>}, optimizer state
 * tensors under {@code optimizer.<key>}, and as string metadata the optimizer hyper-parameters
 * ({@code optimizer}, JSON), the scheduler state ({@code scheduler}, JSON), the global {@code step} and a
 * {@code format} marker. Resuming from it continues the exact trajectory of an uninterrupted run.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORMAT = "torch4j-checkpoint-1";

    private Checkpoint() {}

    /** Writes model, optimizer (may be null), scheduler (may be null) and {@code step} to {@code file} atomically. */
    public static void save(Path file, Module model, Optimizer<?> optimizer, LRScheduler scheduler, long step) throws IOException {
        Objects.requireNonNull(model, "model");
        try (Scope s = Torch.scope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> tensors.put("model." + k, v));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", FORMAT);
            meta.put("step", Long.toString(step));
            if (optimizer != null) {
                OptimizerStateDict sd = optimizer.stateDict();
                sd.tensors().forEach((k, v) -> tensors.put("optimizer." + k, v));
                meta.put("optimizer", JSON.writeValueAsString(sd.hyper()));
            }
            if (scheduler != null) meta.put("scheduler", JSON.writeValueAsString(scheduler.stateDict()));
            SafeTensors.save(file, tensors, meta);
        }
    }

    /**
     * Restores what {@link #save} wrote into existing objects (optimizer / scheduler may be null to skip
     * them) and returns the saved step.
     *
     * @throws IllegalArgumentException when the file is not a torch4j checkpoint or does not fit the objects
     */
    public static long load(Path file, Module model, Optimizer<?> optimizer, LRScheduler scheduler) throws IOException {
        Objects.requireNonNull(model, "model");
        Map<String, String> meta = SafeTensors.loadMetadata(file);
        if (!FORMAT.equals(meta.get("format")))
            throw new IllegalArgumentException(file + ": not a torch4j checkpoint (format " + meta.get("format") + ")");
        try (Scope s = Torch.scope()) {
            Map<String, Tensor> all = SafeTensors.load(file);
            Map<String, Tensor> modelState = new LinkedHashMap<>();
            Map<String, Tensor> optState = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : all.entrySet()) {
                if (e.getKey().startsWith("model.")) modelState.put(e.getKey().substring(6), e.getValue());
                else if (e.getKey().startsWith("optimizer.")) optState.put(e.getKey().substring(10), e.getValue());
                else throw new IllegalArgumentException(file + ": unexpected tensor " + e.getKey());
            }
            model.loadStateDict(modelState);
            if (optimizer != null) {
                String hyper = meta.get("optimizer");
                if (hyper == null) throw new IllegalArgumentException(file + ": checkpoint has no optimizer state");
                Map<String, Object> h = JSON.readValue(hyper, new TypeReference<Map<String, Object>>() {});
                try (OptimizerStateDict sd = new OptimizerStateDict(optState, h)) {
                    optimizer.loadStateDict(sd);
                }
            }
            if (scheduler != null) {
                String st = meta.get("scheduler");
                if (st == null) throw new IllegalArgumentException(file + ": checkpoint has no scheduler state");
                scheduler.loadStateDict(JSON.readValue(st, new TypeReference<Map<String, Object>>() {}));
            }
        }
        try {
            return Long.parseLong(meta.get("step"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": invalid step '" + meta.get("step") + "'");
        }
    }
}
