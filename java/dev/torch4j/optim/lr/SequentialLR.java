package dev.torch4j.optim.lr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.torch4j.optim.Optimizer;
import dev.torch4j.optim.ParamGroup;

/**
 * Runs schedulers one after another, switching at milestone epochs (e.g. a {@link LinearLR} warmup, then
 * {@link CosineAnnealingLR}), as PyTorch 1.13's {@code SequentialLR}. At milestone {@code m_k} scheduler
 * {@code k+1} restarts from epoch 0 (its closed form when it has one). Build the inner schedulers on the
 * same optimizer right before this one; this constructor undoes their initial steps and re-applies the
 * first scheduler's epoch 0.
 */
public final class SequentialLR extends LRScheduler {
    private final List<LRScheduler> schedulers;
    private final int[] milestones;
    private double[] last;

    /**
     * @param schedulers at least one, all on {@code optimizer}
     * @param milestones {@code schedulers.size() - 1} increasing epochs at which the next scheduler starts
     */
    public SequentialLR(Optimizer<?> optimizer, List<? extends LRScheduler> schedulers, int[] milestones) {
        super(optimizer);
        Objects.requireNonNull(schedulers, "schedulers");
        Objects.requireNonNull(milestones, "milestones");
        if (schedulers.isEmpty()) throw new IllegalArgumentException("schedulers: expected at least one scheduler");
        for (int i = 0; i < schedulers.size(); i++)
            if (schedulers.get(i).optimizer != optimizer)
                throw new IllegalArgumentException("Sequential Schedulers expects all schedulers to belong to the same"
                        + " optimizer, but got schedulers at index " + i + " to be different than the optimizer passed in.");
        if (milestones.length != schedulers.size() - 1)
            throw new IllegalArgumentException("Sequential Schedulers expects number of schedulers provided to be one more"
                    + " than the number of milestone points, but got number of schedulers " + schedulers.size()
                    + " and the number of milestones to be equal to " + milestones.length);
        for (int i = 1; i < milestones.length; i++)
            if (milestones[i] < milestones[i - 1])
                throw new IllegalArgumentException("milestones: expected increasing epochs, got " + Arrays.toString(milestones));
        this.schedulers = List.copyOf(schedulers);
        this.milestones = milestones.clone();
        this.lastEpoch = 0;
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) optimizer.setLr(i, groups.get(i).initialLr().getAsDouble());
        for (LRScheduler s : this.schedulers) s.lastEpoch -= 1;
        this.schedulers.get(0).initialStep();
        this.last = this.schedulers.get(0).getLastLr();
    }

    @Override
    public void step() {
        lastEpoch++;
        int idx = 0;
        while (idx < milestones.length && milestones[idx] <= lastEpoch) idx++;
        LRScheduler s = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == lastEpoch) s.stepTo(0);
        else s.step();
        last = s.getLastLr();
    }

    @Override
    protected double[] computeLr() {
        throw new UnsupportedOperationException("SequentialLR delegates to its schedulers");
    }

    @Override
    public double[] getLastLr() {
        return last.clone();
    }

    /** Its own counters plus {@code "_schedulers"}: the inner schedulers' state dicts, in order. */
    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("last_epoch", lastEpoch);
        m.put("_last_lr", toList(last));
        List<Object> inner = new ArrayList<>();
        for (LRScheduler s : schedulers) inner.add(s.stateDict());
        m.put("_schedulers", inner);
        return m;
    }

    @Override
    public void loadStateDict(Map<String, ?> state) {
        Objects.requireNonNull(state, "state");
        int epoch = intValue(state, "last_epoch");
        double[] lastLr = doubles(state, "_last_lr", groups());
        if (!(state.get("_schedulers") instanceof List<?> inner) || inner.size() != schedulers.size())
            throw new IllegalArgumentException("loadStateDict: \"_schedulers\": expected a list of " + schedulers.size()
                    + " state dicts, got " + state.get("_schedulers"));
        for (int i = 0; i < inner.size(); i++) {
            if (!(inner.get(i) instanceof Map<?, ?> sm))
                throw new IllegalArgumentException("loadStateDict: \"_schedulers\"[" + i + "]: expected a map");
            @SuppressWarnings("unchecked")
            Map<String, ?> typed = (Map<String, ?>) sm;
            schedulers.get(i).loadStateDict(typed);
        }
        lastEpoch = epoch;
        last = lastLr;
    }
}
