package dev.poplar.pop3.tls.internal;

import dev.poplar.pop3.tls.TlsProvider;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * Builds initialised {@link SSLContext}s on the JDK provider or on a private Bouncy Castle JSSE provider instance
 * (backed by its own Bouncy Castle crypto provider instance; nothing is installed into
 * {@link java.security.Security}). Each instance of this class owns its provider.
 */
public final class Contexts {

    private final Provider crypto;
    private final Provider jsse;
    private final boolean openSsl;

    private Contexts(Provider crypto, Provider jsse, boolean openSsl) {
        this.crypto = crypto;
        this.jsse = jsse;
        this.openSsl = openSsl;
    }

    /**
     * Contexts on the chosen provider.
     *
     * @param provider the provider
     * @param postQuantumHybrid whether the post-quantum hybrid groups are wanted
     * @return a factory
     * @throws IllegalStateException if the hybrids are wanted from a provider that has none, or OpenSSL is chosen
     *     and cannot be loaded
     */
    public static Contexts of(TlsProvider provider, boolean postQuantumHybrid) {
        if (provider == TlsProvider.BOUNCY_CASTLE) {
            return bouncyCastle();
        }
        if (postQuantumHybrid) {
            throw new IllegalStateException("postQuantumHybrid needs provider(TlsProvider.BOUNCY_CASTLE): "
                    + (provider == TlsProvider.JDK ? "the JDK provider of Java 17 has no ML-KEM"
                    : "the OpenSSL provider keeps OpenSSL's own key exchange groups"));
        }
        return provider == TlsProvider.OPENSSL ? openSsl() : jdk();
    }

    /**
     * Contexts on the JDK's own provider.
     *
     * @return a factory
     */
    public static Contexts jdk() {
        return new Contexts(null, null, false);
    }

    /**
     * Server contexts whose engines run on OpenSSL through Netty's {@code netty-tcnative}.
     *
     * @return a factory
     * @throws IllegalStateException if Netty or its native OpenSSL library is not on the class path
     */
    public static Contexts openSsl() {
        try {
            Class.forName("io.netty.handler.ssl.OpenSsl", false, Contexts.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("TlsProvider.OPENSSL needs Netty's OpenSSL binding on the class path: "
                    + "add io.netty:netty-handler and io.netty:netty-tcnative-boringssl-static (on the module path, "
                    + "also --add-modules io.netty.handler)", e);
        }
        OpenSslEngines.check();
        return new Contexts(null, null, true);
    }

    /**
     * Contexts on a new, private Bouncy Castle JSSE provider.
     *
     * @return a factory
     */
    public static Contexts bouncyCastle() {
        Provider crypto = new BouncyCastleProvider();
        return new Contexts(crypto, new BouncyCastleJsseProvider(crypto), false);
    }

    /**
     * Fails for a key this factory's provider cannot serve: Netty's OpenSSL key manager serves RSA and EC keys only,
     * and an EdDSA key would fail every handshake.
     *
     * @param key a server key
     * @throws GeneralSecurityException if the provider cannot serve it
     */
    public void checkServable(PrivateKey key) throws GeneralSecurityException {
        if (openSsl && !key.getAlgorithm().equals("RSA") && !key.getAlgorithm().equals("EC")) {
            throw new UnservableKeyException("TlsProvider.OPENSSL serves RSA and EC keys only, not "
                    + key.getAlgorithm() + "; use TlsProvider.JDK or BOUNCY_CASTLE for this key");
        }
    }

    /** A key of an algorithm the provider cannot serve: {@link TlsProvider#AUTO} then runs on the JDK. */
    public static final class UnservableKeyException extends GeneralSecurityException {
        private static final long serialVersionUID = 1L;

        UnservableKeyException(String message) {
            super(message);
        }
    }

    /**
     * Re-creates a key on the crypto provider of this factory. Bouncy Castle's key manager checks keys by their
     * Bouncy Castle names ({@code Ed25519} where the JDK says {@code EdDSA}), so it needs its own key objects.
     *
     * @param key a key of any provider
     * @return the same key as an object of this factory's provider
     * @throws GeneralSecurityException if the provider cannot decode it
     */
    public PrivateKey adapt(PrivateKey key) throws GeneralSecurityException {
        if (crypto == null) {
            return key;
        }
        return KeyFactory.getInstance(key.getAlgorithm(), crypto)
                .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    }

    /**
     * Re-creates certificates on the crypto provider of this factory, for the same reason as {@link #adapt}.
     *
     * @param chain certificates of any provider
     * @return the same certificates as objects of this factory's provider
     * @throws GeneralSecurityException if the provider cannot decode them
     */
    public X509Certificate[] adapt(List<X509Certificate> chain) throws GeneralSecurityException {
        X509Certificate[] adapted = chain.toArray(X509Certificate[]::new);
        if (crypto != null) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509", crypto);
            for (int i = 0; i < adapted.length; i++) {
                adapted[i] = (X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(adapted[i].getEncoded()));
            }
        }
        return adapted;
    }

