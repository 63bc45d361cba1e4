package dev.torch4j.io;

import java.io.IOException;

/**
 * A safetensors file breaks a rule of the format. The message names the file, the broken rule and, where
 * there is one, the tensor: {@code "model.safetensors: overlapping data_offsets: tensor 'b' [8, 24) overlaps
 * tensor 'a' [0, 16)"}.
 *
 * <p>It is an {@link IOException}: a malformed file is bad input from the file system, and callers that
 * already handle {@code IOException} from {@link SafeTensors#load} handle this too. Catch it separately
 * to tell a corrupt or hostile file apart from a missing or unreadable one.
 */
public final class SafeTensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String rule;

    SafeTensorsFormatException(String rule, String message) {
        super(message);
        this.rule = rule;
    }

    /** The broken rule in a few words, as it appears in the message (e.g. {@code "overlapping data_offsets"}). */
    public String rule() {
        return rule;
    }
}
