package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;

/**
 * RETR throughput: each client logs in to its own mailbox and downloads messages 1 to {@code messages} one after
 * the other (no pipelining, as a mail client does), checking each message's size against the fixture's.
 */
final class RetrLoad {

    private RetrLoad() {
    }

    /**
     * Runs the load once.
     *
     * @param users    one user per client
     * @param messages how many messages each client downloads
     * @param size     the size of each message, CRLF line ends
     * @param tls      the shared client context for implicit TLS, or {@code null} for plain
     */
    static Result run(InetSocketAddress address, SSLContext tls, List<String> users, int messages,
                      int size) throws InterruptedException {
        LongAdder octets = new LongAdder();
        LongAdder retrieved = new LongAdder();
        RunFailures failures = new RunFailures();
        ClientThreads.Span span = ClientThreads.runTogether("retr-load", users,
                (user, released) -> download(address, tls, user, messages, size, octets, retrieved), failures);
        return new Result(octets.sum(), retrieved.sum(), span.seconds(), failures, span.cpuSeconds());
    }

    /** One pass of a RETR load: every client downloads its messages once. */
    @FunctionalInterface
    interface Pass {
        Result run() throws IOException, InterruptedException;
    }

    /**
     * Runs passes of a load one after the other until {@code atLeast} has gone by (one pass at least), and adds them
     * up: a pass of one client over 1,000 messages of 50 KiB lasts well under a tenth of a second on a fast server,
     * too short for a steady rate or for CPU read in clock ticks. Stops after a pass with failures or without any
     * message.
     *
     * @param atLeast how long to go on starting passes
     * @param pass one pass
     * @return the passes' octets, messages, seconds and generator CPU added up, and their failures
     */
    static Result repeat(Duration atLeast, Pass pass) throws IOException, InterruptedException {
        return repeat(atLeast, pass, System::nanoTime);
    }

    /**
     * {@link #repeat(Duration, Pass)} with the clock given, so that a test decides when time has gone by.
     *
     * @param atLeast how long to go on starting passes
     * @param pass one pass
     * @param nanoTime the clock, in nanoseconds as {@link System#nanoTime()}
     * @return the passes added up
     */
    static Result repeat(Duration atLeast, Pass pass, LongSupplier nanoTime)
            throws IOException, InterruptedException {
        long until = nanoTime.getAsLong() + atLeast.toNanos();
        long octets = 0;
        long messages = 0;
        double seconds = 0;
        double cpu = 0;
        RunFailures failures = new RunFailures();
        while (true) {
            Result one = pass.run();
            octets += one.octets();
            messages += one.messages();
            seconds += one.seconds();
            cpu += one.generatorCpuSeconds();
            failures.addAll(one.failures().count(), one.failures().first());
            if (one.failures().count() > 0 || one.messages() == 0 || nanoTime.getAsLong() >= until) {
                return new Result(octets, messages, seconds, failures, cpu);
            }
        }
    }

    private static void download(InetSocketAddress address, SSLContext tls, String user, int messages, int size,
                                 LongAdder octets, LongAdder retrieved) throws IOException {
        try (Pop3Client client = Pop3Client.connect(address, tls)) {
            client.login(user, Fixture.PASSWORD);
            String[] stat = client.command("STAT").split(" ");
            if (stat.length < 2 || Integer.parseInt(stat[1]) < messages) {
                throw new IOException(user + " holds fewer than " + messages + " messages: " + String.join(" ", stat));
            }
            for (int n = 1; n <= messages; n++) {
                Pop3Client.Body body = client.multiLine("RETR " + n);
                if (body.octets() != size) {
                    throw new IOException("RETR " + n + " of " + user + " sent " + body.octets()
                            + " octets; the fixture's message has " + size);
                }
                octets.add(body.octets());
                retrieved.increment();
            }
            client.quit();
        }
    }

    /**
     * One run's outcome.
     *
     * @param octets   message octets received (as LIST counts them)
     * @param messages messages received
     * @param seconds  wall time from the start signal until the last client finished
     * @param failures failed clients
     * @param generatorCpuSeconds CPU time the load generator used over the run
     */
    record Result(long octets, long messages, double seconds, RunFailures failures, double generatorCpuSeconds) {
        /** Millions of message octets per second. */
        double megabytesPerSecond() {
            return octets / seconds / 1e6;
        }

        /** Seconds per 1,000 messages. */
        double secondsPer1000() {
            return seconds * 1000 / messages;
        }
    }
}
