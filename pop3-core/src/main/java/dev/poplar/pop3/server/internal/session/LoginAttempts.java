package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.LogSafe;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The login attempts of one session: the failed-login penalty before each (see {@code LoginThrottle}), and the
 * accounting of each failure (the session's limit, metrics, events, log, the penalty). Trusted networks are exempt
 * from the penalty. Session thread only.
 */
final class LoginAttempts {

    private static final Logger LOG = LoggerFactory.getLogger(LoginAttempts.class);

    private final SessionServices services;
    private final Transport transport;
    private final AuthPolicy policy;
    private final Responder responder;
    private final SessionStats stats;
    private final Supplier<ClientInfo> client;
    private final Consumer<Reply> complete;
    private final Runnable abandon;

    /**
     * The attempts of a session.
     *
     * @param services the server's services
     * @param transport the connection
     * @param policy the session's authentication policy (trusted networks)
     * @param responder the session's replies
     * @param stats the session's counters
     * @param client the client as the session knows it now
     * @param complete completes a reply that waited
     * @param abandon forgets a SASL exchange after a failure of the server's own
     */
    LoginAttempts(SessionServices services, Transport transport, AuthPolicy policy, Responder responder,
                  SessionStats stats, Supplier<ClientInfo> client, Consumer<Reply> complete, Runnable abandon) {
        this.services = services;
        this.transport = transport;
        this.policy = policy;
        this.responder = responder;
        this.stats = stats;
        this.client = client;
        this.complete = complete;
        this.abandon = abandon;
    }

    /**
     * Runs an attempt once the penalty lets it: at once, after a wait that holds no thread, or not at all.
     *
     * @param user the user name the attempt is for, or an empty string
     * @param mechanism how, for events
     * @param attempt the attempt; returns its reply, or {@link Replies#LATER}
     * @return the reply now, or {@link Replies#LATER}
     */
    Reply admitted(String user, String mechanism, Supplier<Reply> attempt) {
        InetAddress address = penalised();
        if (address == null) {
            return attempt.get();
        }
        Optional<Duration> wait = services.throttle().admit(address, user);
        if (wait.isEmpty()) {
            count(user, mechanism, Pop3Event.LoginFailed.Cause.PENALTY, "refused by the failed-login penalty", false);
            return closingIfTooMany(Replies.LOGIN_PENALTY);
        }
        if (wait.get().isZero()) {
            return attempt.get();
        }
        services.events().emit(new Pop3Event.PenaltyApplied(client.get(), user, wait.get()));
        LOG.debug("login attempt for '{}' waits {} ms (failed-login penalty)", LogSafe.text(user),
                wait.get().toMillis());
        transport.later(wait.get(), () -> complete.accept(guarded(attempt)));
        return Replies.LATER;
    }

    /**
     * Counts a failed login and answers it.
     *
     * @param user the user name tried
     * @param mechanism how
     * @param reason why, for the log and events
     * @return the reply
     */
    Reply failed(String user, String mechanism, String reason) {
        count(user, mechanism, Pop3Event.LoginFailed.Cause.CREDENTIALS, reason, true);
        return closingIfTooMany(Replies.AUTH_FAILED);
    }

    /**
     * Counts a failed login that is answered later (after an error response).
     *
     * @param user the user name tried
     * @param mechanism how
     * @param reason why, for the log and events
     */
    void failedForNow(String user, String mechanism, String reason) {
        count(user, mechanism, Pop3Event.LoginFailed.Cause.CREDENTIALS, reason, true);
    }

    /**
     * The reply to a failed login; the connection closes after it once the session has failed too often.
     *
     * @param reply the reply
     * @return the reply
     */
    Reply closingIfTooMany(Reply reply) {
        if (stats.authFailures >= services.config().limits().maxAuthFailures()) {
            responder.closeAfterReply(EndReason.TOO_MANY_ERRORS);
        }
        return reply;
    }

    /**
     * Runs a continuation of a command off its dispatch: a failure is logged and answered, never thrown.
     *
     * @param continuation the continuation
     * @return its reply, or an internal error
     */
    Reply guarded(Supplier<Reply> continuation) {
        try {
            return continuation.get();
        } catch (RuntimeException e) {
            LOG.error("login continuation failed unexpectedly", e);
            abandon.run();
            return Replies.INTERNAL_ERROR;
        }
    }

    private void count(String user, String mechanism, Pop3Event.LoginFailed.Cause cause, String reason,
                       boolean penalise) {
        ClientInfo now = client.get();
        stats.authFailures++;
        services.metrics().loginFailed();
        services.events().emit(new Pop3Event.LoginFailed(now, user, mechanism, cause, reason));
        LOG.info("login failed for '{}' with {} from {}: {}", LogSafe.text(user), mechanism, now.remoteAddress(),
                LogSafe.text(reason));
        InetAddress address = penalise ? penalised() : null;
        if (address != null) {
            services.throttle().failed(address, user);
        }
    }

    /** @return the client's address if the penalty applies to it; {@code null} for a trusted network */
    private InetAddress penalised() {
        ClientInfo now = client.get();
        InetAddress address = now.remoteAddress().getAddress();
        return address == null || policy.trusted(now) ? null : address;
    }
}
