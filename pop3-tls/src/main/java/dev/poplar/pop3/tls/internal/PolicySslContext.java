package dev.poplar.pop3.tls.internal;

import java.security.KeyManagementException;
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

    private PolicySslContext(Spi spi, SSLContext delegate) {
        super(spi, delegate.getProvider(), delegate.getProtocol());
    }

    /**
     * Wraps an initialised context.
     *
     * @param delegate an initialised context of any provider
     * @param policy the policy to apply
     * @return a context applying the policy
     */
    public static SSLContext wrap(SSLContext delegate, TlsPolicy policy) {
        return new PolicySslContext(new Spi(delegate, policy), delegate);
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext delegate;
        private final TlsPolicy policy;

        Spi(SSLContext delegate, TlsPolicy policy) {
            this.delegate = delegate;
            this.policy = policy;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
                throws KeyManagementException {
            throw new KeyManagementException("this SSLContext is already initialised and cannot be initialised again");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new PolicySocketFactory(delegate.getSocketFactory(), policy);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return new PolicyServerSocketFactory(new PolicySocketFactory(delegate.getSocketFactory(), policy), policy);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return policy.apply(delegate.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return policy.apply(delegate.createSSLEngine(host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return policy.parameters(delegate.getDefaultSSLParameters());
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return policy.parameters(delegate.getSupportedSSLParameters());
        }
    }
}
