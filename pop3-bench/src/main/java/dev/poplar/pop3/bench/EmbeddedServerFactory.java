package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Starts a POP3 server inside the harness's own JVM, for the warm start-up measurement ("new server" to the
 * first successful login, median of 100 in one JVM). Implementations are found with {@link
 * java.util.ServiceLoader} and matched to a target by {@link #target()}.
 *
 * <p>This is where Poplar's in-process start plugs in: a factory named {@code poplar} that builds a
 * {@code Pop3Server} over a {@code pop3-store-maildir} store of {@code maildirRoot} and the passwd-file
 * ({@code pop3-auth-passwd}), binds 127.0.0.1 port 0 and starts it, listed in
 * {@code META-INF/services/dev.poplar.pop3.bench.EmbeddedServerFactory}. A second factory for {@code poplar} starts
 * the test kit's in-memory server instead ({@link #testServer()}), for the test-server row.
 */
public interface EmbeddedServerFactory {

    /** The name of the target this factory starts in-process, such as {@code greenmail}. */
    String target();

    /**
     * Whether this is how an application embeds the target: measured in the warm start-up row. Default true.
     *
     * @return true for the warm start-up row
     */
    default boolean embedded() {
        return true;
    }

    /**
     * Whether this is the target's server for tests (in memory, seeded at each start, as a test writer starts it):
     * measured in the test-server start-up row. Default false.
     *
     * @return true for the test-server row
     */
    default boolean testServer() {
        return false;
    }

    /**
     * Builds and starts a new server serving {@code maildirRoot} (a folder per user) to the users of
     * {@code usersFile} ({@code user:{PLAIN}password} lines), plain POP3 on a free loopback port.
     *
     * @return the running server; the caller closes it
     * @throws IOException if it cannot be built or started
     */
    EmbeddedServer start(Path maildirRoot, Path usersFile) throws IOException;

    /** A server running inside this JVM. */
    interface EmbeddedServer extends AutoCloseable {

        /** Where it serves plain POP3. */
        InetSocketAddress address();

        /** Stops it and frees its port; never throws. */
        @Override
        void close();

        /** A running server at {@code address} that {@code stop} stops (and must not throw). */
        static EmbeddedServer of(InetSocketAddress address, Runnable stop) {
            return new EmbeddedServer() {
                @Override
                public InetSocketAddress address() {
                    return address;
                }

                @Override
                public void close() {
                    stop.run();
                }
            };
        }
    }
}
