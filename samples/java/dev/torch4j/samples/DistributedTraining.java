package dev.torch4j.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;

import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;
import dev.torch4j.data.Batch;
import dev.torch4j.data.DataLoader;
import dev.torch4j.data.DataLoaderOptions;
import dev.torch4j.data.TensorDataset;
import dev.torch4j.distributed.Backend;
import dev.torch4j.distributed.DistributedDataParallel;
import dev.torch4j.distributed.DistributedSampler;
import dev.torch4j.distributed.LocalLauncher;
import dev.torch4j.distributed.ProcessGroup;
import dev.torch4j.distributed.ReduceOp;
import dev.torch4j.nn.Linear;
import dev.torch4j.nn.MSELoss;
import dev.torch4j.nn.Module;
import dev.torch4j.nn.ReLU;
import dev.torch4j.nn.Sequential;
import dev.torch4j.nn.functional.F;
import dev.torch4j.optim.Adam;
import dev.torch4j.optim.AdamOptions;
import dev.torch4j.optim.SGD;
import dev.torch4j.optim.SGDOptions;

/**
 * Data-parallel training of the character-level {@link TransformerLM} (default) or of an MLP over local worker processes, as PyTorch's DDP tutorial under
 * {@code torchrun --standalone --nproc-per-node=2}: {@code main} starts the workers with {@link LocalLauncher};
 * each {@link Worker} joins the group from the environment, takes its share of every epoch through a
 * {@link DistributedSampler}, and {@link DistributedDataParallel} averages the gradients.
 *
 * <p>Run: {@code java -cp ... dev.torch4j.samples.DistributedTraining [processes] [epochs] [lm|mlp]} from the
 * repository root ({@code lm} reads {@code samples/data/tiny_text.txt}). On a cluster, run {@link Worker} with
 * the arguments {@code epochs [lm|mlp]} on every node with {@code RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR},
 * {@code MASTER_PORT} set.
 */
public final class DistributedTraining {
    private DistributedTraining() {}

    public static void main(String[] args) {
        int processes = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String model = args.length > 2 ? args[2] : "lm";
        String epochs = args.length > 1 ? args[1] : model.equals("lm") ? "3" : "5";
        LocalLauncher.Result result = new LocalLauncher(processes)
                .jvmArgs("-Xmx512m")
                .timeout(Duration.ofMinutes(5))
                .echo(true)
                .launch(Worker.class, epochs, model);
        System.out.print(result);
        result.throwIfFailed();
    }

    /** Adam steps per epoch of the language model on each rank. */
    static final int LM_STEPS_PER_EPOCH = 40;

    /**
     * One rank. Arguments: {@code epochs [lm|mlp]} (default {@code mlp}). {@code mlp}: y = sum(x) + noise, fitted by
     * a 8 -> 32 -> 1 MLP. {@code lm}: {@link TransformerLM} on random windows of {@code samples/data/tiny_text.txt}.
     */
    public static final class Worker {
        private Worker() {}

        public static void main(String[] args) {
            int epochs = Integer.parseInt(args[0]);
            Torch.setNumThreads(1);
            if (args.length > 1 && args[1].equals("lm")) {
                trainLanguageModel(epochs);
                return;
            }
            try (ProcessGroup pg = ProcessGroup.fromEnv(Backend.GLOO, Duration.ofMinutes(2));
                    Scope data = Torch.scope()) {
                // Every rank makes the same dataset; the sampler gives each rank a different quarter, half, ...
                Torch.manualSeed(0);
                Tensor x = Torch.randn(512, 8);
                Tensor y = x.sum(1, true).add(Torch.randn(512, 1).mul(0.1));
                TensorDataset dataset = new TensorDataset(x, y);
                DistributedSampler sampler = new DistributedSampler(dataset.size(), pg).seed(42);

                Module mlp = new Sequential(new Linear(8, 32), new ReLU(), new Linear(32, 1));
                try (DistributedDataParallel model = new DistributedDataParallel(mlp, pg);
                        SGD optimizer = new SGD(model.parameters(), new SGDOptions(0.05).momentum(0.9))) {
                    MSELoss lossFn = new MSELoss();
                    for (int epoch = 0; epoch < epochs; epoch++) {
                        sampler.setEpoch(epoch);
                        DataLoader loader = new DataLoader(sampler.subset(dataset), new DataLoaderOptions().batchSize(32));
                        double sum = 0;
                        long batches = 0;
                        for (Batch batch : loader) {
                            try (batch; Scope step = Torch.scope()) {
                                optimizer.zeroGrad();
                                Tensor loss = lossFn.forward(model.forward(batch.get(0)), batch.get(1));
                                model.backward(loss); // backward + gradient all-reduce (average over ranks)
                                optimizer.step();
                                sum += loss.item();
                                batches++;
                            }
                        }
                        try (Tensor mean = Torch.scalarTensor(sum / batches)) {
                            pg.allReduce(mean, ReduceOp.AVG);
                            System.out.printf("rank %d epoch %d loss %.4f (mean over ranks %.4f)%n", pg.rank(), epoch,
                                    sum / batches, mean.item());
                        }
                    }
                }
            }
        }

        /**
         * Every rank builds the same vocabulary and model (DDP copies rank 0's weights anyway), draws its own
         * {@link TransformerLM#BATCH} random windows per step (the generator is seeded by rank) and takes the same
         * Adam step from the averaged gradients: an effective batch of {@code BATCH * worldSize} windows.
         */
        static void trainLanguageModel(int epochs) {
            String text;
            try {
                text = Files.readString(Path.of("samples", "data", "tiny_text.txt"), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            StringBuilder vocab = new StringBuilder();
            new TreeSet<>(text.chars().boxed().toList()).forEach(vocab::appendCodePoint);
            String chars = vocab.toString();
            long v = chars.length(), t = TransformerLM.CONTEXT;
            try (ProcessGroup pg = ProcessGroup.fromEnv(Backend.GLOO, Duration.ofMinutes(2));
                    Tensor data = Torch.tensor(text.chars().mapToLong(chars::indexOf).toArray())) {
                Torch.manualSeed(0);
                try (DistributedDataParallel model = new DistributedDataParallel(new TransformerLM(v), pg);
                        Adam optimizer = new Adam(model.parameters(), new AdamOptions(3e-3))) {
                    Torch.manualSeed(1 + pg.rank()); // each rank its own windows
                    for (int epoch = 0; epoch < epochs; epoch++) {
                        double sum = 0;
                        for (int i = 0; i < LM_STEPS_PER_EPOCH; i++) {
                            try (Scope step = Torch.scope()) {
                                Tensor ix = Torch.randint(0, data.size(0) - t - 1, TransformerLM.BATCH);
                                Tensor idx = ix.unsqueeze(1).add(Torch.arange(t)); // (B, T)
                                Tensor x = data.index(idx), y = data.index(idx.add(1));
                                optimizer.zeroGrad();
                                Tensor loss = F.crossEntropy(model.forward(x).view(-1, v), y.view(-1));
                                model.backward(loss);
                                optimizer.step();
                                sum += loss.item();
                            }
                        }
                        try (Tensor mean = Torch.scalarTensor(sum / LM_STEPS_PER_EPOCH)) {
                            pg.allReduce(mean, ReduceOp.AVG);
                            System.out.printf("rank %d epoch %d loss %.4f (mean over ranks %.4f)%n", pg.rank(), epoch,
                                    sum / LM_STEPS_PER_EPOCH, mean.item());
                        }
                    }
                }
            }
        }
    }
}
