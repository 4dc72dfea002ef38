package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.LogSafe;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.command.SessionContext;
import dev.poplar.pop3.server.internal.command.State;
import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One POP3 session without a socket: the states (RFC 1939 AUTHORIZATION, TRANSACTION, UPDATE), the commands, login,
 * counters and events. It reads lines and has replies sent through its {@link Transport}.
 *
 * <p><b>One command at a time.</b> The connection hands it a line only when {@link #ready()}; the session is busy
 * from a command until its reply has been handed to the network, including a reply that waits for the store or the
 * authenticator, or a delayed one. Pipelined commands therefore run in order, and the connection holds the rest of
 * the input meanwhile.
 *
 * <p><b>Threads.</b> Every method runs on the session thread (see {@link Transport}); nothing here is thread-safe.
 */
public final class ProtocolSession implements SessionContext {

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolSession.class);

    private final SessionServices services;
    private final ServerConfig config;
    private final Transport transport;
    private final boolean implicitTls;
    private final String apopTimestamp;
    private final long startNanos = System.nanoTime();
    private final SessionStats stats = new SessionStats();
    private ClientInfo client;
    private State state = State.AUTHORIZATION;
    private String pendingUser;
    private String username;
    private MaildropView drop;
    private MailboxHolds.Hold hold;
    private boolean released;
    private SaslExchange sasl;
    private String saslMechanism;
    private boolean busy;
    private boolean ended;
    private boolean startTls;
    private boolean dispatching;
    private Reply deferred;
    private String waitingLogged;
    private long waitingStart;
    private Duration replyDelay;
    private EndReason closeAfterReply;

    /**
     * Creates the session of a new connection.
     *
     * @param services what the server's sessions share
     * @param transport the connection
     * @param client the client, as known when the connection opened
     * @param implicitTls whether the listener is an implicit-TLS one
     */
    public ProtocolSession(SessionServices services, Transport transport, ClientInfo client, boolean implicitTls) {
        this.services = services;
        this.config = services.config();
        this.transport = transport;
        this.client = client;
        this.implicitTls = implicitTls;
        this.apopTimestamp = config.authenticator().supports(Credentials.Apop.class)
                ? "<" + client.sessionId() + "." + System.currentTimeMillis() + "@"
                + hostPart(client.localAddress().getHostString()) + ">" : null;
    }

    // ---------------------------------------------------------------- driven by the connection

    /**
     * The connection is ready for POP3 (after the handshake on an implicit-TLS listener): sends the greeting
     * (RFC 1939 section 4) and starts the clocks of the AUTHORIZATION state.
     *
     * @param greeting a greeting to send instead of the server's (a test server's), or {@code null}
     */
    public void start(Reply greeting) {
        transport.idleTimeout(config.limits().authorizationTimeout());
        transport.later(config.limits().loginTimeout(), this::loginDeadline);
        services.events().emit(new Pop3Event.ConnectionOpened(client));
        send(greeting != null ? greeting : Replies.greeting(config.serverName(), apopTimestamp), null,
                System.nanoTime());
    }

    /** @return whether a SASL exchange waits for the client's next response */
    public boolean inSaslExchange() {
        return sasl != null;
    }

    /** @return whether the session takes the next command line now */
    public boolean ready() {
        return !busy && !ended;
    }

    /**
     * Handles one command line (or SASL response). Call only when {@link #ready()}.
     *
     * @param line the line
     */
    public void line(Line line) {
        long start = System.nanoTime();
        Dispatcher.Outcome outcome;
        dispatching = true;
        try {
            outcome = dispatch(line);
        } finally {
            dispatching = false;
        }
        if (outcome.bad() && ++stats.badCommands >= config.limits().maxBadCommands() && closeAfterReply == null) {
            LOG.info("closing after {} bad commands", stats.badCommands);
            closeAfterReply = EndReason.TOO_MANY_ERRORS;
        }
        Reply reply = outcome.reply();
        if (reply == Replies.LATER) {
            if (deferred == null) {
                busy = true;
                waitingLogged = outcome.logged();
                waitingStart = start;
                return;
            }
            reply = deferred;
            deferred = null;
        }
        answer(reply, outcome.logged(), start);
    }

    /**
     * Answers a command line with a given reply instead of running it (a test server's hook). It counts as a command
     * for events and logs; the session's state does not change.
     *
     * @param line the line
     * @param reply the reply
     */
    public void answerInstead(Line line, Reply reply) {
        send(reply, Dispatcher.redact(line.text()), System.nanoTime());
    }

    private Dispatcher.Outcome dispatch(Line line) {
        if (line.tooLong()) {
            saslInProgress(null, null);
            return new Dispatcher.Outcome(Replies.LINE_TOO_LONG, true, "<" + line.octets() + " octets>");
        }
        if (sasl != null) {
            return services.dispatcher().continueSasl(this, sasl, saslMechanism, line.text());
        }
        if (line.octets() > config.limits().maxCommandOctets() && !line.text().regionMatches(true, 0, "AUTH ", 0, 5)) {
            return new Dispatcher.Outcome(Replies.LINE_TOO_LONG, true, "<" + line.octets() + " octets>");
        }
        return services.dispatcher().dispatch(this, line.text());
    }

    /**
     * The TLS handshake has completed (implicit TLS, or after {@code STLS}).
     *
     * @param secured the client as it is now known, with its certificates
     */
    public void secured(ClientInfo secured) {
        this.client = secured;
    }

    /** The connection was idle too long (RFC 1939 section 3 autologout): end without UPDATE. */
    public void idle() {
        endNow(EndReason.IDLE_TIMEOUT, Replies.IDLE_TIMEOUT, "idle timeout in state " + state);
    }

    private void loginDeadline() {
        if (state == State.AUTHORIZATION) {
            endNow(EndReason.LOGIN_TIMEOUT, Replies.LOGIN_TIMEOUT, "no login within "
                    + config.limits().loginTimeout().toSeconds() + " s");
        }
    }

    private void endNow(EndReason reason, Reply reply, String why) {
        if (ended || closeAfterReply != null) {
            return;
        }
        LOG.info("{}; closing", why);
        closeAfterReply = reason;
        if (busy) {
            // In the middle of a reply: nothing more can be said.
            ended = true;
            transport.close(reason);
        } else {
            send(reply, null, System.nanoTime());
        }
    }

    /**
     * The connection is closed: releases the maildrop without UPDATE (unless {@code QUIT} did it), reports, and
     * returns the summary. Called once.
     *
     * @param reason how the connection ended
     * @return what the session did
     */
    public SessionSummary closed(EndReason reason) {
        ended = true;
        busy = true;
        releaseMaildrop(true);
        SessionSummary summary = new SessionSummary(client.sessionId(), Optional.ofNullable(username), reason,
                client.secure(), stats.retrieved, stats.retrievedOctets, stats.deleted, stats.notRemoved,
                Duration.ofNanos(System.nanoTime() - startNanos));
        LOG.info("closed from {}: {}", client.remoteAddress(), summary);
        services.events().emit(new Pop3Event.ConnectionClosed(client, summary));
        return summary;
    }

    /** @return the client */
    public ClientInfo client() {
        return client;
    }

    /** @return the user logged in, or else the name given with {@code USER} */
    public Optional<String> user() {
        return Optional.ofNullable(username != null ? username : pendingUser);
    }

    // ---------------------------------------------------------------- replies

    /**
     * The reply of a command that waited for the store or the authenticator.
     *
     * @param reply the reply
     */
    void complete(Reply reply) {
        if (dispatching) {
            deferred = reply;
            return;
        }
        answer(reply, waitingLogged, waitingStart);
    }

    private void answer(Reply reply, String logged, long start) {
        Duration delay = replyDelay;
        replyDelay = null;
        if (delay != null && !delay.isZero()) {
            // A failed login: the answer waits, but no thread does.
            busy = true;
            transport.later(delay, () -> send(reply, logged, start));
            return;
        }
        send(reply, logged, start);
    }

    private void send(Reply reply, String logged, long start) {
        busy = true;
        transport.send(reply, new Transport.Sent() {
            @Override
            public void sent() {
                if (reply instanceof Reply.Content content && content.bodyLines() < 0) {
                    retrieved(content);
                }
                replied(reply.statusLine(), logged, start);
            }

            @Override
            public void failed(Exception cause, boolean started) {
                if (started) {
                    LOG.warn("could not complete a reply to {}; the connection closes", LogSafe.text(logged), cause);
                    ended = true;
                } else {
                    send(Dispatcher.storeFailure(cause), logged, start);
                }
            }
        });
    }

    private void replied(String statusLine, String logged, long start) {
        if (logged != null) {
            if (services.events().enabled()) {
                services.events().emit(new Pop3Event.CommandCompleted(client, logged, statusLine,
                        Duration.ofNanos(System.nanoTime() - start)));
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} -> {}", LogSafe.text(logged), statusLine);
            }
        }
        if (startTls) {
            startTls = false;
            transport.startTls();
        }
        if (closeAfterReply != null) {
            ended = true;
            transport.close(closeAfterReply);
            return;
        }
        busy = false;
    }

    private void retrieved(Reply.Content content) {
        MessageInfo message = content.message();
        drop.retrieved(content.number());
        stats.retrieved++;
        stats.retrievedOctets += message.size();
        services.metrics().retrieved(message.size());
        services.events().emit(new Pop3Event.MessageRetrieved(client, drop.mailbox(), message.uid(), message.size()));
    }

    // ---------------------------------------------------------------- login and maildrop

    /**
     * Login succeeded: the maildrop is open.
     *
     * @param view the maildrop
     * @param user who logged in
     * @param mechanism how
     */
    void enter(MaildropView view, String user, String mechanism) {
        drop = view;
        hold = services.holds().acquired(view.mailbox());
        state = State.TRANSACTION;
        username = user;
        services.throttle().succeeded(user);
        services.metrics().loginSucceeded();
        // RFC 1939 section 3: the autologout timer after login is at least 10 minutes.
        transport.idleTimeout(config.limits().idleTimeout());
        services.events().emit(new Pop3Event.LoginSucceeded(client, user, view.mailbox(), mechanism));
        LOG.debug("{} logged in with {} from {}", LogSafe.text(user), mechanism, client.remoteAddress());
        complete(Replies.loggedIn(view.liveCount(), view.liveOctets()));
    }

    private void releaseMaildrop(boolean ending) {
        if (drop == null || released) {
            return;
        }
        released = true;
        MailboxHolds.Hold held = hold;
        if (ending) {
            held.ending();
        }
        var maildrop = drop.maildrop();
        Runnable release = () -> {
            Login.close(maildrop);
            held.released();
        };
        if (config.store().mayBlock(MailboxStore.Operation.UPDATE)) {
            try {
                services.releaser().execute(release);
                return;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The server is stopping: release here rather than never.
            }
        }
        release.run();
    }

    @Override
    public Reply login(Credentials credentials, String mechanism) {
        new Login(this, services, transport, credentials, mechanism).start();
        return Login.pending();
    }

    @Override
    public Reply loginFailed(String user, String mechanism, String reason) {
        stats.authFailures++;
        services.metrics().loginFailed();
        services.events().emit(new Pop3Event.LoginFailed(client, user, mechanism, reason));
        LOG.info("login failed for '{}' with {} from {}: {}", LogSafe.text(user), mechanism,
                client.remoteAddress(), LogSafe.text(reason));
        replyDelay = services.throttle().failed(client.remoteAddress().getAddress(), user);
        if (stats.authFailures >= config.limits().maxAuthFailures()) {
            closeAfterReply = EndReason.TOO_MANY_ERRORS;
        }
        return Replies.AUTH_FAILED;
    }

    @Override
    public Reply quit() {
        closeAfterReply = EndReason.QUIT;
        if (state != State.TRANSACTION) {
            return Replies.BYE;
        }
        state = State.UPDATE;
        Update update = new Update(drop, services, client, stats);
        if (update.nothingToDo()) {
            releaseMaildrop(false);
            return Replies.signOff(0, 0);
        }
        released = true;
        MailboxHolds.Hold held = hold;
        // RFC 1939 section 6: the maildrop is released before the reply, so the client may log in again at once.
        transport.call(config.store().mayBlock(MailboxStore.Operation.UPDATE), () -> update.run(held),
                (reply, failure) -> complete(reply), reply -> { });
        return Replies.LATER;
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
        return client.secure();
    }

    @Override
    public boolean stlsAvailable() {
        return config.tls().isPresent() && !client.secure() && !implicitTls && state == State.AUTHORIZATION;
    }

    @Override
    public boolean plaintextAllowed() {
        PlaintextAuth policy = config.plaintextAuth();
        return client.secure() || policy == PlaintextAuth.ALLOW
                || (policy == PlaintextAuth.ALLOW_LOOPBACK && client.isLoopback());
    }

    @Override
    public String apopTimestamp() {
        return apopTimestamp;
    }

    @Override
    public List<SaslMechanism> mechanisms() {
        List<SaslMechanism> offered = new ArrayList<>();
        for (SaslMechanism m : services.mechanisms()) {
            if ((!m.clearText() || plaintextAllowed()) && config.authenticator().supports(m.produces())) {
                offered.add(m);
            }
        }
        return offered;
    }

    @Override
    public boolean knownMechanism(String name) {
        return services.mechanisms().stream().anyMatch(m -> m.name().equals(name));
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
    public MaildropView maildrop() {
        return drop;
    }

    @Override
    public Reply.Source contentOf(MessageInfo message) {
        var maildrop = drop.maildrop();
        boolean mayBlock = config.store().mayBlock(MailboxStore.Operation.CONTENT);
        return new Reply.Source() {
            @Override
            public MessageContent open() throws StoreException {
                return maildrop.content(message);
            }

            @Override
            public boolean mayBlock() {
                return mayBlock;
            }
        };
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

    private static String hostPart(String host) {
        StringBuilder s = new StringBuilder();
        for (char c : host.toCharArray()) {
            s.append(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' ? c : '-');
        }
        return s.toString();
    }
}
