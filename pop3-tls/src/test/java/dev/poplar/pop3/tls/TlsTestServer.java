package dev.poplar.pop3.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server for tests on a free loopback port, built from a context's server socket factory: each connection
 * gets the greeting {@code +OK <n>} after the handshake and then has each line echoed back. Completed handshakes and
 * failures are queued for the test to take with a timeout.
 */
final class TlsTestServer implements AutoCloseable {

    private final SSLServerSocket serverSocket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tls-test-server");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<SSLSession> sessions = new LinkedBlockingQueue<>();
    private final BlockingQueue<Exception> failures = new LinkedBlockingQueue<>();
    private int connections;

    private TlsTestServer(SSLServerSocket serverSocket) {
        this.serverSocket = serverSocket;
    }

    static TlsTestServer start(SSLContext context) throws IOException {
        return start(context, socket -> { });
    }

    static TlsTestServer start(SSLContext context, Consumer<SSLServerSocket> configure) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        configure.accept(socket);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        TlsTestServer server = new TlsTestServer(socket);
        server.threads.execute(server::acceptLoop);
        return server;
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    SSLSession takeSession() throws InterruptedException {
        SSLSession session = sessions.poll(10, TimeUnit.SECONDS);
        if (session == null) {
            throw new AssertionError("no handshake completed on the server within 10 s; failures: " + failures);
        }
        return session;
    }

    Exception takeFailure() throws InterruptedException {
        Exception failure = failures.poll(10, TimeUnit.SECONDS);
        if (failure == null) {
            throw new AssertionError("no handshake failed on the server within 10 s");
        }
        return failure;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                SSLSocket socket = (SSLSocket) serverSocket.accept();
                int n;
                synchronized (this) {
                    n = ++connections;
                }
                threads.execute(() -> serve(socket, n));
            } catch (IOException e) {
                if (!serverSocket.isClosed()) {
                    failures.add(e);
                }
            }
        }
    }

    private void serve(SSLSocket socket, int n) {
        try (socket) {
            socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
            socket.setTcpNoDelay(true);
            socket.startHandshake();
            sessions.add(socket.getSession());
            OutputStream out = socket.getOutputStream();
            out.write(("+OK " + n + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (SocketException e) {
            if (!serverSocket.isClosed()) {
                failures.add(e);
            }
        } catch (IOException | RuntimeException e) {
            failures.add(e);
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        threads.shutdownNow();
    }
}
