package dev.torch4j.optim.lr;

import java.util.Objects;

/** Options of {@link ReduceLROnPlateau}: {@code new ReduceLROnPlateauOptions().mode(Mode.MAX).patience(3)}. */
public final class ReduceLROnPlateauOptions {
    /** Whether the watched metric should go down (a loss) or up (an accuracy). */
    public enum Mode {
        /** Lower is better (a loss). */
        MIN,
        /** Higher is better (an accuracy). */
        MAX
    }

    /** How {@code threshold} defines a significant improvement. */
    public enum ThresholdMode {
        /** Better than {@code best * (1 -/+ threshold)}. */
        REL,
        /** Better than {@code best -/+ threshold}. */
        ABS
    }

    private Mode mode = Mode.MIN;
    private double factor = 0.1;
    private int patience = 10;
    private double threshold = 1e-4;
    private ThresholdMode thresholdMode = ThresholdMode.REL;
    private int cooldown;
    private double minLr;
    private double eps = 1e-8;

    /** The value set by {@link #mode(Mode)}. */
    public Mode mode() { return mode; }
    /** The value set by {@link #factor(double)}. */
    public double factor() { return factor; }
    /** The value set by {@link #patience(int)}. */
    public int patience() { return patience; }
    /** The value set by {@link #threshold(double)}. */
    public double threshold() { return threshold; }
    /** The value set by {@link #thresholdMode(ThresholdMode)}. */
    public ThresholdMode thresholdMode() { return thresholdMode; }
    /** The value set by {@link #cooldown(int)}. */
    public int cooldown() { return cooldown; }
    /** The value set by {@link #minLr(double)}. */
    public double minLr() { return minLr; }
    /** The value set by {@link #eps(double)}. */
    public double eps() { return eps; }

    /** Direction of improvement. Default: {@link Mode#MIN}. */
    public ReduceLROnPlateauOptions mode(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** New lr = lr * factor, {@code factor < 1}. Default: 0.1. */
    public ReduceLROnPlateauOptions factor(double factor) {
        if (!(factor < 1.0)) throw new IllegalArgumentException("Invalid factor: " + factor + " (expected < 1.0)");
        this.factor = factor;
        return this;
    }

    /** Epochs without improvement tolerated before reducing, {@code >= 0}. Default: 10. */
    public ReduceLROnPlateauOptions patience(int patience) {
        if (patience < 0) throw new IllegalArgumentException("Invalid patience: " + patience + " (expected >= 0)");
        this.patience = patience;
        return this;
    }

    /** Smallest change counted as an improvement, {@code >= 0}. Default: 1e-4. */
    public ReduceLROnPlateauOptions threshold(double threshold) {
        if (!(threshold >= 0)) throw new IllegalArgumentException("Invalid threshold: " + threshold + " (expected >= 0)");
        this.threshold = threshold;
        return this;
    }

    /** Relative or absolute threshold. Default: {@link ThresholdMode#REL}. */
    public ReduceLROnPlateauOptions thresholdMode(ThresholdMode thresholdMode) {
        this.thresholdMode = Objects.requireNonNull(thresholdMode, "thresholdMode");
        return this;
    }

    /** Epochs to wait after a reduction before counting bad epochs again, {@code >= 0}. Default: 0. */
    public ReduceLROnPlateauOptions cooldown(int cooldown) {
        if (cooldown < 0) throw new IllegalArgumentException("Invalid cooldown: " + cooldown + " (expected >= 0)");
        this.cooldown = cooldown;
        return this;
    }

    /** Lower bound of every group's lr, {@code >= 0}. Default: 0. */
    public ReduceLROnPlateauOptions minLr(double minLr) {
        if (!(minLr >= 0)) throw new IllegalArgumentException("Invalid minLr: " + minLr + " (expected >= 0)");
        this.minLr = minLr;
        return this;
    }

    /** Reductions smaller than eps are skipped, {@code >= 0}. Default: 1e-8. */
    public ReduceLROnPlateauOptions eps(double eps) {
        if (!(eps >= 0)) throw new IllegalArgumentException("Invalid eps: " + eps + " (expected >= 0)");
        this.eps = eps;
        return this;
    }
}
