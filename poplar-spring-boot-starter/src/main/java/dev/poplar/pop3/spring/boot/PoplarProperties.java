package dev.poplar.pop3.spring.boot;

import dev.poplar.pop3.server.ClientAuth;
import dev.poplar.pop3.server.PlaintextAuth;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code poplar.*} properties of the auto-configured POP3 server. Settings left unset keep the defaults of
 * {@link dev.poplar.pop3.server.Pop3Server.Builder}; {@code Pop3Server.Builder.build()} checks them all and names
 * the one it refuses. Immutable.
 *
 * <p>The parameter texts below are the descriptions IDEs show for the properties, hence plain text.
 *
 * @param enabled Whether to run the POP3 server.
 * @param address Address that every listener binds: 127.0.0.1 (this machine only) unless set, e.g. to 0.0.0.0.
 * @param port Port of the plain POP3 listener, which offers STLS when TLS is configured. 0 for a free port (tests),
 *     -1 for no plain listener.
 * @param pop3sPort Port of an implicit-TLS listener (pop3s, 995 by convention), 0 for a free port. Needs TLS. No
 *     such listener unless set.
 * @param serverName Name in the greeting. Default Poplar.
 * @param plaintextAuth Where passwords may be sent in clear: require-tls, allow-loopback (the default) or allow.
 * @param maxConnections Most connections open at once. Default 1000.
 * @param maxConnectionsPerAddress Most connections open at once from one client address. Default 100.
 * @param idleTimeout How long a logged-in session may stay idle. At least 10 minutes (RFC 1939), the default.
 * @param authorizationTimeout How long a session may stay idle before logging in. Default 60 seconds.
 * @param shutdownGracePeriod How long open sessions may finish when the application stops. Default 10 seconds.
 * @param workerThreads Most threads calling the store and the authenticator at once. Default 16.
 * @param tls Where the server's certificate comes from.
 */
@ConfigurationProperties("poplar")
public record PoplarProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("127.0.0.1") String address,
        @DefaultValue("1110") int port,
        Integer pop3sPort,
        String serverName,
        PlaintextAuth plaintextAuth,
        Integer maxConnections,
        Integer maxConnectionsPerAddress,
        Duration idleTimeout,
        Duration authorizationTimeout,
        Duration shutdownGracePeriod,
        Integer workerThreads,
        @DefaultValue Tls tls) {

    /**
     * TLS for {@code STLS} on the plain listener and for the pop3s listener: PEM files through
     * {@code dev.poplar:pop3-tls} (reloaded when they change), or a Spring Boot SSL bundle
     * ({@code spring.ssl.bundle.*}, reloaded when the bundle is). Without either, the server runs without TLS.
     *
     * @param certificate Certificate chain, PEM, leaf first (Let's Encrypt's fullchain.pem), reloaded when it
     *     changes. Needs dev.poplar:pop3-tls on the class path.
     * @param privateKey Private key, PEM (Let's Encrypt's privkey.pem); may be in the certificate's file.
     * @param privateKeyPassword Password of an encrypted private key.
     * @param trustedClientCas Authorities of client certificates, PEM, with client-auth and PEM files (a bundle has
     *     its own trust store).
     * @param bundle Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) to use instead of PEM files.
     * @param clientAuth Whether TLS clients are asked for a certificate: none (the default), want or need.
     * @param provider Which implementation runs TLS with PEM files: jdk (the default), bouncy-castle, openssl
     *     (BoringSSL: the cheapest handshakes; needs io.netty:netty-handler and
     *     io.netty:netty-tcnative-boringssl-static on the class path), or auto (openssl where it can serve, else
     *     jdk).
     */
    public record Tls(Path certificate, Path privateKey, String privateKeyPassword, Path trustedClientCas,
                      String bundle, ClientAuth clientAuth, String provider) {

        /**
         * Whether TLS is configured.
         *
         * @return true if PEM files or a bundle are set
         */
        public boolean configured() {
            return certificate != null || privateKey != null || bundle != null;
        }
    }
}
