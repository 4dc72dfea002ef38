package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;

/**
 * Sessions per second: each of {@code clients} threads repeats connect, USER/PASS, STAT, QUIT (waiting for the
 * server to close) on its own mailbox for a fixed time. Over TLS all connections share one client context.
 */
final class SessionLoad {

    private SessionLoad() {
    }

    /**
     * Runs the load once.
     *
     * @param users one user per client
     * @param tls   the shared client context for implicit TLS, or {@code null} for plain
     */
    static Result run(InetSocketAddress address, SSLContext tls, List<String> users, Duration duration)
            throws InterruptedException {
        LongAdder sessions = new LongAdder();
        LongAdder resumed = new LongAdder();
        RunFailures failures = new RunFailures();
        ClientThreads.Span span = ClientThreads.runTogether("session-load", users, (user, released) -> {
            long deadline = released + duration.toNanos();
            while (System.nanoTime() < deadline) {
                try (Pop3Client client = Pop3Client.connect(address, tls)) {
                    client.login(user, Fixture.PASSWORD);
                    client.command("STAT");
                    client.quit();
                    sessions.increment();
                    if (client.resumed()) {
                        resumed.increment();
                    }
                } catch (IOException e) {
                    failures.add(e);
                }
            }
        }, failures);
        return new Result(sessions.sum(), span.seconds(), resumed.sum(), failures, span.cpuSeconds());
    }

    /**
     * One run's outcome.
     *
     * @param sessions complete sessions
     * @param seconds  wall time from the start signal until the last client stopped
     * @param resumed  TLS handshakes that resumed a session
     * @param failures failed sessions
     * @param generatorCpuSeconds CPU time the load generator used over the run
     */
    record Result(long sessions, double seconds, long resumed, RunFailures failures, double generatorCpuSeconds) {
        double perSecond() {
            return sessions / seconds;
        }
    }
}
