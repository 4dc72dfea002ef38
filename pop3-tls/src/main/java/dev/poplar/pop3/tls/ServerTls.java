package dev.poplar.pop3.tls;

import dev.poplar.pop3.tls.internal.Contexts;
import dev.poplar.pop3.tls.internal.MaterialReader;
import dev.poplar.pop3.tls.internal.MaterialSource;
import dev.poplar.pop3.tls.internal.NoClientTrust;
import dev.poplar.pop3.tls.internal.ServedMaterial;
import dev.poplar.pop3.tls.internal.TlsPolicy;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of a server: an {@link SSLContext} that carries its own policy and serves the current certificate.
 *
 * <p>The context applies the policy to every engine and socket it creates: TLS 1.3 and 1.2 only (1.0 and 1.1 are
 * refused), AEAD cipher suites with forward secrecy, the server's cipher suite order, and with
 * {@link TlsProvider#BOUNCY_CASTLE} an explicit list of key exchange groups, led by the post-quantum hybrid
 * {@code X25519MLKEM768} when {@link Builder#postQuantumHybrid(boolean)} is on. The engine that uses the context
 * needs to set nothing but its role and, if it wants client certificates, want/need client auth.
 *
 * <p>When the key material comes from files, a daemon thread looks at their attributes once per
 * {@link Builder#reloadInterval(Duration) interval} and, when they change, loads them and serves the new certificate
 * to new connections; open connections are untouched, and broken new files leave the old certificate in place (the
 * reason is logged and reported to the {@link TlsObserver}). The {@link #sslContext() context} stays the same object
 * across reloads, so it may be handed to an engine once. A certificate that expires within the warning threshold
 * is logged at WARN and reported to the listener.
 *
 * <p>Thread-safe. {@link #close()} stops the watching thread.
 *
 * <pre>{@code
 * try (ServerTls tls = ServerTls.builder()
 *         .pemFiles(Path.of("/etc/letsencrypt/live/mail/fullchain.pem"),
 *                   Path.of("/etc/letsencrypt/live/mail/privkey.pem"))
 *         .build()) {
 *     SSLEngine engine = tls.get().createSSLEngine();   // server mode, policy applied
 *     engine.setWantClientAuth(true);                   // only if client certificates are wanted
 * }
 * }</pre>
 */
public final class ServerTls implements Supplier<SSLContext>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final ServedMaterial served;
    private final SSLContext context;
    private final TlsProvider provider;
    private final boolean postQuantumHybrid;

    private ServerTls(ServedMaterial served, SSLContext context, TlsProvider provider, boolean postQuantumHybrid) {
        this.served = served;
        this.context = context;
        this.provider = provider;
        this.postQuantumHybrid = postQuantumHybrid;
    }

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The server context. The same object for the life of this {@code ServerTls}; it always serves the current
     * certificate.
     *
     * @return the context, carrying the policy
     */
    public SSLContext sslContext() {
        return context;
    }

    /**
     * The server context, for engines that take a {@code Supplier<SSLContext>}. Cheap: no file access.
     *
     * @return the same as {@link #sslContext()}
     */
    @Override
    public SSLContext get() {
        return context;
    }

    /**
     * The key material served to new connections now.
     *
     * @return the current material
     */
    public KeyMaterial keyMaterial() {
        return served.current();
    }

    /**
     * The provider the context runs on: the one chosen, or for {@link TlsProvider#AUTO} what it chose.
     *
     * @return the provider, never {@link TlsProvider#AUTO}
     */
    public TlsProvider provider() {
        return provider;
    }

    /**
     * Whether the post-quantum hybrid key exchange is offered to clients that support it.
     *
     * @return {@code true} if enabled
     */
    public boolean postQuantumHybrid() {
        return postQuantumHybrid;
    }

    /**
     * Whether a thread watches the key material's files for changes.
     *
     * @return {@code true} for file material with a non-zero reload interval, until {@link #close()}
     */
    public boolean watching() {
        return served.watching();
    }

    /**
     * Reads the configured files now, changed or not, and serves them to new connections. Useful on an operator's
     * signal. With key material given directly, it serves that material again and reports its expiry (the checks
     * made when it was given, such as its validity dates, are not repeated).
     *
     * @throws TlsException if the files cannot be used; the current certificate is still served
     */
    public void reload() throws TlsException {
        served.reload();
    }

    /** Stops watching the files. The context keeps working with the current certificate. Idempotent. */
    @Override
    public void close() {
        served.close();
    }

    /**
     * Configures a {@link ServerTls}. Exactly one source of key material must be set: {@link #keyMaterial},
     * {@link #pemFiles} or {@link #pkcs12File}. Not thread-safe; {@link #build()} may be called more than once.
     */
    public static final class Builder {
        private KeyMaterial keyMaterial;
        private Path chainFile;
        private Path keyFile;
        private char[] keyPassword;
        private Path pkcs12File;
        private char[] pkcs12Password;
        private List<X509Certificate> clientCas;
        private Path clientCaFile;
        private TlsProvider provider = TlsProvider.JDK;
        private boolean postQuantumHybrid;
        private Duration reloadInterval = Duration.ofSeconds(5);
        private int expiryWarningDays = 21;
        private TlsObserver listener = TlsObserver.none();

        private Builder() {
        }

        /**
         * Serves fixed key material (no reload), for example from {@link DevCertificateAuthority#issue}.
         *
         * @param material the material
         * @return this builder
         */
        public Builder keyMaterial(KeyMaterial material) {
            this.keyMaterial = Objects.requireNonNull(material, "keyMaterial");
            return this;
        }

        /**
         * Serves an unencrypted key and chain from PEM files, reloaded when they change.
         *
         * @param chainFile the certificates, leaf first (Let's Encrypt's {@code fullchain.pem})
         * @param keyFile the private key (Let's Encrypt's {@code privkey.pem}); may be the same file
         * @return this builder
         */
        public Builder pemFiles(Path chainFile, Path keyFile) {
            return pemFiles(chainFile, keyFile, null);
        }

        /**
         * Serves a key, possibly encrypted, and chain from PEM files, reloaded when they change.
         *
         * @param chainFile the certificates, leaf first
         * @param keyFile the private key; may be the same file
         * @param password the key's password, or {@code null}; copied and kept for reloads
         * @return this builder
         */
        public Builder pemFiles(Path chainFile, Path keyFile, char[] password) {
            this.chainFile = Objects.requireNonNull(chainFile, "chainFile");
            this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
            this.keyPassword = password == null ? null : password.clone();
            return this;
        }

        /**
         * Serves the first key entry of a PKCS#12 file, reloaded when it changes.
         *
         * @param file the PKCS#12 file
         * @param password its password (empty for none); copied and kept for reloads
         * @return this builder
         */
        public Builder pkcs12File(Path file, char[] password) {
            this.pkcs12File = Objects.requireNonNull(file, "pkcs12File");
            this.pkcs12Password = Objects.requireNonNull(password, "pkcs12 password (empty for none)").clone();
            return this;
        }

        /**
         * The certificate authorities whose client certificates the server accepts when the engine asks for client
         * authentication. Without any, no client certificate is accepted (the platform's trust store is never used
         * for clients).
         *
         * @param authorities the trusted CA certificates
         * @return this builder
         */
        public Builder trustedClientCas(Collection<X509Certificate> authorities) {
            this.clientCas = List.copyOf(authorities);
            return this;
        }

        /**
         * The certificate authorities for client certificates, from a PEM file (read by {@link #build()}).
         *
         * @param pemFile one or more {@code CERTIFICATE} blocks
         * @return this builder
         */
        public Builder trustedClientCas(Path pemFile) {
            this.clientCaFile = Objects.requireNonNull(pemFile, "trustedClientCas");
            return this;
        }

        /**
         * The provider that runs the TLS protocol: {@link TlsProvider#JDK} (the default),
         * {@link TlsProvider#BOUNCY_CASTLE}, {@link TlsProvider#OPENSSL} (the fastest handshakes; needs Netty's
         * OpenSSL binding on the class path), or {@link TlsProvider#AUTO} (OpenSSL where it can serve, else the
         * JDK).
         *
         * @param provider the provider
         * @return this builder
         */
        public Builder provider(TlsProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Offers the post-quantum hybrid key exchange ({@code X25519MLKEM768}, then {@code SecP256r1MLKEM768}) ahead
         * of the classic groups ({@code x25519}, {@code secp256r1}, {@code secp384r1}). Clients that do not offer a
         * hybrid group still connect with a classic one. Needs {@link TlsProvider#BOUNCY_CASTLE}. Default off.
         *
         * @param enabled whether to offer the hybrids
         * @return this builder
         */
        public Builder postQuantumHybrid(boolean enabled) {
            this.postQuantumHybrid = enabled;
            return this;
        }

        /**
         * How often the key material's files are checked for changes. {@link Duration#ZERO} turns watching off.
         * Default 5 seconds. Ignored for {@link #keyMaterial fixed material}.
         *
         * @param interval the interval, zero or positive
         * @return this builder
         */
        public Builder reloadInterval(Duration interval) {
            this.reloadInterval = Objects.requireNonNull(interval, "reloadInterval");
            return this;
        }

        /**
         * Warn when the served certificate expires within this many days. Default 21.
         *
         * @param days zero or more
         * @return this builder
         */
        public Builder expiryWarningDays(int days) {
            this.expiryWarningDays = days;
            return this;
        }

        /**
         * Who hears about loads, failed reloads and expiry warnings. Default: nobody (the log still has them).
         *
         * @param observer the observer
         * @return this builder
         */
        public Builder observer(TlsObserver observer) {
            this.listener = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Loads the key material and builds the context; starts watching files if configured.
         *
         * @return a new {@link ServerTls}; close it to stop watching
         * @throws IllegalStateException if the settings do not fit together; the message names the setting
         * @throws TlsException if a file cannot be used; the message names the file and the problem
         */
        public ServerTls build() throws TlsException {
            MaterialSource source = source();
            if (reloadInterval.isNegative()) {
                throw new IllegalStateException("reloadInterval must be zero (off) or positive, not "
                        + reloadInterval);
            }
            if (expiryWarningDays < 0) {
                throw new IllegalStateException("expiryWarningDays must be zero or more, not " + expiryWarningDays);
            }
            if (clientCas != null && clientCaFile != null) {
                throw new IllegalStateException("trustedClientCas is set both as certificates and as a file; "
                        + "choose one");
            }
            TlsProvider chosen = provider;
            Contexts contexts;
            if (provider == TlsProvider.AUTO) {
                if (postQuantumHybrid) {
                    throw new IllegalStateException("postQuantumHybrid needs provider(TlsProvider.BOUNCY_CASTLE): "
                            + "TlsProvider.AUTO runs on OpenSSL or the JDK, and neither offers the hybrids here");
                }
                try {
                    contexts = Contexts.openSsl();
                    chosen = TlsProvider.OPENSSL;
                } catch (IllegalStateException | LinkageError unavailable) {
                    // A LinkageError: Netty is there but incomplete (netty-handler without its tcnative classes).
                    LOG.info("TLS provider auto runs on the JDK's TLS: {}",
                            unavailable instanceof LinkageError ? unavailable.toString() : unavailable.getMessage());
                    contexts = Contexts.jdk();
                    chosen = TlsProvider.JDK;
                }
            } else {
                contexts = Contexts.of(provider, postQuantumHybrid);
            }
            List<X509Certificate> authorities = clientCaFile != null ? MaterialReader.certificates(clientCaFile)
                    : clientCas == null ? List.of() : clientCas;
            ServedMaterial served;
            try {
                served = ServedMaterial.start(source, contexts, reloadInterval, expiryWarningDays, listener);
            } catch (TlsException e) {
                if (provider != TlsProvider.AUTO || !(e.getCause() instanceof Contexts.UnservableKeyException)) {
                    throw e;
                }
                LOG.info("TLS provider auto runs on the JDK's TLS: {}", e.getCause().getMessage());
                contexts = Contexts.jdk();
                chosen = TlsProvider.JDK;
                served = ServedMaterial.start(source, contexts, reloadInterval, expiryWarningDays, listener);
            }
            try {
                TrustManager[] trust = authorities.isEmpty() ? new TrustManager[] {new NoClientTrust()}
                        : contexts.trusting(authorities);
                TlsPolicy policy = TlsPolicy.server(contexts.supportedCipherSuites(),
                        contexts.namedGroups(postQuantumHybrid));
                SSLContext context = contexts.create(new KeyManager[] {served.keyManager()}, trust, policy);
                return new ServerTls(served, context, chosen, postQuantumHybrid);
            } catch (GeneralSecurityException | RuntimeException e) {
                served.close();
                throw new TlsException(null, "the TLS context cannot be created: " + e.getMessage(), e);
            }
        }

        private MaterialSource source() {
            List<String> set = new ArrayList<>();
            if (keyMaterial != null) {
                set.add("keyMaterial");
            }
            if (chainFile != null) {
                set.add("pemFiles");
            }
            if (pkcs12File != null) {
                set.add("pkcs12File");
            }
            if (set.size() != 1) {
                throw new IllegalStateException(set.isEmpty()
                        ? "no key material: set one of keyMaterial, pemFiles or pkcs12File"
                        : "only one source of key material may be set, not " + String.join(" and ", set));
            }
            if (keyMaterial != null) {
                return MaterialSource.fixed(keyMaterial);
            }
            return chainFile != null ? MaterialSource.pem(chainFile, keyFile, keyPassword)
                    : MaterialSource.pkcs12(pkcs12File, pkcs12Password);
        }
    }
}
