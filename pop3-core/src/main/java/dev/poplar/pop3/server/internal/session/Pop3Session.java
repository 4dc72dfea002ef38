package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.Pop3Interceptor;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.Engine;
import dev.poplar.pop3.server.internal.SerialExecutor;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.codec.LineDecoder;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.command.SessionContext;
import dev.poplar.pop3.server.internal.command.State;
import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.DefaultWriteFuture;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.filter.ssl.DisableEncryptWriteRequest;
import org.apache.mina.filter.ssl.SslFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One POP3 connection: its input queue, its state machine and its output.
 *
 * <p><b>Threads.</b> {@link #received} runs on the connection's I/O thread and only decodes lines into a small queue.
 * Everything else runs on the session's {@link SerialExecutor}: one command at a time, in order. A command whose reply
 * is streamed (RETR, TOP, LIST, UIDL) or delayed (a failed login) keeps the session busy until the reply is out; the
 * next queued command waits. When the queue is full, or after {@code STLS}, decoding pauses and socket reads are
 * suspended, so input memory stays bounded.
 */
public final class Pop3Session implements SessionContext {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Session.class);

    private static final int MAX_QUEUED_LINES = 32;
    private static final int MAX_HELD_OCTETS = 256 * 1024;
    private static final long HIGH_WATER_OCTETS = 256 * 1024;
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    private final Engine engine;
    private final ServerConfig config;
    private final IoSession io;
    private final Listener listener;
    private final String id;
    private final SerialExecutor serial;
    private final long startNanos = System.nanoTime();

    // Input, guarded by `input`.
    private final Object input = new Object();
    private final LineDecoder decoder;
    private final ArrayDeque<Line> inbound = new ArrayDeque<>(4);
    private ByteBuffer held;
    private boolean paused;
    private Line stlsLine;
    private boolean anyInput;

    // Session state, touched only by the serial executor.
    private volatile ClientInfo client;
    private volatile boolean secure;
    private volatile boolean tlsStarted;
    private volatile boolean closing;
    private State state = State.AUTHORIZATION;
    private final String apopTimestamp;
    private String pendingUser;
    private String username;
    private MaildropView drop;
    private boolean maildropReleased;
    private SaslExchange sasl;
    private String saslMechanism;
    private boolean busy;
    private boolean closed;
    private boolean startTls;
    private Duration replyDelay;
    private EndReason closeAfterReply;
    private volatile EndReason endReason;
    private Pump pump;
    private Pop3Interceptor.Action connectAction = Pop3Interceptor.Action.proceed();
    private Pop3Interceptor.Shape shape;
    private Duration interceptDelay;
    private int badCommands;
    private int authFailures;
    private int retrieved;
    private long retrievedOctets;
    private int deleted;
    private int notRemoved;

    /**
     * Creates the session of a new connection.
     *
     * @param engine the server
     * @param io the MINA session
     * @param listener the listener it came in on
     * @param id the session id
     */
    public Pop3Session(Engine engine, IoSession io, Listener listener, String id) {
        this.engine = engine;
        this.config = engine.config();
        this.io = io;
        this.listener = listener;
        this.id = id;
        this.serial = new SerialExecutor(engine.worker(), id);
        this.decoder = new LineDecoder(config.maxSaslOctets());
        this.secure = false;
        this.tlsStarted = listener.implicitTls();
        this.client = new ClientInfo(id, listener.toString(), (InetSocketAddress) io.getRemoteAddress(),
                (InetSocketAddress) io.getLocalAddress(), false, List.of());
        this.apopTimestamp = config.authenticator().supports(Credentials.Apop.class)
                ? "<" + id + "." + System.currentTimeMillis() + "@" + sanitize(client.localAddress().getHostString())
                + ">" : null;
    }

    /** @return whether the session has decided to close the connection once its output is sent */
    public boolean closing() {
        return closing;
    }

    /** @return the session id */
    public String id() {
        return id;
    }

    /** @return the client's connection as the authenticator sees it */
    public ClientInfo client() {
        return client;
    }

    // ---------------------------------------------------------------- connection events (I/O thread)

    /**
     * The connection is open: asks the interceptor, if any, what to do, then greets at once on a plain listener; on an
     * implicit-TLS listener the greeting waits for the handshake.
     */
    public void opened() {
        io.getConfig().setBothIdleTime(seconds(config.authorizationTimeout()));
        if (config.interceptor().isEmpty()) {
            if (!listener.implicitTls()) {
                runSerially(this::greet, this::greet);
            }
            return;
        }
        serial.execute(() -> {
            Pop3Interceptor.Action action = config.interceptor().map(i -> i.onConnect(client))
                    .orElse(Pop3Interceptor.Action.proceed());
            if (action instanceof Pop3Interceptor.Drop
                    || (action instanceof Pop3Interceptor.FailTls && listener.implicitTls())) {
                endReason = action instanceof Pop3Interceptor.Drop ? EndReason.DROPPED : EndReason.TLS_FAILED;
                io.closeNow();
                return;
            }
            connectAction = action;
            if (!listener.implicitTls()) {
                greet();
            }
        });
    }

    /** Sends the greeting (RFC 1939 section 4), or what the interceptor said instead. Serial executor only. */
    private void greet() {
        Pop3Interceptor.Action action = connectAction;
        if (action instanceof Pop3Interceptor.Silence) {
            return;
        }
        if (action instanceof Pop3Interceptor.Delay delay) {
            connectAction = Pop3Interceptor.Action.proceed();
            later(this::greet, delay.delay().toMillis());
            return;
        }
        if (action instanceof Pop3Interceptor.Respond respond) {
            writeLine(respond.statusLine());
            if (respond.statusLine().startsWith("-ERR")) {
                endReason = EndReason.DROPPED;
                closeOnFlush();
                return;
            }
        } else {
            writeLine(Replies.greeting(config.serverName(), apopTimestamp));
        }
        engine.events().emit(new Pop3Event.ConnectionOpened(client));
    }

    /**
     * Octets arrived (decrypted, when TLS is on).
     *
     * @param buffer the octets
     */
    public void received(IoBuffer buffer) {
        ByteBuffer octets = buffer.buf();
        boolean added;
        if (!secure && tlsStarted) {
            secured();
        }
        synchronized (input) {
            if (!anyInput && octets.hasRemaining()) {
                anyInput = true;
                if (!secure && octets.get(octets.position()) == TLS_HANDSHAKE_RECORD) {
                    LOG.info("client {} sent a TLS handshake to a plain POP3 port; closing",
                            client.remoteAddress());
                    endReason = EndReason.PROTOCOL_ERROR;
                    io.closeNow();
                    return;
                }
            }
            if (paused) {
                hold(octets);
                return;
            }
            added = decode(octets);
        }
        if (added) {
            runSerially(this::drainInline, this::drain);
        }
    }

    /**
     * Runs work on this thread if the session is idle, else queues it, keeping the session's order.
     *
     * @param inline the work as run on this thread
     * @param pooled the same work as run on a worker
     */
    private void runSerially(Runnable inline, Runnable pooled) {
        if (!serial.tryRunInline(inline)) {
            serial.execute(pooled);
        }
    }

    /**
     * The TLS handshake completed (implicit TLS, or after {@code STLS}). Called for MINA's event and again when data
     * arrives, because decrypted data may be delivered before the event; acts once.
     */
    public void secured() {
        SSLSession tls = (SSLSession) io.getAttribute(SslFilter.SSL_SECURED);
        if (tls == null) {
            return;
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : tls.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // No client certificate: the chain stays empty.
        }
        synchronized (input) {
            if (secure) {
                return;
            }
            client = new ClientInfo(id, client.listener(), client.remoteAddress(), client.localAddress(), true, chain);
            secure = true;
        }
        LOG.debug("TLS established: {} {}", tls.getProtocol(), tls.getCipherSuite());
        if (listener.implicitTls()) {
            if (config.interceptor().isEmpty()) {
                runSerially(this::greet, this::greet);
            } else {
                serial.execute(this::greet);
            }
        }
    }

    /** The session was idle too long (RFC 1939 section 3 autologout): close without UPDATE. */
    public void idle() {
        serial.execute(() -> {
            if (closed) {
                return;
            }
            LOG.info("idle timeout in state {}", state);
            endReason = EndReason.IDLE_TIMEOUT;
            writeLine(Replies.IDLE_TIMEOUT.statusLine());
            closeOnFlush();
        });
    }

    /**
     * The connection failed.
     *
     * @param reason why the session is ending
     */
    public void failed(EndReason reason) {
        if (endReason == null) {
            endReason = reason;
        }
        if (reason == EndReason.TLS_FAILED) {
            // Let the TLS alert that explains the failure reach the client.
            closing = true;
            io.closeOnFlush();
        } else {
            io.closeNow();
        }
    }

    /** The server is stopping: close without UPDATE. */
    public void stop() {
        if (endReason == null) {
            endReason = EndReason.SERVER_STOPPED;
        }
        io.closeNow();
    }

    /** The connection is closed: release the maildrop (without UPDATE unless QUIT did it) and report. */
    public void closed() {
        serial.execute(() -> {
            if (closed) {
                return;
            }
            closed = true;
            if (pump != null) {
                pump.abort();
                pump = null;
            }
            synchronized (input) {
                inbound.clear();
                held = null;
            }
            releaseMaildrop();
            EndReason end = endReason == null ? EndReason.CLIENT_DISCONNECTED : endReason;
            SessionSummary summary = new SessionSummary(id, Optional.ofNullable(username), end, secure, retrieved,
                    retrievedOctets, deleted, notRemoved, Duration.ofNanos(System.nanoTime() - startNanos));
            LOG.info("closed from {}: {}", client.remoteAddress(), summary);
            engine.events().emit(new Pop3Event.ConnectionClosed(client, summary));
            engine.sessionEnded(this);
        });
    }

    // ---------------------------------------------------------------- input

    private boolean decode(ByteBuffer octets) {
        boolean added = false;
        Line line;
        while (!paused && (line = decoder.next(octets)) != null) {
            inbound.add(line);
            added = true;
            if (!line.tooLong() && line.text().trim().equalsIgnoreCase("STLS")) {
                // RFC 2595 section 4 (and the STARTTLS injection attacks): nothing the client sent after STLS may be
                // read as a command after the handshake. Stop here; the rest is held and dropped if TLS starts.
                stlsLine = line;
                pause(octets);
            } else if (inbound.size() >= MAX_QUEUED_LINES) {
                pause(octets);
            }
        }
        return added;
    }

    private void pause(ByteBuffer rest) {
        paused = true;
        hold(rest);
        io.suspendRead();
    }

    private void hold(ByteBuffer octets) {
        if (!octets.hasRemaining()) {
            return;
        }
        int needed = (held == null ? 0 : held.position()) + octets.remaining();
        if (needed > MAX_HELD_OCTETS) {
            LOG.warn("client sent more than {} octets while input was paused; closing", MAX_HELD_OCTETS);
            endReason = EndReason.TOO_MANY_ERRORS;
            io.closeNow();
            return;
        }
        if (held == null || held.remaining() < octets.remaining()) {
            ByteBuffer larger = ByteBuffer.allocate(Math.max(needed, 4096));
            if (held != null) {
                held.flip();
                larger.put(held);
            }
            held = larger;
        }
        held.put(octets);
    }

    /** Called with {@code input} held, on the serial executor, when the queue has drained. */
    private void resume() {
        paused = false;
        ByteBuffer pending = held;
        held = null;
        if (pending != null) {
            pending.flip();
            decode(pending);
        }
        if (!paused) {
            io.resumeRead();
        }
    }

    private void drain() {
        drain(false);
    }

    /** Drains on an I/O thread: stops at the first command that may call the store or authenticator. */
    private void drainInline() {
        drain(true);
    }

    private void drain(boolean inline) {
        while (!busy && !closed) {
            Line line;
            synchronized (input) {
                line = inbound.peek();
                if (line == null && paused && stlsLine == null) {
                    resume();
                    line = inbound.peek();
                }
                if (line != null && inline && mayBlock(line)) {
                    serial.execute(this::drain);
                    return;
                }
                inbound.poll();
            }
            if (line == null) {
                return;
            }
            handle(line);
        }
    }

    /** Whether handling a line may call user code that can block: the SPIs, or an interceptor. */
    private boolean mayBlock(Line line) {
        return config.interceptor().isPresent() || sasl != null
                || (!line.tooLong() && engine.dispatcher().mayBlock(this, line.text()));
    }

    private void handle(Line line) {
        long start = System.nanoTime();
        Dispatcher.Outcome outcome;
        if (line.tooLong()) {
            if (sasl != null) {
                saslInProgress(null, null);
            }
            outcome = new Dispatcher.Outcome(Replies.LINE_TOO_LONG, true, "<" + line.octets() + " octets>");
        } else if (sasl != null) {
            outcome = engine.dispatcher().continueSasl(this, sasl, saslMechanism, line.text());
        } else if (line.octets() > config.maxCommandOctets() && !isAuthCommand(line.text())) {
            outcome = new Dispatcher.Outcome(Replies.LINE_TOO_LONG, true, "<" + line.octets() + " octets>");
        } else if (config.interceptor().isPresent()) {
            outcome = intercepted(line.text());
            if (outcome == null) {
                return;
            }
        } else {
            outcome = engine.dispatcher().dispatch(this, line.text());
        }
        if (line == stlsLine && !startTls) {
            synchronized (input) {
                stlsLine = null;
            }
        }
        if (outcome.bad() && ++badCommands >= config.maxBadCommands() && closeAfterReply == null) {
            LOG.info("closing after {} bad commands", badCommands);
            closeAfterReply = EndReason.TOO_MANY_ERRORS;
        }
        send(outcome.reply(), outcome.logged(), start);
    }

    /** Runs a command past the interceptor; {@code null} when the session must not answer (dropped, silent). */
    private Dispatcher.Outcome intercepted(String text) {
        String logged = Dispatcher.redact(text);
        int space = logged.indexOf(' ');
        String verb = (space < 0 ? logged : logged.substring(0, space)).toUpperCase(java.util.Locale.ROOT);
        String argument = space < 0 ? "" : logged.substring(space + 1);
        Optional<String> user = Optional.ofNullable(username != null ? username : pendingUser);
        Pop3Interceptor.Action action = config.interceptor().get().onCommand(
                new Pop3Interceptor.Command(client, verb, argument, user, state == State.TRANSACTION));
        if (action instanceof Pop3Interceptor.Drop) {
            LOG.info("interceptor dropped the connection at {}", logged);
            endReason = EndReason.DROPPED;
            busy = true;
            io.closeNow();
            return null;
        }
        if (action instanceof Pop3Interceptor.Silence) {
            LOG.info("interceptor silenced the reply to {}", logged);
            busy = true;
            return null;
        }
        if (action instanceof Pop3Interceptor.Respond respond) {
            return new Dispatcher.Outcome(new Reply.Verbatim(respond.statusLine(), respond.lines(),
                    respond.multiLine()), false, logged);
        }
        if (action instanceof Pop3Interceptor.FailTls && verb.equals("STLS")) {
            closeAfterReply = EndReason.TLS_FAILED;
            return new Dispatcher.Outcome(Replies.STLS_BEGIN, false, logged);
        }
        if (action instanceof Pop3Interceptor.Delay delay) {
            interceptDelay = delay.delay();
        } else if (action instanceof Pop3Interceptor.Shape s) {
            shape = s;
        }
        return engine.dispatcher().dispatch(this, text);
    }

    private static boolean isAuthCommand(String line) {
        return line.regionMatches(true, 0, "AUTH ", 0, 5);
    }

    // ---------------------------------------------------------------- output

    private void send(Reply reply, String logged, long start) {
        if (startTls) {
            startTls = false;
            upgradeToTls(reply.statusLine());
            completed(logged, reply.statusLine(), start);
            return;
        }
        Duration delay = replyDelay == null ? Duration.ZERO : replyDelay;
        if (interceptDelay != null) {
            delay = delay.plus(interceptDelay);
            interceptDelay = null;
        }
        replyDelay = null;
        if (!delay.isZero()) {
            busy = true;
            // The delay blocks no thread: the reply is written later by a timer task.
            later(() -> {
                busy = false;
                if (!closed) {
                    send(reply, logged, start);
                    drain();
                }
            }, delay.toMillis());
            return;
        }
        if (reply instanceof Reply.Lines lines) {
            startPump(new LinesPump(this, lines.statusLine(), lines.lines()), logged, start);
        } else if (reply instanceof Reply.Verbatim verbatim && verbatim.multiLine()) {
            startPump(new LinesPump(this, verbatim.statusLine(), verbatim.lines().iterator()), logged, start);
        } else if (reply instanceof Reply.Content content) {
            startPump(new ContentPump(this, content, secure || listener.implicitTls()), logged, start);
        } else {
            WriteFuture written = writeLine(reply.statusLine());
            completed(logged, reply.statusLine(), start);
            throttleOutput(written);
        }
    }

    private void startPump(Pump next, String logged, long start) {
        busy = true;
        pump = next;
        if (shape != null) {
            next.shape(shape.octetsPerSecond(), shape.dropAfterOctets());
            shape = null;
        }
        next.start(() -> {
            pump = null;
            busy = false;
            completed(logged, next.statusLine(), start);
            drain();
        });
    }

    /** When the client reads slower than we answer pipelined commands, wait until its queue drains. */
    private void throttleOutput(WriteFuture last) {
        long queued = io.getScheduledWriteBytes();
        engine.metrics().queued(queued);
        if (queued > HIGH_WATER_OCTETS && closeAfterReply == null) {
            busy = true;
            last.addListener(f -> serial.execute(() -> {
                busy = false;
                drain();
            }));
        }
    }

    private void completed(String logged, String statusLine, long start) {
        if (engine.events().enabled()) {
            engine.events().emit(new Pop3Event.CommandCompleted(client, logged, statusLine,
                    Duration.ofNanos(System.nanoTime() - start)));
        }
        LOG.debug("{} -> {}", logged, statusLine);
        if (closeAfterReply != null && !closed) {
            endReason = closeAfterReply;
            busy = true;
            closeOnFlush();
        }
    }

    private void upgradeToTls(String statusLine) {
        int discarded;
        synchronized (input) {
            discarded = held == null ? 0 : held.position();
            held = null;
            inbound.clear();
            decoder.reset();
            stlsLine = null;
            paused = false;
        }
        if (discarded > 0) {
            LOG.warn("discarded {} octets the client sent after STLS before the handshake (RFC 2595 section 4)",
                    discarded);
        }
        // The TLS filter goes in first, so every octet the client sends from now on is TLS; the +OK itself must
        // still go out in clear.
        tlsStarted = true;
        io.getFilterChain().addFirst("tls", engine.tlsFilter());
        IoBuffer buffer = ascii(statusLine);
        DefaultWriteRequest request = new PlainWriteRequest(buffer, new DefaultWriteFuture(io));
        io.getFilterChain().fireFilterWrite(request);
        io.resumeRead();
    }

    /** A write that the TLS filter lets through unencrypted: the {@code +OK} to {@code STLS}. */
    private static final class PlainWriteRequest extends DefaultWriteRequest implements DisableEncryptWriteRequest {
        PlainWriteRequest(Object message, WriteFuture future) {
            super(message, future);
        }
    }

    /**
     * Runs a task on the session's executor after a delay, without holding a thread meanwhile.
     *
     * @param task the task
     * @param millis the delay
     */
    void later(Runnable task, long millis) {
        engine.scheduler().schedule(() -> serial.execute(task), millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends the last part of a reply that an interceptor cut short, then drops the connection.
     *
     * @param last the octets still to send
     */
    void dropAfterWrite(IoBuffer last) {
        endReason = EndReason.DROPPED;
        LOG.info("interceptor dropped the connection in the middle of a reply");
        if (last.hasRemaining()) {
            io.write(last).addListener(f -> io.closeNow());
        } else {
            io.closeNow();
        }
    }

    /**
     * Closes the connection once everything written has been sent. Over TLS, first ends the TLS session with a
     * {@code close_notify} (RFC 8446 section 6.1), which clients such as OpenSSL require for a clean end.
     */
    void closeOnFlush() {
        closing = true;
        if (tlsStarted && io.getFilterChain().contains("tls")) {
            try {
                io.getFilterChain().remove("tls");
            } catch (RuntimeException e) {
                LOG.debug("could not end the TLS session cleanly", e);
            }
        }
        io.closeOnFlush();
    }

    WriteFuture writeLine(String line) {
        return io.write(ascii(line));
    }

    WriteFuture write(Object message) {
        return io.write(message);
    }

    SerialExecutor serial() {
        return serial;
    }

    Engine engine() {
        return engine;
    }

    MaildropView view() {
        return drop;
    }

    void recordRetrieved(int number, MessageInfo message) {
        drop.retrieved(number);
        retrieved++;
        retrievedOctets += message.size();
        engine.metrics().retrieved(message.size());
        engine.events().emit(new Pop3Event.MessageRetrieved(client, drop.mailbox(), message.uid(), message.size()));
    }

    void queuedOctets() {
        engine.metrics().queued(io.getScheduledWriteBytes());
    }

    /**
     * Message content could not be read before any of it was sent; the client gets {@code -ERR [SYS/TEMP]}.
     *
     * @param cause the failure, for the log
     */
    void contentFailed(Throwable cause) {
        LOG.warn("could not read message content", cause);
    }

    /** A streamed reply could not be completed (content unreadable): the client cannot be told; close. */
    void abortStream(Throwable cause) {
        LOG.warn("could not complete a multi-line reply; closing the connection", cause);
        if (endReason == null) {
            endReason = EndReason.IO_ERROR;
        }
        io.closeNow();
    }

    private static IoBuffer ascii(String line) {
        byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        return IoBuffer.wrap(bytes);
    }

    // ---------------------------------------------------------------- SessionContext

    @Override
    public ServerConfig config() {
        return config;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public boolean secure() {
        return secure;
    }

    @Override
    public boolean stlsAvailable() {
        return config.tls().isPresent() && !secure && !listener.implicitTls() && state == State.AUTHORIZATION;
    }

    @Override
    public boolean plaintextAllowed() {
        PlaintextAuth policy = config.plaintextAuth();
        return secure || policy == PlaintextAuth.ALLOW
                || (policy == PlaintextAuth.ALLOW_LOOPBACK && client.isLoopback());
    }

    @Override
    public String apopTimestamp() {
        return apopTimestamp;
    }

    @Override
    public List<SaslMechanism> mechanisms() {
        List<SaslMechanism> offered = new ArrayList<>();
        for (SaslMechanism m : engine.mechanisms()) {
            if ((!m.clearText() || plaintextAllowed()) && config.authenticator().supports(m.produces())) {
                offered.add(m);
            }
        }
        return offered;
    }

    @Override
    public boolean knownMechanism(String name) {
        return engine.mechanisms().stream().anyMatch(m -> m.name().equals(name));
    }

    @Override
    public String pendingUser() {
        return pendingUser;
    }

    @Override
    public void pendingUser(String user) {
        this.pendingUser = user;
    }

    @Override
    public Reply login(Credentials credentials, String mechanism) {
        AuthResult result;
        try {
            result = config.authenticator().authenticate(credentials, client);
        } catch (RuntimeException e) {
            LOG.error("authenticator failed", e);
            result = AuthResult.unavailable("authenticator threw " + e.getClass().getName());
        }
        if (result == null) {
            LOG.error("authenticator returned null");
            result = AuthResult.unavailable("authenticator returned null");
        }
        if (result instanceof AuthResult.Rejected rejected) {
            return loginFailed(credentials.username(), mechanism, rejected.reason());
        }
        if (result instanceof AuthResult.Delayed delayed) {
            engine.metrics().loginFailed();
            engine.events().emit(new Pop3Event.LoginFailed(client, credentials.username(), mechanism,
                    "login delay: retry after " + delayed.retryAfter()));
            return Replies.LOGIN_DELAYED;
        }
        if (result instanceof AuthResult.Unavailable unavailable) {
            LOG.warn("authentication unavailable: {}", unavailable.reason());
            engine.events().emit(new Pop3Event.LoginFailed(client, credentials.username(), mechanism,
                    unavailable.reason()));
            return Replies.AUTH_UNAVAILABLE;
        }
        String mailbox = ((AuthResult.Accepted) result).mailbox();
        Maildrop maildrop;
        try {
            maildrop = config.store().open(mailbox);
        } catch (StoreException e) {
            engine.events().emit(new Pop3Event.LoginFailed(client, credentials.username(), mechanism,
                    "maildrop " + mailbox + " could not be opened: " + e.getMessage()));
            return Dispatcher.storeFailure(e);
        } catch (RuntimeException e) {
            LOG.error("store failed to open {}", mailbox, e);
            return Replies.STORE_TEMPORARY;
        }
        try {
            drop = new MaildropView(maildrop, mailbox);
        } catch (RuntimeException e) {
            closeQuietly(maildrop);
            LOG.error("store failed to list {}", mailbox, e);
            return Replies.STORE_TEMPORARY;
        }
        state = State.TRANSACTION;
        username = credentials.username();
        engine.throttle().succeeded(username);
        engine.metrics().loginSucceeded();
        // RFC 1939 section 3: the autologout timer after login is at least 10 minutes.
        io.getConfig().setBothIdleTime(seconds(config.idleTimeout()));
        engine.events().emit(new Pop3Event.LoginSucceeded(client, username, mailbox, mechanism));
        LOG.debug("{} logged in with {} from {}", username, mechanism, client.remoteAddress());
        return Replies.loggedIn(drop.liveCount(), drop.liveOctets());
    }

    @Override
    public Reply loginFailed(String user, String mechanism, String reason) {
        authFailures++;
        engine.metrics().loginFailed();
        engine.events().emit(new Pop3Event.LoginFailed(client, user, mechanism, reason));
        LOG.info("login failed for '{}' with {} from {}: {}", user, mechanism, client.remoteAddress(), reason);
        replyDelay = engine.throttle().failed(client.remoteAddress().getAddress(), user);
        if (authFailures >= config.maxAuthFailures()) {
            closeAfterReply = EndReason.TOO_MANY_ERRORS;
        }
        return Replies.AUTH_FAILED;
    }

    @Override
    public MaildropView maildrop() {
        return drop;
    }

    @Override
    public Reply quit() {
        closeAfterReply = EndReason.QUIT;
        if (state != State.TRANSACTION) {
            return Replies.BYE;
        }
        state = State.UPDATE;
        try {
            return update();
        } finally {
            // RFC 1939 section 6: the lock is released before the reply, so the client may log in again at once.
            releaseMaildrop();
        }
    }

    private void releaseMaildrop() {
        if (drop != null && !maildropReleased) {
            maildropReleased = true;
            closeQuietly(drop.maildrop());
        }
    }

    private Reply update() {
        Set<MessageInfo> marked = drop.deletedMessages();
        Set<MessageInfo> read = drop.retrievedMessages();
        if (marked.isEmpty() && read.isEmpty()) {
            return Replies.signOff(0, 0);
        }
        UpdateResult result;
        try {
            result = drop.maildrop().update(marked, read);
        } catch (StoreException | RuntimeException e) {
            LOG.warn("could not remove {} deleted messages from {}", marked.size(), drop.mailbox(), e);
            notRemoved = marked.size();
            emitDeleted(List.of(), marked);
            return Replies.signOff(0, marked.size());
        }
        Set<MessageInfo> kept = result.notRemoved();
        List<MessageInfo> removed = new ArrayList<>(marked);
        removed.removeAll(kept);
        deleted = removed.size();
        notRemoved = kept.size();
        engine.metrics().deleted(deleted);
        emitDeleted(removed, kept);
        if (!kept.isEmpty()) {
            LOG.warn("{} of {} deleted messages could not be removed from {}", kept.size(), marked.size(),
                    drop.mailbox());
        }
        return Replies.signOff(deleted, notRemoved);
    }

    private void emitDeleted(java.util.Collection<MessageInfo> removed, java.util.Collection<MessageInfo> kept) {
        if (removed.isEmpty() && kept.isEmpty()) {
            return;
        }
        engine.events().emit(new Pop3Event.MessagesDeleted(client, drop.mailbox(),
                removed.stream().map(MessageInfo::uid).toList(), kept.stream().map(MessageInfo::uid).toList()));
    }

    @Override
    public void startTlsAfterReply() {
        startTls = true;
    }

    @Override
    public void saslInProgress(SaslExchange exchange, String mechanism) {
        this.sasl = exchange;
        this.saslMechanism = mechanism;
    }

    // ---------------------------------------------------------------- helpers

    private static void closeQuietly(Maildrop maildrop) {
        try {
            maildrop.close();
        } catch (RuntimeException e) {
            LOG.error("store failed to release a maildrop", e);
        }
    }

    private static int seconds(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
    }

    private static String sanitize(String host) {
        StringBuilder s = new StringBuilder();
        for (char c : host.toCharArray()) {
            s.append(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' ? c : '-');
        }
        return s.toString();
    }
}
