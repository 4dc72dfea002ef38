package dev.poplar.pop3.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/** A blocking TLS client connection for tests: connects, handshakes, reads the greeting, echoes lines. */
final class TlsTestClient implements AutoCloseable {

    private final SSLSocket socket;
    private final BufferedReader in;
    private final String greeting;

    private TlsTestClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        socket.startHandshake();
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.greeting = in.readLine();
    }

    static TlsTestClient connect(SSLContext context, int port) throws IOException {
        return connect(context, "localhost", port, socket -> { });
    }

    static TlsTestClient connect(SSLContext context, String host, int port, Consumer<SSLSocket> configure)
            throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
        try {
            configure.accept(socket);
            return new TlsTestClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    String greeting() {
        return greeting;
    }

    String echo(String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return in.readLine();
    }

    SSLSocket socket() {
        return socket;
    }

    SSLSession session() {
        return socket.getSession();
    }

    X509Certificate serverCertificate() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
