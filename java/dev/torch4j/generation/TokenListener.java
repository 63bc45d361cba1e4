package dev.torch4j.generation;

/** Receives each generated token as soon as it is chosen (streaming), before the next forward runs. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param row the batch row
     * @param step 0 for the first new token
     * @param tokenId the token chosen for {@code row} (rows that already stopped are not reported)
     */
    void onToken(int row, int step, long tokenId);
}
