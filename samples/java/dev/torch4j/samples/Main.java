package dev.torch4j.samples;

import java.util.Arrays;

/**
 * The main job (README's first command). Until the BERT / GPT-2 CLI lands it runs the embedded default:
 * a two-layer network trained with autograd on a synthetic two-spirals set, printing losses and accuracy.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && !args[0].equals("spirals")) {
            System.err.println("usage: Main [spirals]   (default: spirals)");
            System.err.println("unknown command: " + Arrays.toString(args));
            System.exit(2);
        }
        SpiralClassifier.main(new String[0]);
    }
}
