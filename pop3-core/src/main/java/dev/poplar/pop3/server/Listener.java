package dev.poplar.pop3.server;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * An address the server accepts connections on, and how they are secured.
 *
 * <p>A plain listener speaks POP3 in clear and offers {@code STLS} (RFC 2595) when the server has TLS configured; an
 * implicit-TLS listener (RFC 8314, port 995 by convention) starts every connection with a TLS handshake.
 *
 * <p>Each listener has a name, unique within a server, that labels its connections in {@code ClientInfo}, events and
 * logs: {@code pop3} and {@code pop3s} unless given with {@link #named(String)}.
 *
 * <p>A listener behind a TCP load balancer learns each client's address from a PROXY protocol header: see
 * {@link #behindProxy(ProxyProtocol)}.
 *
 * @param name the name: 1 to 64 characters among letters, digits, {@code .}, {@code _} and {@code -}
 * @param address the address to bind; port 0 picks a free port, readable after {@link Pop3Server#start()}
 * @param implicitTls whether connections start with TLS
 * @param proxyProtocol whether, and from whom, connections start with a PROXY protocol header
 */
public record Listener(String name, InetSocketAddress address, boolean implicitTls,
                       Optional<ProxyProtocol> proxyProtocol) {

    /**
     * Validates the fields.
     *
     * @param name the name: 1 to 64 characters among letters, digits, {@code .}, {@code _} and {@code -}
     * @param address the address to bind; port 0 picks a free port, readable after {@link Pop3Server#start()}
     * @param implicitTls whether connections start with TLS
     * @param proxyProtocol whether, and from whom, connections start with a PROXY protocol header
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the name is empty, too long or has other characters
     */
    public Listener {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a listener name has 1 to 64 letters, digits, '.', '_' or '-': "
                    + name);
        }
    }

    /**
     * A listener without the PROXY protocol.
     *
     * @param name the name
     * @param address the address to bind
     * @param implicitTls whether connections start with TLS
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the name is not valid
     */
    public Listener(String name, InetSocketAddress address, boolean implicitTls) {
        this(name, address, implicitTls, Optional.empty());
    }

    /**
     * A plain listener named {@code pop3} (offering {@code STLS} when TLS is configured).
     *
     * @param host the host name or literal address to bind, e.g. {@code "127.0.0.1"} or {@code "0.0.0.0"}
     * @param port the port, 0 for a free one
     * @return the listener
     */
    public static Listener plain(String host, int port) {
        return new Listener("pop3", new InetSocketAddress(host, port), false);
    }

    /**
     * An implicit-TLS listener (pop3s) named {@code pop3s}.
     *
     * @param host the host name or literal address to bind
     * @param port the port, 0 for a free one
     * @return the listener
     */
    public static Listener implicitTls(String host, int port) {
        return new Listener("pop3s", new InetSocketAddress(host, port), true);
    }

    /**
     * This listener under another name.
     *
     * @param name the name
     * @return a listener like this one, named
     * @throws IllegalArgumentException if the name is not valid
     */
    public Listener named(String name) {
        return new Listener(name, address, implicitTls, proxyProtocol);
    }

    /**
     * This listener behind a load balancer that sends a PROXY protocol header (v1 or v2) first on each connection.
     *
     * @param proxy the trusted balancers and the header timeout
     * @return a listener like this one, expecting headers from {@code proxy}'s trusted sources
     * @throws NullPointerException if {@code proxy} is null
     */
    public Listener behindProxy(ProxyProtocol proxy) {
        return new Listener(name, address, implicitTls, Optional.of(Objects.requireNonNull(proxy, "proxy")));
    }
}
