package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.ClientInfo;

import java.util.Objects;

/**
 * The connection a SASL exchange runs on, as the mechanisms need to know it.
 *
 * @param client the client: its address, whether TLS protects the connection, its verified certificates
 * @param tlsServerEndPoint the {@code tls-server-end-point} channel binding of the TLS connection (RFC 5929 section
 *     4), or {@code null} without TLS (or when the server certificate gives none)
 */
public record SaslContext(ClientInfo client, byte[] tlsServerEndPoint) {

    /**
     * Validates the client.
     *
     * @throws NullPointerException if {@code client} is null
     */
    public SaslContext {
        Objects.requireNonNull(client, "client");
    }

    /** @return whether channel binding ({@code -PLUS} mechanisms) is possible on this connection */
    public boolean channelBindingAvailable() {
        return tlsServerEndPoint != null;
    }
}
