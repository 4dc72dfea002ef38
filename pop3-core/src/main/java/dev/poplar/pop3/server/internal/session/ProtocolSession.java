package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.server.internal.LogSafe;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.command.SessionContext;
import dev.poplar.pop3.server.internal.command.State;
import dev.poplar.pop3.server.internal.sasl.SaslContext;
import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;
import dev.poplar.pop3.server.internal.sasl.SaslText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One POP3 session without a socket: the states (RFC 1939 AUTHORIZATION, TRANSACTION, UPDATE), the commands, login,
 * counters and events. It reads lines and has replies sent through its {@link Transport}.
 *
 * <p><b>One command at a time.</b> The connection hands it a line only when {@link #ready()}; the session is busy
 * from a command until its reply has been handed to the network, including a reply that waits for the store or the
 * authenticator, or a delayed one (see {@link Responder}). Pipelined commands therefore run in order, and the
 * connection holds the rest of the input meanwhile.
 *
 * <p><b>Threads.</b> Every method runs on the session thread (see {@link Transport}); nothing here is thread-safe.
 */
public final class ProtocolSession implements SessionContext {

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolSession.class);

    private final SessionServices services;
    private final ServerConfig config;
    private final Transport transport;
    private final AuthPolicy policy;
    private final Responder responder;
    private final LoginAttempts attempts;
    private final String apopTimestamp;
    private final long startNanos = System.nanoTime();
    private final SessionStats stats = new SessionStats();
    private ClientInfo client;
    private State state = State.AUTHORIZATION;
    private String pendingUser;
    private String username;
    private SessionMaildrop mail;
    private SaslExchange sasl;
    private String saslMechanism;
    private byte[] channelBinding;
    /** Drops the login deadline once logged in: a timer entry per idle session would otherwise wait out its minute. */
    private Runnable cancelLoginDeadline;

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
        this.policy = new AuthPolicy(config, services.access(), services.mechanisms(), implicitTls);
        this.responder = new Responder(transport, services.events(), this::client, content -> mail.retrieved(content));
        this.attempts = new LoginAttempts(services, transport, policy, responder, stats, this::client,
                this::complete, () -> saslInProgress(null, null));
        this.apopTimestamp = config.authenticator().supports(Credentials.Apop.class)
                ? "<" + client.sessionId() + "." + System.currentTimeMillis() + "@"
                + SaslText.hostPart(client.localAddress().getHostString()) + ">" : null;
    }

    /**
     * The connection is ready for POP3 (after the handshake on an implicit-TLS listener): sends the greeting
     * (RFC 1939 section 4) and starts the clocks of the AUTHORIZATION state.
     *
     * @param greeting a greeting to send instead of the server's (a test server's), or {@code null}
     */
    public void start(Reply greeting) {
        transport.idleTimeout(config.limits().authorizationTimeout());
        cancelLoginDeadline = transport.later(config.limits().loginTimeout(), this::loginDeadline);
        services.events().emit(new Pop3Event.ConnectionOpened(client));
        responder.send(greeting != null ? greeting : Replies.greeting(config.serverName(), apopTimestamp), null,
                System.nanoTime());
    }

    /** @return whether the session takes the next command line now */
    public boolean ready() {
        return !responder.busy();
    }

    /**
     * Handles one command line (or SASL response). Call only when {@link #ready()}.
     *
     * @param line the line
     */
    public void line(Line line) {
        long start = System.nanoTime();
        responder.dispatching();
        Dispatcher.Outcome outcome = dispatch(line);
        if (outcome.bad() && ++stats.badCommands >= config.limits().maxBadCommands() && !responder.ending()) {
            LOG.info("closing after {} bad commands", stats.badCommands);
            responder.closeAfterReply(EndReason.TOO_MANY_ERRORS);
        }
        responder.answer(outcome.reply(), outcome.logged(), start);
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
     * Answers a command line with a given reply instead of running it (a test server's hook). It counts as a command
     * for events and logs; the session's state does not change.
     *
     * @param line the line, or {@code null} for the greeting
     * @param reply the reply
     */
    public void answerInstead(Line line, Reply reply) {
        responder.send(reply, line == null ? null : Dispatcher.redact(line.text()), System.nanoTime());
    }

    /**
     * The TLS handshake has completed (implicit TLS, or after {@code STLS}).
     *
     * @param secured the client as it is now known, with its certificates
     * @param tlsServerEndPoint the connection's {@code tls-server-end-point} channel binding (see
     *     {@code ChannelBinding}), or {@code null} if it has none
     */
    public void secured(ClientInfo secured, byte[] tlsServerEndPoint) {
        this.client = secured;
        this.channelBinding = tlsServerEndPoint;
        // RFC 2595 section 4: what the client said before TLS is forgotten, the argument of USER named.
        this.pendingUser = null;
    }

    /** The connection was idle too long (RFC 1939 section 3 autologout): end without UPDATE. */
    public void idle() {
        LOG.info("idle timeout in state {}; closing", state);
        responder.endNow(EndReason.IDLE_TIMEOUT, Replies.IDLE_TIMEOUT);
    }

    private void loginDeadline() {
        if (state == State.AUTHORIZATION && !responder.ending()) {
            LOG.info("no login within {} s; closing", config.limits().loginTimeout().toSeconds());
            responder.endNow(EndReason.LOGIN_TIMEOUT, Replies.LOGIN_TIMEOUT);
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
        responder.ended();
        if (mail != null) {
            mail.release();
        }
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

    /** @return what {@code CAPA} would list now */
    public List<String> capabilities() {
        return Dispatcher.capabilities(this);
    }

    /** @return whether a SASL exchange waits for the client's next response */
    public boolean inSaslExchange() {
        return sasl != null;
    }

    /**
     * The reply of a command that waited for the store or the authenticator.
     *
     * @param reply the reply; {@link Replies#LATER} if the command waits further (nothing happens now)
     */
    void complete(Reply reply) {
        if (reply != Replies.LATER) {
            responder.complete(reply);
        }
    }

    /**
     * Login succeeded: the maildrop is open.
     *
     * @param view the maildrop
     * @param user who logged in
     * @param mechanism how
     */
    void enter(MaildropView view, String user, String mechanism) {
        mail = new SessionMaildrop(services, transport, view, stats, this::client);
        state = State.TRANSACTION;
        if (cancelLoginDeadline != null) {
            cancelLoginDeadline.run();
            cancelLoginDeadline = null;
        }
        username = user;
        if (!user.isEmpty()) {
            services.throttle().succeeded(user);
        }
        services.metrics().loginSucceeded();
        // RFC 1939 section 3: the autologout timer after login is at least 10 minutes.
        transport.idleTimeout(config.limits().idleTimeout());
        services.events().emit(new Pop3Event.LoginSucceeded(client, user, view.mailbox(), mechanism));
        LOG.debug("{} logged in with {} from {}", LogSafe.text(user), mechanism, client.remoteAddress());
        complete(Replies.loggedIn(view.liveCount(), view.liveOctets()));
    }

    /**
     * The authenticator rejected credentials whose mechanism answers a failure with an error response first
     * (RFC 7628 section 3.2.2): the failure counts now, the {@code -ERR} follows the client's next response.
     *
     * @param user the user name tried
     * @param mechanism the mechanism
     * @param reason why, for the log
     * @param errorResponse the error response, sent as a challenge
     * @return the challenge
     */
    Reply rejectedWithErrorResponse(String user, String mechanism, String reason, byte[] errorResponse) {
        attempts.failedForNow(user, mechanism, reason);
        saslInProgress(SaslExchange.Failed.INSTANCE, mechanism);
        return new Reply.Challenge(Base64.getEncoder().encodeToString(errorResponse));
    }

    // ---------------------------------------------------------------- SessionContext

    @Override
    public Reply login(Credentials credentials, String mechanism, byte[] errorResponse, boolean admitted) {
        Supplier<Reply> attempt = () -> {
            new Login(this, services, transport, credentials, mechanism, errorResponse).start();
            return Replies.LATER;
        };
        return admitted ? attempt.get() : attempts.admitted(credentials.username(), mechanism, attempt);
    }

    @Override
    public <T> Reply lookup(String user, String mechanism, boolean mayBlock, Callable<T> call,
                            Function<T, Reply> then) {
        return attempts.admitted(user, mechanism, () -> {
            transport.call(mayBlock, call, (result, failure) -> {
                if (failure != null) {
                    LOG.error("authenticator lookup for {} failed", mechanism, failure);
                    saslInProgress(null, null);
                    services.events().emit(new Pop3Event.LoginFailed(client, user, mechanism,
                            Pop3Event.LoginFailed.Cause.AUTHENTICATOR_UNAVAILABLE,
                            "authenticator threw " + failure.getClass().getName()));
                    complete(Replies.AUTH_UNAVAILABLE);
                } else {
                    complete(attempts.guarded(() -> then.apply(result)));
                }
            }, result -> { });
            return Replies.LATER;
        });
    }

    @Override
    public Reply loginFailed(String user, String mechanism, String reason) {
        return attempts.failed(user, mechanism, reason);
    }

    @Override
    public Reply errorResponseAnswered() {
        return attempts.closingIfTooMany(Replies.AUTH_FAILED);
    }

    @Override
    public Reply quit() {
        responder.closeAfterReply(EndReason.QUIT);
        if (state != State.TRANSACTION) {
            return Replies.BYE;
        }
        state = State.UPDATE;
        return mail.update(this::complete);
    }

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
        return policy.stlsAvailable(client, state == State.AUTHORIZATION);
    }

    @Override
    public boolean plaintextAllowed() {
        return policy.plaintextAllowed(client);
    }

    @Override
    public String apopTimestamp() {
        return apopTimestamp;
    }

    @Override
    public List<SaslMechanism> mechanisms() {
        return policy.mechanisms(saslContext());
    }

    @Override
    public SaslContext saslContext() {
        return new SaslContext(client, channelBinding);
    }

    @Override
    public boolean clearTextMechanism(String name) {
        return policy.clearTextMechanism(name);
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
        return mail == null ? null : mail.view();
    }

    @Override
    public Reply.Source contentOf(int number, Verb verb) {
        return mail.contentOf(number, verb, username);
    }

    @Override
    public void startTlsAfterReply() {
        responder.startTlsAfterReply();
    }

    @Override
    public void saslInProgress(SaslExchange exchange, String mechanism) {
        this.sasl = exchange;
        this.saslMechanism = mechanism;
    }
}
