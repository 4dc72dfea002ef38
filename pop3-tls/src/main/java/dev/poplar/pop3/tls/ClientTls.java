package dev.poplar.pop3.tls;

import dev.poplar.pop3.tls.internal.Contexts;
import dev.poplar.pop3.tls.internal.MaterialReader;
import dev.poplar.pop3.tls.internal.TlsPolicy;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Builds client {@link SSLContext}s with the same policy as servers: TLS 1.3 and 1.2 only, modern cipher suites,
 * the server's host name checked against its certificate, and optionally a client certificate and the post-quantum
 * hybrid key exchange. Engines and sockets created by the context start in client mode with the policy applied.
 *
 * <pre>{@code
 * SSLContext context = ClientTls.builder().trustedCas(Path.of("ca.pem")).build();
 * }</pre>
 */
public final class ClientTls {

    private ClientTls() {
    }

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a client context. Not thread-safe; {@link #build()} may be called more than once. */
    public static final class Builder {
        private List<X509Certificate> trustedCas;
        private KeyMaterial identity;
        private TlsProvider provider = TlsProvider.JDK;
        private boolean postQuantumHybrid;
        private boolean hostnameVerification = true;

        private Builder() {
        }

        /**
         * Trusts exactly these certificate authorities for server certificates. Without this, the platform's trust
         * store is used.
         *
         * @param authorities the CA certificates, at least one
         * @return this builder
         * @throws IllegalArgumentException if the collection is empty
         */
        public Builder trustedCas(Collection<X509Certificate> authorities) {
            if (authorities.isEmpty()) {
                throw new IllegalArgumentException("trustedCas must name at least one certificate");
            }
            this.trustedCas = List.copyOf(authorities);
            return this;
        }

        /**
         * Trusts exactly the certificate authorities of a PEM file, read now.
         *
         * @param pemFile one or more {@code CERTIFICATE} blocks
         * @return this builder
         * @throws TlsException if the file cannot be read or holds no certificate
         */
        public Builder trustedCas(Path pemFile) throws TlsException {
            this.trustedCas = MaterialReader.certificates(Objects.requireNonNull(pemFile, "trustedCas"));
            return this;
        }

        /**
         * Presents a client certificate when the server asks for one.
         *
         * @param identity the client's key and chain
         * @return this builder
         */
        public Builder identity(KeyMaterial identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /**
         * The JSSE provider: {@link TlsProvider#JDK} (the default) or {@link TlsProvider#BOUNCY_CASTLE}.
         *
         * @param provider the provider
         * @return this builder
         * @throws IllegalArgumentException for {@link TlsProvider#OPENSSL} and {@link TlsProvider#AUTO}, which serve
         *     server contexts only
         */
        public Builder provider(TlsProvider provider) {
            if (Objects.requireNonNull(provider, "provider") == TlsProvider.OPENSSL
                    || provider == TlsProvider.AUTO) {
                throw new IllegalArgumentException("TlsProvider." + provider + " serves server contexts only; "
                        + "client contexts run on JDK or BOUNCY_CASTLE");
            }
            this.provider = provider;
            return this;
        }

        /**
         * Offers the post-quantum hybrid groups first, then the classic ones. Needs
         * {@link TlsProvider#BOUNCY_CASTLE}. Default off.
         *
         * @param enabled whether to offer the hybrids
         * @return this builder
         */
        public Builder postQuantumHybrid(boolean enabled) {
            this.postQuantumHybrid = enabled;
            return this;
        }

        /**
         * Whether to check the server's host name (or IP address) against its certificate, as RFC 2595 section
         * 2.4 asks. Default on; turn off only for tests that connect by a name the certificate does not carry.
         *
         * @param enabled whether to check
         * @return this builder
         */
        public Builder hostnameVerification(boolean enabled) {
            this.hostnameVerification = enabled;
            return this;
        }

        /**
         * Builds the context.
         *
         * @return a new context carrying the policy
         * @throws IllegalStateException if the settings do not fit together (the message names the setting), or the
         *     provider refuses to create a context
         */
        public SSLContext build() {
            Contexts contexts = Contexts.of(provider, postQuantumHybrid);
            try {
                KeyManager[] keys = identity == null ? null
                        : new KeyManager[] {contexts.keyManager(identity.privateKey(), identity.chain())};
                TrustManager[] trust = trustedCas == null ? null : contexts.trusting(trustedCas);
                TlsPolicy policy = TlsPolicy.client(contexts.supportedCipherSuites(),
                        contexts.namedGroups(postQuantumHybrid), hostnameVerification);
                return contexts.create(keys, trust, policy);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the client TLS context cannot be created: " + e.getMessage(), e);
            }
        }
    }
}
