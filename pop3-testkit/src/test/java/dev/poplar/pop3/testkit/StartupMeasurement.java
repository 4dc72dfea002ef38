package dev.poplar.pop3.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures what a test pays for a fresh server: from building a {@link Pop3TestServer} to the {@code +OK} of the first
 * login (start, connect, greeting, {@code USER}, {@code PASS}), one new server each time, as a test per method would.
 * Closing is not counted. Not a test: run it as a program, or call {@link #measure(int, int)} from a benchmark.
 *
 * <pre>
 * mvn -B -q -pl pop3-testkit -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp pop3-testkit/target/test-classes:pop3-testkit/target/classes:$(cat pop3-testkit/target/cp.txt) \
 *     dev.poplar.pop3.testkit.StartupMeasurement 100
 * </pre>
 */
public final class StartupMeasurement {

    private StartupMeasurement() {
    }

    /**
     * Starts servers one after another and times each from building to the first successful login.
     *
     * @param warmup servers started first and not counted, to warm the JVM
     * @param starts servers timed
     * @return the durations, in order
     */
    public static List<Duration> measure(int warmup, int starts) {
        List<Duration> durations = new ArrayList<>(starts);
        for (int i = 0; i < warmup + starts; i++) {
            Duration took = startAndLogIn();
            if (i >= warmup) {
                durations.add(took);
            }
        }
        return durations;
    }

    private static Duration startAndLogIn() {
        long start = System.nanoTime();
        Pop3TestServer server = Pop3TestServer.builder().user("alice", "s3cret").start();
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            String reply = client.login("alice", "s3cret");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (!reply.startsWith("+OK")) {
                throw new IllegalStateException("login failed: " + reply);
            }
            return took;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            server.close();
        }
    }

    /**
     * The median of some durations.
     *
     * @param durations at least one
     * @return the median
     */
    public static Duration median(List<Duration> durations) {
        List<Duration> sorted = durations.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    /**
     * Prints the median, the fastest and the 90th percentile of {@code args[0]} (default 100) starts after 50
     * unmeasured ones.
     *
     * @param args the number of measured starts
     */
    public static void main(String[] args) {
        int starts = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        List<Duration> durations = measure(50, starts);
        List<Duration> sorted = durations.stream().sorted().toList();
        System.out.printf("start to first login over %d servers: median %.2f ms, fastest %.2f ms, p90 %.2f ms%n",
                starts, millis(median(durations)), millis(sorted.get(0)),
                millis(sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1)));
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1_000_000.0;
    }
}