    /**
     * A key manager serving key material, with key and certificates adapted to this factory's provider.
     *
     * @param key the private key
     * @param chain the chain, leaf first
     * @return the key manager
     * @throws GeneralSecurityException if the provider cannot decode the key or certificates, or cannot serve a key
     *     of its algorithm
     */
    public SwitchableKeyManager keyManager(PrivateKey key, List<X509Certificate> chain)
            throws GeneralSecurityException {
        checkServable(key);
        return new SwitchableKeyManager(adapt(key), adapt(chain));
    }

    /**
     * Creates an initialised context carrying a policy.
     *
     * @param keyManagers the key managers, or {@code null} for none
     * @param trustManagers the trust managers, or {@code null} for the platform's trust store
     * @param policy the policy
     * @return the context
     * @throws GeneralSecurityException if the provider refuses
     */
    public SSLContext create(KeyManager[] keyManagers, TrustManager[] trustManagers, TlsPolicy policy)
            throws GeneralSecurityException {
        if (openSsl) {
            // Server contexts only: ClientTls refuses the provider before it gets here.
            return OpenSslEngines.server(keyManagers, trustManagers, policy);
        }
        SSLContext context = jsse == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", jsse);
        context.init(keyManagers, trustManagers, new SecureRandom());
        return PolicySslContext.wrap(context, policy);
    }

    /**
     * The cipher suites the provider supports.
     *
     * @return the suite names
     * @throws GeneralSecurityException if the provider refuses
     */
    public String[] supportedCipherSuites() throws GeneralSecurityException {
        if (openSsl) {
            return OpenSslEngines.supportedCipherSuites();
        }
        SSLContext context = jsse == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", jsse);
        context.init(null, null, null);
        return context.getSupportedSSLParameters().getCipherSuites();
    }

    /**
     * The named groups to set on engines, or {@code null} where the provider cannot set them per engine.
     *
     * @param postQuantumHybrid whether the hybrids lead the list
     * @return the groups, or {@code null} for the provider's defaults
     */
    public List<String> namedGroups(boolean postQuantumHybrid) {
        return jsse == null ? null : TlsPolicy.namedGroups(postQuantumHybrid);
    }

    /**
     * Trust managers that trust exactly the given certificate authorities.
     *
     * @param authorities the trusted certificates, at least one
     * @return the trust managers
     * @throws GeneralSecurityException if the provider refuses
     */
    public TrustManager[] trusting(Collection<X509Certificate> authorities) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("an empty key store cannot be created", e);
        }
        int i = 0;
        for (X509Certificate authority : authorities) {
            store.setCertificateEntry("ca-" + i++, authority);
        }
        TrustManagerFactory factory = jsse == null ? TrustManagerFactory.getInstance("PKIX")
                : TrustManagerFactory.getInstance("PKIX", jsse);
        factory.init(store);
        return factory.getTrustManagers();
    }
}
