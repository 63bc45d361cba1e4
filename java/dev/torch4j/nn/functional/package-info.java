/** Functional forms of layers and losses ({@code torch.nn.functional}): {@link dev.torch4j.nn.functional.F}. */
package dev.torch4j.nn.functional;
