/**
 * Datasets and batching, as PyTorch's {@code torch.utils.data}: {@link dev.torch4j.data.Dataset},
 * {@link dev.torch4j.data.TensorDataset}, {@link dev.torch4j.data.Subset},
 * {@link dev.torch4j.data.ConcatDataset}, {@link dev.torch4j.data.Dataset#randomSplit random splits},
 * {@link dev.torch4j.data.DataLoader} (batching, seeded shuffling, optional background prefetch) and small
 * CSV tables ({@link dev.torch4j.data.Csv}).
 *
 * <pre>{@code
 * try (CsvDataset table = Csv.read(Path.of("iris.csv"), new CsvOptions().label("species"))) {
 *     List<Subset<List<Tensor>>> parts = Dataset.randomSplit(table, new double[] {0.8, 0.2}, 42);
 *     DataLoader train = new DataLoader(parts.get(0), new DataLoaderOptions().batchSize(16).shuffle(true).seed(0));
 *     for (int epoch = 0; epoch < 10; epoch++) {
 *         for (Batch batch : train) {
 *             try (batch) {
 *                 Tensor x = batch.get(0);   // (B, F) float32
 *                 Tensor y = batch.get(1);   // (B,) int64
 *                 ...
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <h2>Ownership</h2>
 * Datasets borrow the tensors they are built on (except {@link dev.torch4j.data.CsvDataset}, which owns the
 * tensors it read). {@link dev.torch4j.data.Dataset#get} returns new tensors the caller owns. Each
 * {@link dev.torch4j.data.Batch} owns its tensors and belongs to the consumer: closing the batch frees them;
 * a batch not closed is closed by the scope open on the consumer's thread when {@code next()} returned it.
 *
 * <h2>Randomness</h2>
 * Shuffling and {@code randomSplit} draw exactly as PyTorch 1.13 does (a seeded {@code torch.Generator},
 * or the global generator seeded by {@link dev.torch4j.Torch#manualSeed}), so a seed gives the same orders
 * as in Python.
 */
package dev.torch4j.data;
