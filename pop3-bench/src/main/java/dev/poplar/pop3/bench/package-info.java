/**
 * A POP3 load generator and the harness that runs the same loads against Poplar and its peers (Dovecot,
 * GreenMail and a canned-reply server that measures the generator's own ceiling).
 *
 * <p>{@link dev.poplar.pop3.bench.BenchMain} is the entry point of {@code run.sh}; {@link
 * dev.poplar.pop3.bench.Target} is the seam through which a server under test is started and stopped.
 */
package dev.poplar.pop3.bench;
