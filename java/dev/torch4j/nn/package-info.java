/**
 * Neural-network modules ({@code torch.nn}): {@link dev.torch4j.nn.Module} and layers whose parameter and
 * buffer names match PyTorch's, so state dicts move between the two unchanged.
 */
package dev.torch4j.nn;
