package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.BufferPool;
import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.command.State;
import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.server.internal.sasl.ChannelBinding;
import dev.poplar.pop3.server.internal.session.ProtocolSession;
import dev.poplar.pop3.server.internal.session.Transport;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.AbstractIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One client connection on MINA: framing of the input into lines, the output, STLS, closing, and the hand-off of
 * blocking calls to workers. The protocol itself is the {@link ProtocolSession}'s.
 *
 * <p><b>Threads.</b> The connection's I/O thread owns everything here: every read, write and TLS operation, and every
 * call into the session. Workers only run the blocking SPI calls (and content reads of a store that may block) and
 * hand results back through {@link HandBack}. Nothing here takes a lock.
 *
 * <p><b>Input.</b> Received octets are kept as they came and cut into lines only when the session can take one, so
 * pipelined commands of any number run one after the other in a loop (never one stack frame per command) and input
 * memory stays bounded: while received octets wait, the connection stops reading from the socket. After {@code STLS},
 * whatever the client sent in clear behind it is discarded (RFC 2595 section 4).
 */
public final class Connection implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    private final AbstractIoSession io;
    private final ConnectionServices services;
    private final Listener listener;
    private final String id;
    private final SessionThread thread;
    private final Input input;
    private final ProtocolSession session;
    private final HookGate hook;
    private final Throttle throttle;
    private final Output output;
    private final IoThreadProcessor loop;
    private TlsFilter tls;
    private ReadAhead readAhead;
    /** Commands handed to the session and replies started: a read-ahead asked for before the latest is out of date. */
    private int turns;
    private SessionHook.Action connectAction;
    private ReplySender sending;
    private EndReason endReason;
    private boolean anyInput;
    private boolean pumping;
    private boolean pumpAgain;
    private boolean started;
    private boolean silenced;
    private boolean hookBusy;
    private boolean closing;
    private boolean closed;
    private volatile boolean stopping;

    /**
     * Creates the connection of an admitted client.
     *
     * @param remote the client's address (from a PROXY protocol header, or the socket's)
     * @param local the address the client connected to
     * @param securedByProxy whether a trusted balancer ended TLS for the client
     */
    Connection(AbstractIoSession io, ConnectionServices services, Listener listener, String id,
               InetSocketAddress remote, InetSocketAddress local, boolean securedByProxy) {
        this.io = io;
        this.services = services;
        this.listener = listener;
        this.id = id;
        this.thread = new SessionThread(io, id, services.worker(), services.timer(), () -> {
            pump();
            flush();
        });
        this.input = new Input(io, services.sessions().config().limits().maxSaslOctets());
        ClientInfo client = new ClientInfo(id, listener.name(), remote, local, securedByProxy, List.of());
        this.session = new ProtocolSession(services.sessions(), this, client, listener.implicitTls());
        this.hook = services.hook().map(h -> new HookGate(h, this)).orElse(null);
        this.throttle = services.bandwidth().throttle();
        this.output = new Output(io, services.metrics());
        this.loop = IoThreadProcessor.of(io);
    }

    // ---------------------------------------------------------------- MINA events (I/O thread)

    /** The connection is open: greets, or on an implicit-TLS listener starts the handshake first. */
    void opened() {
        io.getConfig().setBothIdleTime(seconds(services.sessions().config().limits().authorizationTimeout()));
        if (hook != null) {
            connectAction = hook.connect(session, listener.implicitTls());
            if (connectAction == null) {
                return;
            }
        }
        if (listener.implicitTls()) {
            installTls();
        } else {
            begin();
        }
    }

    /** Greets (after the handshake on an implicit-TLS listener), or does what the hook said instead. */
    private void begin() {
        started = true;
        if (hook == null) {
            start(null);
        } else {
            hook.greet(session, connectAction);
        }
    }

    /**
     * Starts the session with the greeting, unless the connection is closing.
     *
     * @param greeting a greeting instead of the server's, or {@code null}
     */
    void start(Reply greeting) {
        if (!closing) {
            session.start(greeting);
        }
    }

    void received(IoBuffer buffer) {
        if (!anyInput && buffer.hasRemaining()) {
            anyInput = true;
            if (tls == null && buffer.get(buffer.position()) == TLS_HANDSHAKE_RECORD) {
                LOG.info("client {} sent a TLS handshake to a plain POP3 port; closing", remoteAddress());
                endReason = EndReason.PROTOCOL_ERROR;
                io.closeNow();
                return;
            }
        }
        if (closing) {
            return;
        }
        input.add(buffer);
        pump();
    }

    void written() {
        if (output.drained()) {
            pump();
        }
    }

    void secured() {
        ClientInfo before = session.client();
        session.secured(new ClientInfo(id, before.listener(), before.remoteAddress(), before.localAddress(), true,
                tls.peerCertificates()), ChannelBinding.tlsServerEndPoint(tls.session().getLocalCertificates()));
        String protocol = tls.session().getProtocol();
        String cipherSuite = tls.session().getCipherSuite();
        LOG.debug("TLS established: {} {}", protocol, cipherSuite);
        if (services.sessions().events().enabled()) {
            services.sessions().events().emit(new Pop3Event.TlsEstablished(session.client(), protocol, cipherSuite));
        }
        if (listener.implicitTls() && !started) {
            begin();
        }
        pump();
    }

    void idle() {
        session.idle();
        pump();
    }

    /**
     * The connection failed.
     *
     * @param reason why the session ends
     * @param flush whether to let queued output (a TLS alert) go out first
     */
    void failed(EndReason reason, boolean flush) {
        if (endReason == null) {
            endReason = reason;
        }
        closing = true;
        if (flush) {
            flush();
            io.closeOnFlush();
        } else {
            io.closeNow();
        }
    }

    /** @return the summary; called once, when MINA reports the connection closed */
    SessionSummary closed() {
        closed = true;
        closing = true;
        if (sending != null) {
            sending.abort();
        }
        if (readAhead != null) {
            readAhead.discard();
        }
        throttle.release();
        thread.close();
        input.discard();
        EndReason reason = endReason != null ? endReason
                : stopping ? EndReason.SERVER_STOPPED : EndReason.CLIENT_DISCONNECTED;
        return session.closed(reason);
    }

    /** The server is stopping: close without UPDATE. Any thread. */
    public void stop() {
        stopping = true;
        io.closeNow();
    }

    /** @return the session id */
    String id() {
        return id;
    }

    /** @return the client's address (the one a PROXY protocol header named, if any) */
    InetSocketAddress remoteAddress() {
        return session.client().remoteAddress();
    }

    /** @return whether the connection is closing or closed */
    boolean closing() {
        return closing || io.isClosing();
    }

    // ---------------------------------------------------------------- input

    /** Feeds lines to the session while it can take them; then reads on or pauses reading. Never recursive. */
    private void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                while (!closing && !silenced && !hookBusy && session.ready() && !output.backedUp()) {
                    Line line = input.next();
                    if (line == null) {
                        break;
                    }
                    if (hook == null || hook.admit(session, line)) {
                        turns++;
                        session.line(line);
                    }
                }
            } while (pumpAgain);
            if (!closed) {
                input.regulate();
            }
            flush();
        } finally {
            pumping = false;
        }
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public void send(Reply reply, Sent done) {
        // A reply may finish later, from a write's completion: the session is then ready and the input waits.
        // The finished sender is let go of first (an idle session would otherwise keep its last reply), before done
        // may start the next reply.
        Sent thenPump = new Sent() {
            @Override
            public void sent() {
                sending = null;
                done.sent();
                pump();
            }

            @Override
            public void failed(Exception cause, boolean started) {
                sending = null;
                done.failed(cause, started);
                pump();
            }
        };
        if (throttle.awaitsUser() && session.state() != State.AUTHORIZATION) {
            session.user().ifPresent(throttle::user);
        }
        turns++;
        ReplySender.Shape shape = hook == null ? null : hook.takeShape();
        IoBuffer prepared = readAhead == null ? null : readAhead.take(reply, shape == null && !throttle.limited());
        sending = new ReplySender(this, reply, thenPump, shape, throttle);
        sending.start(prepared);
    }

    /**
     * Reads the likely next reply once this turn's writes are out (see {@link ReadAhead}), unless the client sends
     * another command first: then the session may be busy with the maildrop (a pipelined {@code QUIT}'s UPDATE),
     * which only the session may call. Not when the server reads nothing ahead, under a bandwidth limit (whose
     * chunks are sized to the limit), or while closing.
     */
    @Override
    public void readAhead(Reply.Content likely) {
        if (services.readAheads() == null || loop == null || closing || throttle.limited()) {
            return;
        }
        if (readAhead == null) {
            readAhead = new ReadAhead(services.readAheads(), buffers());
        }
        readAhead.discard();
        int asked = turns;
        loop.whenIdle(() -> thread.run(() -> {
            if (asked == turns && !closing()) {
                readAhead.prepare(likely, tls == null);
            }
        }));
    }

    @Override
    public void startTls() {
        int discarded = input.discard();
        if (discarded > 0) {
            LOG.warn("discarded {} octets the client sent after STLS before the handshake (RFC 2595 section 4)",
                    discarded);
        }
        if (hook != null && hook.takeFailTls()) {
            close(EndReason.TLS_FAILED);
            return;
        }
        // The +OK goes out in clear; everything from now on is TLS.
        flush();
        installTls();
    }

    private void installTls() {
        tls = new TlsFilter(services.tls().get());
        if (io.getFilterChain().contains(ProxyFilter.NAME)) {
            // Implicit TLS behind a balancer: the PROXY header comes before the TLS handshake.
            io.getFilterChain().addAfter(ProxyFilter.NAME, "tls", tls);
        } else {
            io.getFilterChain().addFirst("tls", tls);
        }
    }

    @Override
    public void close(EndReason reason) {
        if (endReason == null) {
            endReason = reason;
        }
        if (closing) {
            return;
        }
        closing = true;
        flush();
        if (tls != null) {
            // RFC 8446 section 6.1: end the TLS session with close_notify, which clients such as OpenSSL expect.
            tls.closeOutbound(io);
        }
        io.closeOnFlush();
    }

    @Override
    public <T> void call(boolean mayBlock, Callable<T> call, BiConsumer<T, Exception> then, Consumer<T> orphan) {
        thread.call(mayBlock, call, then, orphan);
    }

    @Override
    public Runnable later(Duration delay, Runnable task) {
        return thread.later(delay, task);
    }

    @Override
    public void when(CompletionStage<?> stage, Duration timeout, Runnable task) {
        thread.when(stage, timeout, task);
    }

    @Override
    public void idleTimeout(Duration timeout) {
        io.getConfig().setBothIdleTime(seconds(timeout));
    }

    // ---------------------------------------------------------------- for the reply sender and the hook gate

    WriteFuture write(Object message) {
        return output.write(message);
    }

    void writeLine(byte[] line) {
        output.writeLine(line);
    }

    void flush() {
        output.flush();
    }

    /** Notes the octets queued for writing now: the metrics keep the peak. */
    void noteQueued() {
        services.metrics().queued(io.getScheduledWriteBytes());
    }

    BufferPool buffers() {
        return services.buffers();
    }

    boolean tls() {
        return tls != null;
    }

    /**
     * A reply could not be completed after part of it was sent: the client cannot be told; close.
     *
     * @param cause why
     */
    void abort(Exception cause) {
        if (endReason == null) {
            endReason = EndReason.IO_ERROR;
        }
        closing = true;
        io.closeNow();
    }

    void dropAfter(IoBuffer last) {
        LOG.info("session hook dropped the connection in the middle of a reply");
        endReason = EndReason.DROPPED;
        closing = true;
        if (last.hasRemaining()) {
            io.write(last).addListener(f -> io.closeNow());
        } else {
            io.closeNow();
        }
    }

    void drop(String where, boolean tlsFailure) {
        LOG.info("session hook dropped the connection {}", where);
        endReason = tlsFailure ? EndReason.TLS_FAILED : EndReason.DROPPED;
        closing = true;
        io.closeNow();
    }

    void silence() {
        silenced = true;
    }

    void hookDelay(Duration delay, Line line) {
        hookBusy = true;
        later(delay, () -> {
            hookBusy = false;
            turns++;
            session.line(line);
        });
    }

    private static int seconds(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
    }
}
