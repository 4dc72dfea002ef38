package dev.poplar.pop3.tls.internal;

import java.security.KeyManagementException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} that carries a {@link TlsPolicy}: every engine, socket and server socket it creates starts
 * in the context's role with the policy's protocols, cipher suites, cipher order and named groups, so whoever uses
 * it needs no further knowledge. The default and supported parameters it reports are the policy's.
 *
 * <p>It is already initialised; {@link SSLContext#init} fails. Thread-safe, like any {@code SSLContext}.
 */
public final class PolicySslContext extends SSLContext {

    /** Makes the engines of a context whose engines do not come from its delegate. */
    @FunctionalInterface
    public interface Engines {
        /**
         * A new engine.
         *
         * @param host the peer's host name, or {@code null} for none
         * @param port the peer's port, or -1
         * @return the engine, before the policy is applied
         */
        SSLEngine create(String host, int port);
    }

    private PolicySslContext(Spi spi, Provider provider, String protocol) {
        super(spi, provider, protocol);
    }

    /**
     * Wraps an initialised context.
     *
     * @param delegate an initialised context of any provider
     * @param policy the policy to apply
     * @return a context applying the policy
     */
    public static SSLContext wrap(SSLContext delegate, TlsPolicy policy) {
        return new PolicySslContext(new Spi(delegate, policy, null, null), delegate.getProvider(),
                delegate.getProtocol());
    }

    /**
     * A context that makes engines only, from an engine factory of its own: asking it for a socket factory fails, it
     * has no client session context, and its default and supported parameters are read from an engine it makes.
     *
     * @param engines the engine factory
     * @param serverSessions the server session context of those engines
     * @param provider the provider the context reports
     * @param policy the policy to apply
     * @return a context applying the policy to the engines it makes
     */
    public static SSLContext engines(Engines engines, SSLSessionContext serverSessions, Provider provider,
            TlsPolicy policy) {
        return new PolicySslContext(new Spi(null, policy, engines, serverSessions), provider, "TLS");
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext delegate;
        private final TlsPolicy policy;
        private final Engines engines;
        private final SSLSessionContext serverSessions;

        Spi(SSLContext delegate, TlsPolicy policy, Engines engines, SSLSessionContext serverSessions) {
            this.delegate = delegate;
            this.policy = policy;
            this.engines = engines;
            this.serverSessions = serverSessions;
        }

        private void socketsOffered() {
            if (engines != null) {
                throw new UnsupportedOperationException("a TlsProvider.OPENSSL context makes SSLEngines only; "
                        + "for sockets use TlsProvider.JDK or BOUNCY_CASTLE");
            }
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
                throws KeyManagementException {
            throw new KeyManagementException("this SSLContext is already initialised and cannot be initialised again");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            socketsOffered();
            return new PolicySocketFactory(delegate.getSocketFactory(), policy);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            socketsOffered();
            return new PolicyServerSocketFactory(new PolicySocketFactory(delegate.getSocketFactory(), policy), policy);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return policy.apply(engines != null ? engines.create(null, -1) : delegate.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return policy.apply(engines != null ? engines.create(host, port) : delegate.createSSLEngine(host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return serverSessions != null ? serverSessions : delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate == null ? null : delegate.getClientSessionContext();
        }

        // The policy sets the protocols and suites of both; the rest (client authentication, SNI) comes from the base,
        // for an engines-only context a fresh engine's.
        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return policy.parameters(delegate == null ? engines.create(null, -1).getSSLParameters()
                    : delegate.getDefaultSSLParameters());
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return policy.parameters(delegate == null ? engines.create(null, -1).getSSLParameters()
                    : delegate.getSupportedSSLParameters());
        }
    }
}
