/**
 * JMH micro-benchmarks of the engine's hot paths: the command line decoder, the RETR encoder against a plain copy,
 * and UIDL/LIST formatting of a large maildrop. Run with
 * {@code java -cp pop3-bench/target/pop3-bench.jar org.openjdk.jmh.Main 'dev.poplar.pop3.bench.jmh.*'}.
 */
package dev.poplar.pop3.bench.jmh;
