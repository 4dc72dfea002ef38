package dev.poplar.pop3.server.internal.net;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.future.DefaultWriteFuture;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.FilterEvent;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.ArrayDeque;

/**
 * TLS for one connection, on its I/O thread: every unwrap, wrap and delegated task runs on the thread that delivers
 * the connection's events, so records can never be reordered and nothing needs a lock.
 *
 * <p>Writes made before the handshake completes wait in order and go out encrypted once it has. Each encrypted write
 * carries the future of the write it encrypts, so that back-pressure and completion work as for plain writes. A client
 * that tries to renegotiate a TLS 1.2 session (a handshake record after the handshake) is refused: the connection
 * fails with {@link RenegotiationRefused}. TLS 1.3 post-handshake messages (key updates) are handled normally.
 */
final class TlsFilter extends IoFilterAdapter {

    /** The event sent up the chain once the handshake has completed. */
    enum Secured implements FilterEvent {
        /** The only instance. */
        INSTANCE
    }

    /** The client tried to renegotiate a TLS 1.2 session. */
    static final class RenegotiationRefused extends SSLException {
        private static final long serialVersionUID = 1L;

        RenegotiationRefused() {
            super("client-initiated renegotiation refused");
        }
    }

    private static final byte HANDSHAKE_RECORD = 22;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Per-record expansion allowed for when sizing a write's output; a larger one grows the buffer. */
    private static final int RECORD_OVERHEAD = 128;
    private static final int RECORD_PAYLOAD = 16 * 1024;
    private static final int MIN_APPLICATION_BUFFER = 512;

    private final SSLEngine engine;
    private final ArrayDeque<WriteRequest> waiting = new ArrayDeque<>();
    /** Received octets not yet decrypted (a partial record); {@code null} when there are none, to keep idle sessions small. */
    private ByteBuffer netIn;
    /** Decrypted octets, while {@link #messageReceived} runs. */
    private ByteBuffer appIn;
    private NextFilter below;
    /** Handshake records wrapped and not yet sent: a flight goes out in one write. Null when there are none. */
    private ByteBuffer flight;
    private boolean secured;
    private boolean closing;

    /**
     * Creates the filter of one connection.
     *
     * @param engine a server-mode engine, configured
     */
    TlsFilter(SSLEngine engine) {
        this.engine = engine;
    }

    /** @return whether the handshake has completed */
    boolean secured() {
        return secured;
    }

    /** @return the TLS session (negotiated once {@link #secured()}) */
    SSLSession session() {
        return engine.getSession();
    }

