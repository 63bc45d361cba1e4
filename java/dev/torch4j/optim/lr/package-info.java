/**
 * Learning-rate schedulers, matching PyTorch 1.13's {@code torch.optim.lr_scheduler} value for value when
 * stepped once per epoch (the chainable form): {@link dev.torch4j.optim.lr.StepLR},
 * {@link dev.torch4j.optim.lr.MultiStepLR}, {@link dev.torch4j.optim.lr.ExponentialLR},
 * {@link dev.torch4j.optim.lr.CosineAnnealingLR}, {@link dev.torch4j.optim.lr.LinearLR},
 * {@link dev.torch4j.optim.lr.LambdaLR}, {@link dev.torch4j.optim.lr.OneCycleLR} (stepped once per batch),
 * {@link dev.torch4j.optim.lr.SequentialLR} (e.g. warmup then decay) and
 * {@link dev.torch4j.optim.lr.ReduceLROnPlateau} (driven by a metric).
 *
 * <pre>{@code
 * SGD opt = new SGD(model.parameters(), new SGDOptions(0.1).momentum(0.9));
 * LRScheduler sched = new SequentialLR(opt,
 *         List.of(new LinearLR(opt, 0.1, 1.0, 5), new CosineAnnealingLR(opt, 95)), new int[] {5});
 * for (int epoch = 0; epoch < 100; epoch++) {
 *     trainOneEpoch(opt);      // opt.step() per batch
 *     sched.step();
 * }
 * }</pre>
 *
 * <p>A scheduler writes each group's lr into the optimizer ({@code Optimizer.setLr}); constructing one
 * already applies the schedule's value for epoch 0. {@code stateDict()} returns the counters as a
 * JSON-able map; restoring a scheduler also needs the optimizer's own state dict (it holds the current lrs).
 */
package dev.torch4j.optim.lr;
