package dev.poplar.pop3.server.internal.proxy;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What a PROXY protocol header said about the connection it precedes.
 *
 * @param version 1 (text) or 2 (binary)
 * @param source the original client's address; empty when the header did not relay one (v1 {@code UNKNOWN}, v2
 *     {@code LOCAL} or an address family the server does not use): the connection's own addresses then apply
 * @param destination the address the client connected to (the balancer's); empty exactly when {@code source} is
 * @param tls what a v2 {@code PP2_TYPE_SSL} TLV said about the client's connection to the balancer, if present
 */
public record ProxyHeader(int version, Optional<InetSocketAddress> source, Optional<InetSocketAddress> destination,
                          Optional<ClientTls> tls) {

    /**
     * The client's TLS connection to the balancer, from the {@code PP2_TYPE_SSL} TLV.
     *
     * @param ssl whether the client connected over TLS ({@code PP2_CLIENT_SSL})
     * @param protocol the TLS version the balancer reported ({@code PP2_SUBTYPE_SSL_VERSION}), e.g. {@code TLSv1.3}
     * @param cipher the cipher the balancer reported ({@code PP2_SUBTYPE_SSL_CIPHER})
     */
    public record ClientTls(boolean ssl, Optional<String> protocol, Optional<String> cipher) {
    }

    /** @return whether the header relayed the client's addresses */
    public boolean relayed() {
        return source.isPresent();
    }

    /** @return whether the balancer says the client connected to it over TLS */
    public boolean clientUsedTls() {
        return tls.map(ClientTls::ssl).orElse(false);
    }
}
