package dev.poplar.pop3.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** Start-up: time from "new server" to the first successful login, in a fresh process and in this JVM. */
final class StartupLoad {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private StartupLoad() {
    }

    /**
     * Launches the target's process over a fixture and times it to the first login, then stops it.
     *
     * @return milliseconds from launch to the first successful login
     * @throws IOException if the target does not start
     */
    static double fresh(Target target, Fixture fixture, String user) throws IOException {
        try {
            return target.start(fixture, Endpoints.free(), user, TIMEOUT).toNanos() / 1e6;
        } finally {
            target.close();
        }
    }

    /**
     * Builds, starts, logs in to and stops a server in this JVM {@code times} times, after a fifth as many
     * unmeasured starts that warm the JVM up (class loading, JIT) for this server as for every other.
     *
     * @return milliseconds from "new server" to the first successful login, one per measured start
     * @throws IOException if a start or a login fails
     */
    static List<Double> warm(EmbeddedServerFactory factory, Fixture fixture, String user, int times)
            throws IOException {
        int warmUp = Math.max(1, times / 5);
        List<Double> millis = new ArrayList<>(times + warmUp);
        for (int i = 0; i < times + warmUp; i++) {
            long start = System.nanoTime();
            try (EmbeddedServerFactory.EmbeddedServer server = factory.start(fixture.maildirRoot(),
                    fixture.usersFile())) {
                long deadline = start + TIMEOUT.toNanos();
                while (true) {
                    try (Pop3Client client = Pop3Client.connect(server.address(), null)) {
                        client.login(user, Fixture.PASSWORD);
                        millis.add((System.nanoTime() - start) / 1e6);
                        client.quit();
                        break;
                    } catch (IOException notYet) {
                        if (System.nanoTime() > deadline) {
                            throw notYet;
                        }
                        LockSupport.parkNanos(1_000_000);
                    }
                }
            }
        }
        return millis.subList(warmUp, millis.size());
    }
}
