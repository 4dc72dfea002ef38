package dev.poplar.pop3.server;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * An address the server accepts connections on, and how they are secured.
 *
 * <p>A plain listener speaks POP3 in clear and offers {@code STLS} (RFC 2595) when the server has TLS configured; an
 * implicit-TLS listener (RFC 8314, port 995 by convention) starts every connection with a TLS handshake.
 *
 * @param address the address to bind; port 0 picks a free port, readable after {@link Pop3Server#start()}
 * @param implicitTls whether connections start with TLS
 */
public record Listener(InetSocketAddress address, boolean implicitTls) {

    /**
     * Validates the address.
     *
     * @throws NullPointerException if {@code address} is null
     */
    public Listener {
        Objects.requireNonNull(address, "address");
    }

    /**
     * A plain listener (offering {@code STLS} when TLS is configured).
     *
     * @param host the host name or literal address to bind, e.g. {@code "127.0.0.1"} or {@code "0.0.0.0"}
     * @param port the port, 0 for a free one
     * @return the listener
     */
    public static Listener plain(String host, int port) {
        return new Listener(new InetSocketAddress(host, port), false);
    }

    /**
     * An implicit-TLS listener (pop3s).
     *
     * @param host the host name or literal address to bind
     * @param port the port, 0 for a free one
     * @return the listener
     */
    public static Listener implicitTls(String host, int port) {
        return new Listener(new InetSocketAddress(host, port), true);
    }
}
