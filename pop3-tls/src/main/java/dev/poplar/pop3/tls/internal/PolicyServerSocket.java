package dev.poplar.pop3.tls.internal;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A server socket that accepts a plain connection and returns a TLS socket layered over it, configured by the
 * policy and then by whatever was set on this server socket. The handshake starts with the first read or write,
 * as with any accepted {@link SSLSocket}.
 */
final class PolicyServerSocket extends SSLServerSocket {

    private final PolicySocketFactory layering;
    private String[] cipherSuites;
    private String[] protocols;
    private boolean wantClientAuth;
    private boolean needClientAuth;
    private boolean clientMode;
    private boolean sessionCreation = true;

    PolicyServerSocket(PolicySocketFactory layering, TlsPolicy policy) throws IOException {
        this.layering = layering;
        this.cipherSuites = policy.cipherSuites();
        this.protocols = TlsPolicy.PROTOCOLS.toArray(String[]::new);
    }

    @Override
    public Socket accept() throws IOException {
        Socket plain = new Socket();
        implAccept(plain);
        try {
            SSLSocket tls = (SSLSocket) layering.createSocket(
                    plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
            synchronized (this) {
                tls.setUseClientMode(clientMode);
                tls.setEnabledProtocols(protocols.clone());
                tls.setEnabledCipherSuites(cipherSuites.clone());
                if (needClientAuth) {
                    tls.setNeedClientAuth(true);
                } else {
                    tls.setWantClientAuth(wantClientAuth);
                }
                tls.setEnableSessionCreation(sessionCreation);
            }
            return tls;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    @Override
    public synchronized String[] getEnabledCipherSuites() {
        return cipherSuites.clone();
    }

    @Override
    public synchronized void setEnabledCipherSuites(String[] suites) {
        this.cipherSuites = suites.clone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return layering.getSupportedCipherSuites();
    }

    @Override
    public String[] getSupportedProtocols() {
        return TlsPolicy.PROTOCOLS.toArray(String[]::new);
    }

    @Override
    public synchronized String[] getEnabledProtocols() {
        return protocols.clone();
    }

    @Override
    public synchronized void setEnabledProtocols(String[] protocols) {
        this.protocols = protocols.clone();
    }

    @Override
    public synchronized void setNeedClientAuth(boolean need) {
        this.needClientAuth = need;
        this.wantClientAuth = false;
    }

    @Override
    public synchronized boolean getNeedClientAuth() {
        return needClientAuth;
    }

    @Override
    public synchronized void setWantClientAuth(boolean want) {
        this.wantClientAuth = want;
        this.needClientAuth = false;
    }

    @Override
    public synchronized boolean getWantClientAuth() {
        return wantClientAuth;
    }

    @Override
    public synchronized void setUseClientMode(boolean mode) {
        this.clientMode = mode;
    }

    @Override
    public synchronized boolean getUseClientMode() {
        return clientMode;
    }

    @Override
    public synchronized void setEnableSessionCreation(boolean flag) {
        this.sessionCreation = flag;
    }

    @Override
    public synchronized boolean getEnableSessionCreation() {
        return sessionCreation;
    }
}
