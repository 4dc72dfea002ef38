package dev.poplar.pop3.tls.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.Provider;
import java.util.Arrays;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server contexts whose engines run OpenSSL (BoringSSL through Netty's {@code netty-tcnative}). The only class of
 * this module that names Netty: it is loaded when {@code TlsProvider.OPENSSL} is chosen, after {@link #check()}.
 *
 * <p>The engines are Netty's {@code OpenSslEngine}: standard {@link javax.net.ssl.SSLEngine}s that free their native state when
 * they are collected (Netty's finalizer), so nothing has to release them. The key manager is asked through Netty's caching
 * factory, which converts an identity to OpenSSL's form once per alias; every identity of a
 * {@link SwitchableKeyManager} has its own alias, so a reload reaches new handshakes. Such a context makes engines
 * only: asking it for a socket factory fails, rather than quietly handing out JDK sockets.
 */
final class OpenSslEngines {

    private static final Provider PROVIDER = new NamedProvider();
    private static final Logger LOG = LoggerFactory.getLogger(OpenSslEngines.class);

    private OpenSslEngines() {
    }

    /**
     * Fails with a clear message unless OpenSSL can be used here.
     *
     * @throws IllegalStateException if Netty or its native library is missing
     */
    static void check() {
        if (!OpenSsl.isAvailable()) {
            Throwable cause = OpenSsl.unavailabilityCause();
            throw new IllegalStateException("TlsProvider.OPENSSL cannot load OpenSSL on this platform ("
                    + (cause == null ? "unknown reason" : cause) + "); add the artifact "
                    + "io.netty:netty-tcnative-boringssl-static for this operating system and architecture", cause);
        }
    }

    /**
     * The cipher suites OpenSSL offers, by their Java names.
     *
     * @return the suite names
     */
    static String[] supportedCipherSuites() {
        Set<String> suites = OpenSsl.availableJavaCipherSuites();
        return suites.toArray(String[]::new);
    }

    /**
     * A server context whose engines run on OpenSSL.
     *
     * @param keyManagers the key managers (the first is used)
     * @param trustManagers the trust managers for client certificates
     * @param policy the policy to apply to every engine
     * @return an initialised context
     * @throws GeneralSecurityException if a context cannot be built
     */
    static SSLContext server(KeyManager[] keyManagers, TrustManager[] trustManagers, TlsPolicy policy)
            throws GeneralSecurityException {
        SslContextBuilder builder = SslContextBuilder
                .forServer(new OpenSslCachingX509KeyManagerFactory(new FixedKeyManagerFactory(keyManagers)))
                .sslProvider(SslProvider.OPENSSL)
                .protocols(TlsPolicy.PROTOCOLS)
                .clientAuth(ClientAuth.NONE);
        if (trustManagers != null && trustManagers.length > 0) {
            builder.trustManager(trustManagers[0]);
        }
        SslContext netty;
        try {
            netty = builder.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new KeyManagementException("OpenSSL refused the server context: " + e.getMessage(), e);
        }
        LOG.info("Server TLS runs on OpenSSL: {} through Netty's netty-tcnative", OpenSsl.versionString());
        return PolicySslContext.engines((host, port) -> host == null ? netty.newEngine(ByteBufAllocator.DEFAULT)
                : netty.newEngine(ByteBufAllocator.DEFAULT, host, port), netty.sessionContext(), PROVIDER, policy);
    }

    /** A key manager factory that hands out the key managers it was made with. */
    private static final class FixedKeyManagerFactory extends KeyManagerFactory {
        FixedKeyManagerFactory(KeyManager[] managers) {
            super(new KeyManagerFactorySpi() {
                @Override
                protected void engineInit(KeyStore ks, char[] password) {
                }

                @Override
                protected void engineInit(ManagerFactoryParameters spec) {
                }

                @Override
                protected KeyManager[] engineGetKeyManagers() {
                    return Arrays.copyOf(managers, managers.length);
                }
            }, PROVIDER, "Poplar");
        }
    }

    /** The provider name an OpenSSL context reports. */
    private static final class NamedProvider extends Provider {
        private static final long serialVersionUID = 1L;

        NamedProvider() {
            super("PoplarOpenSSL", "1.0", "Poplar server contexts on OpenSSL (BoringSSL through netty-tcnative)");
        }
    }
}
