/**
 * Runnable Poplar examples: {@link dev.poplar.examples.PoplarServer}, the demo and standalone server, and
 * {@link dev.poplar.examples.EmbeddingExample}, the embedding example of the README.
 */
package dev.poplar.examples;
