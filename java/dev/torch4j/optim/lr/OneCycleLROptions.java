package dev.torch4j.optim.lr;

import java.util.Objects;

/**
 * Options of {@link OneCycleLR}: {@code new OneCycleLROptions(0.1, 1000).pctStart(0.25).annealStrategy(LINEAR)}.
 */
public final class OneCycleLROptions {
    /** How the lr moves between the phase end points. */
    public enum AnnealStrategy {
        /** {@code end + (start - end) / 2 * (1 + cos(pi * pct))}. */
        COS,
        /** {@code start + (end - start) * pct}. */
        LINEAR
    }

    private final double maxLr;
    private final int totalSteps;
    private double pctStart = 0.3;
    private AnnealStrategy annealStrategy = AnnealStrategy.COS;
    private boolean cycleMomentum = true;
    private double baseMomentum = 0.85;
    private double maxMomentum = 0.95;
    private double divFactor = 25.0;
    private double finalDivFactor = 1e4;
    private boolean threePhase;

    /**
     * @param maxLr the peak lr of every group, {@code >= 0}
     * @param totalSteps number of steps in the cycle (usually epochs times batches per epoch), {@code > 0}
     */
    public OneCycleLROptions(double maxLr, int totalSteps) {
        if (!(maxLr >= 0)) throw new IllegalArgumentException("Invalid maxLr: " + maxLr + " (expected >= 0)");
        if (totalSteps <= 0)
            throw new IllegalArgumentException("Expected positive integer totalSteps, but got " + totalSteps);
        this.maxLr = maxLr;
        this.totalSteps = totalSteps;
    }

    /** See the constructor. */
    public double maxLr() { return maxLr; }
    /** See the constructor. */
    public int totalSteps() { return totalSteps; }
    /** The value set by {@link #pctStart(double)}. */
    public double pctStart() { return pctStart; }
    /** The value set by {@link #annealStrategy(AnnealStrategy)}. */
    public AnnealStrategy annealStrategy() { return annealStrategy; }
    /** The value set by {@link #cycleMomentum(boolean)}. */
    public boolean cycleMomentum() { return cycleMomentum; }
    /** The value set by {@link #baseMomentum(double)}. */
    public double baseMomentum() { return baseMomentum; }
    /** The value set by {@link #maxMomentum(double)}. */
    public double maxMomentum() { return maxMomentum; }
    /** The value set by {@link #divFactor(double)}. */
    public double divFactor() { return divFactor; }
    /** The value set by {@link #finalDivFactor(double)}. */
    public double finalDivFactor() { return finalDivFactor; }
    /** The value set by {@link #threePhase(boolean)}. */
    public boolean threePhase() { return threePhase; }

    /** Fraction of the cycle spent increasing the lr, in {@code [0, 1]}. Default: 0.3. */
    public OneCycleLROptions pctStart(double pctStart) {
        if (!(pctStart >= 0 && pctStart <= 1))
            throw new IllegalArgumentException("Expected float between 0 and 1 pctStart, but got " + pctStart);
        this.pctStart = pctStart;
        return this;
    }

    /** Annealing shape. Default: {@link AnnealStrategy#COS}. */
    public OneCycleLROptions annealStrategy(AnnealStrategy annealStrategy) {
        this.annealStrategy = Objects.requireNonNull(annealStrategy, "annealStrategy");
        return this;
    }

    /**
     * Cycle the momentum (or Adam's {@code beta1}) inversely to the lr between maxMomentum and baseMomentum.
     * Default: true.
     */
    public OneCycleLROptions cycleMomentum(boolean cycleMomentum) {
        this.cycleMomentum = cycleMomentum;
        return this;
    }

    /** Lowest momentum, reached at the lr peak. Default: 0.85. */
    public OneCycleLROptions baseMomentum(double baseMomentum) {
        this.baseMomentum = baseMomentum;
        return this;
    }

    /** Highest momentum, at the start and end of the cycle. Default: 0.95. */
    public OneCycleLROptions maxMomentum(double maxMomentum) {
        this.maxMomentum = maxMomentum;
        return this;
    }

    /** Initial lr = maxLr / divFactor. Default: 25. */
    public OneCycleLROptions divFactor(double divFactor) {
        if (!(divFactor > 0)) throw new IllegalArgumentException("Invalid divFactor: " + divFactor + " (expected > 0)");
        this.divFactor = divFactor;
        return this;
    }

    /** Final lr = initial lr / finalDivFactor. Default: 1e4. */
    public OneCycleLROptions finalDivFactor(double finalDivFactor) {
        if (!(finalDivFactor > 0))
            throw new IllegalArgumentException("Invalid finalDivFactor: " + finalDivFactor + " (expected > 0)");
        this.finalDivFactor = finalDivFactor;
        return this;
    }

    /**
     * Three phases (up to maxLr, back down to the initial lr, then down to the final lr) instead of two
     * (up, then down to the final lr). Default: false.
     */
    public OneCycleLROptions threePhase(boolean threePhase) {
        this.threePhase = threePhase;
        return this;
    }
}
