package dev.poplar.pop3.tls.internal;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a server that trusts no client certificate: it names no acceptable issuers, so clients send
 * none, and rejects any that arrives. Used instead of the platform's trust store, which would otherwise accept any
 * publicly trusted certificate as a client identity.
 */
public final class NoClientTrust extends X509ExtendedTrustManager {

    private static final X509Certificate[] NONE = new X509Certificate[0];

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        reject();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        reject();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        reject();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        reject();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        reject();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        reject();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }

    private static void reject() throws CertificateException {
        throw new CertificateException("no certificate authorities are configured as trusted for client certificates");
    }
}
