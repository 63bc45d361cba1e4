/** An optional training loop ({@link dev.torch4j.training.Trainer}), metrics, history and loss-curve charts. */
package dev.torch4j.training;
