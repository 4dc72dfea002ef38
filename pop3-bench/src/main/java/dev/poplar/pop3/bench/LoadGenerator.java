package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * What drives the session and RETR loads: the C generator ({@link CLoadGenerator}, the run's figures) or the Java
 * one in this JVM ({@link JavaLoadGenerator}, a cross-check). Both report the same figures, including the CPU
 * they used themselves.
 */
interface LoadGenerator {

    /** {@code c} or {@code java}: how options and reports name it. */
    String name();

    /** One line on how it works, for the report. */
    String description();

    /**
     * Sessions per second: each client repeats connect, login, STAT, QUIT on its own mailbox for {@code duration}.
     *
     * @param tls the client side of implicit TLS, or {@code null} for plain
     * @throws IOException if the generator itself fails (failed sessions are counted in the result instead)
     */
    SessionLoad.Result sessions(InetSocketAddress address, ClientSide tls, List<String> users, Duration duration)
            throws IOException, InterruptedException;

    /**
     * RETR throughput: each client downloads messages 1 to {@code messages} of its mailbox, checking their size.
     *
     * @param tls the client side of implicit TLS, or {@code null} for plain
     * @throws IOException if the generator itself fails (failed clients are counted in the result instead)
     */
    RetrLoad.Result retr(InetSocketAddress address, ClientSide tls, List<String> users, int messages, int size)
            throws IOException, InterruptedException;

    /**
     * The client side of TLS against one server.
     *
     * @param certificate the certificate to trust (PEM), for the C generator
     * @param context     a client context trusting it, shared by every connection of the Java generator (so that
     *                    servers that allow it resume sessions)
     * @param resume      whether the C generator's clients resume their previous session (TLS 1.3 tickets), as
     *                    polling mail clients do; without it every handshake is a full one
     */
    record ClientSide(Path certificate, SSLContext context, boolean resume) {

        /**
         * Trusting exactly the fixture's current certificate; full handshakes.
         *
         * @throws IOException if the certificate cannot be read
         */
        static ClientSide trusting(Fixture fixture) throws IOException {
            return new ClientSide(fixture.certificate(), ClientTls.trusting(fixture.certificate()), false);
        }

        /** @return the same, with clients that resume their previous session */
        ClientSide resuming() {
            return new ClientSide(certificate, context, true);
        }
    }
}
