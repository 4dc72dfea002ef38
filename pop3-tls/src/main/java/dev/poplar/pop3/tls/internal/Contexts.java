package dev.poplar.pop3.tls.internal;

import java.security.GeneralSecurityException;
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

    private final Provider jsse;

    private Contexts(Provider jsse) {
        this.jsse = jsse;
    }

    /**
     * Contexts on the JDK's own provider.
     *
     * @return a factory
     */
    public static Contexts jdk() {
        return new Contexts(null);
    }

    /**
     * Contexts on a new, private Bouncy Castle JSSE provider.
     *
     * @return a factory
     */
    public static Contexts bouncyCastle() {
        return new Contexts(new BouncyCastleJsseProvider(new BouncyCastleProvider()));
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
