package dev.poplar.pop3.server;

import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsException;
import dev.poplar.pop3.tls.TlsProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** TLS material for tests: a fresh development CA per call, and client sockets that trust it. */
record TestTls(DevCertificateAuthority ca, ServerTls server) {

    static TestTls create() {
        return create(TlsProvider.JDK);
    }

    static TestTls create(TlsProvider provider) {
        DevCertificateAuthority ca = DevCertificateAuthority.create();
        try {
            return new TestTls(ca, ServerTls.builder().keyMaterial(ca.issue()).provider(provider).build());
        } catch (TlsException e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLContext serverContext() {
        return create().server().sslContext();
    }

    SSLContext client() {
        return ca.clientSslContext();
    }

    /** Opens an implicit-TLS connection and completes the handshake. */
    SSLSocket connectTls(InetSocketAddress address) throws IOException {
        SSLSocket socket = (SSLSocket) client().getSocketFactory().createSocket(address.getHostString(),
                address.getPort());
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    /** Upgrades a plain connection after {@code STLS}. */
    SSLSocket upgrade(Socket plain, InetSocketAddress address) {
        try {
            SSLSocket socket = (SSLSocket) client().getSocketFactory().createSocket(plain, address.getHostString(),
                    address.getPort(), true);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
