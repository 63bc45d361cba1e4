/** Parameter initialisers ({@code torch.nn.init}): {@link dev.torch4j.nn.init.Init}. */
package dev.torch4j.nn.init;
