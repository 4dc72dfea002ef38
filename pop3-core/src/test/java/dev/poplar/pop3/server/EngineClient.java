package dev.poplar.pop3.server;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A TLS client on a bare {@link SSLEngine}, for what a socket client cannot do: {@link #finishWith} puts its
 * handshake's last flight (Finished) and its first application data into one write, as an eager client does.
 */
final class EngineClient implements AutoCloseable {

    private final Socket socket;
    private final SSLEngine engine;
    private ByteBuffer netIn;
    private final ByteBuffer appIn;

    private EngineClient(Socket socket, SSLEngine engine) {
        this.socket = socket;
        this.engine = engine;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        this.netIn.flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() + 64);
    }

    static EngineClient connect(SSLContext context, InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        SSLEngine engine = context.createSSLEngine(address.getHostString(), address.getPort());
        engine.setUseClientMode(true);
        return new EngineClient(socket, engine);
    }

    /**
     * Runs the handshake up to the client's last flight, and writes that flight and {@code text}, encrypted, in one
     * write.
     */
    void finishWith(String text) throws IOException {
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(64 * 1024);
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_WRAP) {
                engine.wrap(ByteBuffer.allocate(0), out);
                if (engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                        || engine.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    break;
                }
                if (engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                    send(out);
                }
            } else if (status == HandshakeStatus.NEED_TASK) {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
            } else if (status == HandshakeStatus.NEED_UNWRAP) {
                unwrapOnce();
            } else {
                break;
            }
        }
        engine.wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), out);
        send(out);
    }

    /** Reads and decrypts until the text received so far ends with {@code end} or TLS ends; returns all of it. */
    String readUntil(String end) throws IOException {
        StringBuilder received = new StringBuilder();
        while (!received.toString().endsWith(end) && !engine.isInboundDone()) {
            appIn.clear();
            unwrapOnce();
            appIn.flip();
            received.append(StandardCharsets.US_ASCII.decode(appIn));
        }
        return received.toString();
    }

    private void unwrapOnce() throws IOException {
        while (true) {
            SSLEngineResult result = netIn.hasRemaining() ? engine.unwrap(netIn, appIn) : null;
            if (result != null && (result.getStatus() == SSLEngineResult.Status.OK
                    || result.getStatus() == SSLEngineResult.Status.CLOSED)) {
                return;
            }
            if (result != null && result.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                throw new SSLException("unexpected unwrap result " + result);
            }
            netIn.compact();
            if (!netIn.hasRemaining()) {
                ByteBuffer larger = ByteBuffer.allocate(netIn.capacity() * 2);
                netIn.flip();
                larger.put(netIn);
                netIn = larger;
            }
            InputStream in = socket.getInputStream();
            int n = in.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
            netIn.position(netIn.position() + n);
            netIn.flip();
        }
    }

    private void send(ByteBuffer out) throws IOException {
        out.flip();
        socket.getOutputStream().write(out.array(), 0, out.limit());
        socket.getOutputStream().flush();
        out.clear();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
