package dev.poplar.pop3.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * A TLS server for tests on a free loopback port, built as the POP3 server uses a context: one
 * {@link SSLContext#createSSLEngine() engine} per connection, driven over a plain socket, so every provider (OpenSSL's
 * makes engines only) is tested on the path that serves real clients. Each connection gets the greeting
 * {@code +OK <n>} after the handshake and then has each line echoed back. Completed handshakes and failures are
 * queued for the test to take with a timeout.
 */
final class TlsTestServer implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final SSLContext context;
    private final Consumer<SSLEngine> configure;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tls-test-server");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<SSLSession> sessions = new LinkedBlockingQueue<>();
    private final BlockingQueue<Exception> failures = new LinkedBlockingQueue<>();
    private int connections;

    private TlsTestServer(ServerSocket serverSocket, SSLContext context, Consumer<SSLEngine> configure) {
        this.serverSocket = serverSocket;
        this.context = context;
        this.configure = configure;
    }

    static TlsTestServer start(SSLContext context) throws IOException {
        return start(context, engine -> { });
    }

    static TlsTestServer start(SSLContext context, Consumer<SSLEngine> configure) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        TlsTestServer server = new TlsTestServer(socket, context, configure);
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
                Socket socket = serverSocket.accept();
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

    private void serve(Socket socket, int n) {
        try (socket) {
            socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
            socket.setTcpNoDelay(true);
            SSLEngine engine = context.createSSLEngine();
            configure.accept(engine);
            Connection tls = new Connection(socket, engine);
            tls.handshake();
            sessions.add(engine.getSession());
            tls.write("+OK " + n + "\r\n");
            StringBuilder line = new StringBuilder();
            for (int c = tls.read(); c >= 0; c = tls.read()) {
                line.append((char) c);
                if (c == '\n') {
                    tls.write(line.toString());
                    line.setLength(0);
                }
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

    /** A server engine over a blocking socket. */
    private static final class Connection {
        private final SSLEngine engine;
        private final InputStream in;
        private final OutputStream out;
        private ByteBuffer netIn;
        private final ByteBuffer appIn;
        private ByteBuffer netOut;

        Connection(Socket socket, SSLEngine engine) throws IOException {
            this.engine = engine;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            this.netIn.flip();
            this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            this.appIn.flip();
            this.netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        }

        void handshake() throws IOException {
            try {
                handshakeSteps();
            } catch (SSLException e) {
                // The engine may hold the alert that tells the client why: send it, as a server socket would.
                try {
                    if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                        wrap(ByteBuffer.allocate(0));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // The client hears nothing more.
                }
                throw e;
            }
        }

        private void handshakeSteps() throws IOException {
            engine.beginHandshake();
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> wrap(ByteBuffer.allocate(0));
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (!unwrap()) {
                            throw new SSLException("the client closed the connection during the handshake");
                        }
                    }
                    case NEED_TASK -> {
                        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                            task.run();
                        }
                    }
                    default -> {
                        return;
                    }
                }
            }
        }

        void write(String text) throws IOException {
            ByteBuffer data = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (data.hasRemaining()) {
                wrap(data);
            }
        }

        /** The next decrypted octet, or -1 at the end. */
        int read() throws IOException {
            while (!appIn.hasRemaining()) {
                if (!unwrap()) {
                    return -1;
                }
                if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    wrap(ByteBuffer.allocate(0));
                }
            }
            return appIn.get() & 0xff;
        }

        private void wrap(ByteBuffer data) throws IOException {
            netOut.clear();
            SSLEngineResult result = engine.wrap(data, netOut);
            while (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(netOut.capacity() * 2);
                result = engine.wrap(data, netOut);
            }
            out.write(netOut.array(), 0, netOut.position());
            out.flush();
            if (result.getStatus() == SSLEngineResult.Status.CLOSED && data.hasRemaining()) {
                throw new SSLException("the engine is closed");
            }
        }

        /** Unwraps one record (reading as needed) into the application buffer; false at the end of the stream. */
        private boolean unwrap() throws IOException {
            appIn.compact();
            try {
                while (true) {
                    SSLEngineResult result = engine.unwrap(netIn, appIn);
                    switch (result.getStatus()) {
                        case OK -> {
                            return true;
                        }
                        case CLOSED -> {
                            return false;
                        }
                        case BUFFER_OVERFLOW -> throw new SSLException("record larger than the application buffer");
                        default -> {
                            if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                                // An engine may finish on an unwrap with no new input (OpenSSL's does).
                                return true;
                            }
                            if (!fill()) {
                                return false;
                            }
                        }
                    }
                }
            } finally {
                appIn.flip();
            }
        }

        private boolean fill() throws IOException {
            netIn.compact();
            if (!netIn.hasRemaining()) {
                ByteBuffer larger = ByteBuffer.allocate(netIn.capacity() * 2);
                netIn.flip();
                larger.put(netIn);
                netIn = larger;
            }
            int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
            if (n > 0) {
                netIn.position(netIn.position() + n);
            }
            netIn.flip();
            return n >= 0;
        }
    }
}
