package dev.poplar.pop3.auth;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What the server knows about the connection a client is on.
 *
 * @param sessionId the server's id of the session, as it appears in logs and events
 * @param listener the name of the listener the connection came in on (see the server's listener configuration)
 * @param remoteAddress the client's address (the original client's, when a trusted proxy passed it on)
 * @param localAddress the server address the client connected to
 * @param secure whether the connection is encrypted with TLS now (implicit TLS, or after {@code STLS}); also when a
 *     trusted load balancer that ended TLS for the client says so, if the server is configured to believe it
 * @param peerCertificates the client's verified certificate chain, leaf first; empty without a client certificate
 */
public record ClientInfo(String sessionId, String listener, InetSocketAddress remoteAddress,
                         InetSocketAddress localAddress, boolean secure, List<X509Certificate> peerCertificates) {

    /**
     * Validates and copies the fields.
     *
     * @param sessionId the server's id of the session, as it appears in logs and events
     * @param listener the name of the listener the connection came in on (see the server's listener configuration)
     * @param remoteAddress the client's address (the original client's, when a trusted proxy passed it on)
     * @param localAddress the server address the client connected to
     * @param secure whether the connection is encrypted with TLS now (implicit TLS, or after {@code STLS})
     * @param peerCertificates the client's verified certificate chain, leaf first
     * @throws NullPointerException if any is null
     */
    public ClientInfo {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(localAddress, "localAddress");
        peerCertificates = List.copyOf(peerCertificates);
    }

    /**
     * Whether the client connected from the loopback interface of this machine.
     *
     * @return {@code true} for 127.0.0.0/8 and ::1
     */
    public boolean isLoopback() {
        return remoteAddress.getAddress() != null && remoteAddress.getAddress().isLoopbackAddress();
    }
}