    /** @return the client's verified certificate chain, leaf first; empty without a client certificate */
    List<X509Certificate> peerCertificates() {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : engine.getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // No client certificate.
        }
        return chain;
    }

    @Override
    public void onPostAdd(IoFilterChain parent, String name, NextFilter nextFilter) {
        this.below = nextFilter;
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        if (!(message instanceof IoBuffer buffer)) {
            next.messageReceived(session, message);
            return;
        }
        append(buffer.buf());
        netIn.flip();
        // Decrypted octets never outnumber the encrypted ones, so a buffer of the input's size takes them all: a
        // command line needs a few hundred octets, not the 16 KiB of a full record. An engine that wants more room
        // says BUFFER_OVERFLOW, and unwrapAll gives it a record's worth.
        appIn = ByteBuffer.allocate(Math.max(netIn.remaining(), MIN_APPLICATION_BUFFER));
        try {
            unwrapAll(next, session);
        } catch (SSLException e) {
            sendAlert(next, session);
            throw e;
        } finally {
            appIn = null;
            netIn.compact();
            if (netIn.position() == 0) {
                netIn = null;
            }
        }
    }

    private void unwrapAll(NextFilter next, IoSession session) throws SSLException {
        // An engine may take a record during the handshake and act on it only at the next unwrap, even one with no
        // new input (OpenSSL's does with the client's Finished): unwrap again while such a call made progress.
        boolean again = false;
        while ((netIn.hasRemaining() || again) && !engine.isInboundDone()) {
            if (secured && netIn.hasRemaining() && netIn.get(netIn.position()) == HANDSHAKE_RECORD
                    && !"TLSv1.3".equals(engine.getSession().getProtocol())) {
                throw new RenegotiationRefused();
            }
            SSLEngineResult result = engine.unwrap(netIn, appIn);
            again = result.bytesConsumed() > 0
                    && result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP;
            switch (result.getStatus()) {
                case BUFFER_UNDERFLOW:
                    int packet = engine.getSession().getPacketBufferSize();
                    if (netIn.capacity() < packet) {
                        ByteBuffer larger = ByteBuffer.allocate(packet);
                        larger.put(netIn).flip();
                        netIn = larger;
                    }
                    handshake(next, session, result);
                    return;
                case BUFFER_OVERFLOW:
                    deliver(next, session);
                    if (appIn.capacity() < engine.getSession().getApplicationBufferSize()) {
                        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
                    }
                    continue;
                case CLOSED:
                    deliver(next, session);
                    // The client ended TLS (close_notify): answer in kind and close.
                    closeOutbound(session);
                    session.closeOnFlush();
                    return;
                default:
                    break;
            }
            // The handshake first: an engine may finish it and decrypt the client's first commands in one unwrap
            // (OpenSSL's does), and the session must learn that TLS is up (and greet) before it reads them.
            handshake(next, session, result);
            deliver(next, session);
        }
    }

    private void deliver(NextFilter next, IoSession session) {
        if (appIn.position() == 0) {
            return;
        }
        appIn.flip();
        IoBuffer data = IoBuffer.allocate(appIn.remaining(), false);
        data.put(appIn).flip();
        appIn.clear();
        next.messageReceived(session, data);
    }

    /** Runs the handshake as far as it can go without more input. */
    private void handshake(NextFilter next, IoSession session, SSLEngineResult last) throws SSLException {
        SSLEngineResult.HandshakeStatus status = last.getHandshakeStatus();
        try {
            while (true) {
                if (status == SSLEngineResult.HandshakeStatus.FINISHED) {
                    sendFlight(next, session);
                    finished(next, session);
                    status = engine.getHandshakeStatus();
                } else if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                        task.run();
                    }
                    status = engine.getHandshakeStatus();
                } else if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    status = wrapHandshake();
                } else {
                    return;
                }
            }
        } finally {
            sendFlight(next, session);
        }
    }

    /**
     * Wraps the next handshake record (or alert, or {@code close_notify}) onto the flight; {@link #sendFlight} sends
     * it. A server's flight (ServerHello to Finished) is several records: sent one by one they would cost a write and
     * a segment each, and the client a wake-up each.
     */
    private SSLEngineResult.HandshakeStatus wrapHandshake() throws SSLException {
        if (flight == null) {
            flight = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        }
        SSLEngineResult result = engine.wrap(EMPTY, flight);
        while (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            ByteBuffer larger = ByteBuffer.allocate(flight.capacity() + engine.getSession().getPacketBufferSize());
            flight.flip();
            larger.put(flight);
            flight = larger;
            result = engine.wrap(EMPTY, flight);
        }
        if (result.getStatus() == SSLEngineResult.Status.CLOSED
                && result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            return SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
        }
        return result.getHandshakeStatus();
    }

    /** Sends the records wrapped so far, in one write. */
    private void sendFlight(NextFilter next, IoSession session) {
        ByteBuffer octets = flight;
        flight = null;
        if (octets != null && octets.position() > 0) {
            octets.flip();
            next.filterWrite(session, new Records(IoBuffer.wrap(octets), null, session));
        }
    }

    private void finished(NextFilter next, IoSession session) throws SSLException {
        if (secured) {
            return;
        }
        secured = true;
        while (!waiting.isEmpty()) {
            encrypt(next, session, waiting.poll());
        }
        next.event(session, Secured.INSTANCE);
    }

    @Override
    public void filterWrite(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        if (!secured && !closing) {
            waiting.add(request);
            return;
        }
        encrypt(next, session, request);
    }

    private void encrypt(NextFilter next, IoSession session, WriteRequest request) throws SSLException {
        if (!(request.getMessage() instanceof IoBuffer buffer)) {
            throw new IllegalStateException("only buffers can be written over TLS: " + request.getMessage());
        }
        ByteBuffer source = buffer.buf();
        int records = source.remaining() / RECORD_PAYLOAD + 1;
        ByteBuffer out = ByteBuffer.allocate(source.remaining() + records * RECORD_OVERHEAD);
        while (source.hasRemaining()) {
            SSLEngineResult result = engine.wrap(source, out);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                ByteBuffer larger = ByteBuffer.allocate(out.capacity() + engine.getSession().getPacketBufferSize());
                out.flip();
                larger.put(out);
                out = larger;
            } else if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("TLS is closed: cannot send");
            }
        }
        out.flip();
        next.filterWrite(session, new Records(IoBuffer.wrap(out), request, session));
    }

    @Override
    public void messageSent(NextFilter next, IoSession session, WriteRequest request) {
        if (request instanceof Records records) {
            if (records.original != null) {
                next.messageSent(session, records.original);
            }
            return;
        }
        next.messageSent(session, request);
    }

    /**
     * Ends the TLS session: sends {@code close_notify} (RFC 8446 section 6.1) after what is queued. Writes made after
     * this are refused. I/O thread only.
     *
     * @param session the connection
     */
    void closeOutbound(IoSession session) {
        if (closing || below == null) {
            return;
        }
        closing = true;
        waiting.clear();
        engine.closeOutbound();
        try {
            while (!engine.isOutboundDone()) {
                if (wrapHandshake() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    break;
                }
            }
        } catch (SSLException e) {
            // The connection closes anyway; the client just misses the close_notify.
        }
        sendFlight(below, session);
    }

    /** After a failure, the engine may hold an alert that tells the client why: send it. */
    private void sendAlert(NextFilter next, IoSession session) {
        try {
            if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                wrapHandshake();
            }
        } catch (SSLException | RuntimeException e) {
            // Nothing more to say to this client.
        }
        sendFlight(next, session);
        closing = true;
    }

    private void append(ByteBuffer octets) {
        if (netIn == null) {
            netIn = ByteBuffer.allocate(Math.max(octets.remaining(), engine.getSession().getPacketBufferSize()));
        } else if (netIn.remaining() < octets.remaining()) {
            ByteBuffer larger = ByteBuffer.allocate(netIn.position() + octets.remaining());
            netIn.flip();
            larger.put(netIn);
            netIn = larger;
        }
        netIn.put(octets);
    }

    /** Encrypted octets on their way down; {@code original} is the write they encrypt, if any. */
    private static final class Records extends DefaultWriteRequest {
        private final WriteRequest original;

        Records(IoBuffer encrypted, WriteRequest original, IoSession session) {
            super(encrypted, original == null ? new DefaultWriteFuture(session) : original.getFuture());
            this.original = original;
        }
    }
}
