package dev.poplar.pop3.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A POP3 server under test, run as its own process so that it and the load generator do not share a heap.
 *
 * <p>Lifecycle: {@link #start} once, then loads, then {@link #close} (always called, also after a failed start).
 * This is the seam where Poplar plugs in: {@link Targets#poplar} launches the standalone server jar; any other
 * server is one {@link Launch} away.
 */
interface Target extends AutoCloseable {

    /** The target's name in reports: {@code poplar}, {@code dovecot}, {@code greenmail} or {@code canned}. */
    String name();

    /** Whether the server is a JVM, so that its heap can be read with {@code jcmd}. */
    boolean jvm();

    /**
     * Whether the server keeps processes alive after their sessions end (Dovecot reuses its pop3 processes), so
     * that memory per session must be measured on a freshly started server: idle processes left by earlier loads
     * would otherwise be counted before the sessions open and hide what each session costs.
     */
    boolean restartForMemory();

    /**
     * Starts the server over a fixture and returns once it has served a login on the plain port and a greeting
     * on the TLS port.
     *
     * @param loginUser a fixture user to try logging in as
     * @param timeout   how long the server may take
     * @return the time from launching the process to the first successful login
     * @throws IOException if it does not start, exits, or is not ready in time
     */
    Duration start(Fixture fixture, Endpoints endpoints, String loginUser, Duration timeout) throws IOException;

    /** The server's root process; valid between {@link #start} and {@link #close}. */
    ProcessHandle process();

    /** Stops the server and every process it started; never throws. */
    @Override
    void close();

    /** Builds the command that runs a server; may write configuration into its own work directory first. */
    @FunctionalInterface
    interface Launch {
        /**
         * @param fixture   what to serve
         * @param endpoints where to listen
         * @param workDir   an empty directory the server may own (configuration, state, logs)
         * @return the command line
         * @throws IOException if the configuration cannot be written
         */
        List<String> command(Fixture fixture, Endpoints endpoints, Path workDir) throws IOException;
    }
}
