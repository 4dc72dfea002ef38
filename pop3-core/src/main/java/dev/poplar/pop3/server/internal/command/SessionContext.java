package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.sasl.SaslContext;
import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * What commands see of their session. Implemented by the protocol session; commands never touch the network and
 * never block.
 */
public interface SessionContext {

    /** @return the server configuration */
    ServerConfig config();

    /** @return the current state */
    State state();

    /** @return whether the connection is encrypted now */
    boolean secure();

    /** @return whether {@code STLS} is offered now (TLS configured, not yet secure, not logged in) */
    boolean stlsAvailable();

    /** @return whether passwords may be sent in clear on this connection now */
    boolean plaintextAllowed();

    /** @return the APOP timestamp of the greeting, or {@code null} when APOP is not offered */
    String apopTimestamp();

    /** @return the SASL mechanisms offered on this connection now */
    List<SaslMechanism> mechanisms();

    /** @return the connection as SASL mechanisms see it (TLS, client certificate, channel binding) */
    SaslContext saslContext();

    /**
     * Whether the server implements a SASL mechanism that sends a secret in clear, offered on this connection or not.
     *
     * @param name the upper-case mechanism name
     * @return {@code true} if it is such a mechanism
     */
    boolean clearTextMechanism(String name);

    /** @return the user name given by {@code USER}, or {@code null} */
    String pendingUser();

    /** @param user the user name given by {@code USER}, or {@code null} to forget it */
    void pendingUser(String user);

    /**
     * A login attempt: once the failed-login penalty lets it run, verifies credentials and, if they are good, opens
     * the maildrop and enters TRANSACTION. Failures are counted and reported by the session.
     *
     * @param credentials what the client presented
     * @param mechanism {@code USER}, {@code APOP} or a SASL mechanism name, for events
     * @return the reply, usually {@link Replies#LATER}
     */
    default Reply login(Credentials credentials, String mechanism) {
        return login(credentials, mechanism, null, false);
    }

    /**
     * A login attempt, as a SASL exchange ends it.
     *
     * @param credentials what the client presented
     * @param mechanism the SASL mechanism name
     * @param errorResponse if the authenticator rejects the credentials, send this as a challenge before the
     *     {@code -ERR} (RFC 7628 section 3.2.2); {@code null} to answer {@code -ERR} at once
     * @param admitted whether the penalty was applied to this attempt already (before a lookup)
     * @return the reply, usually {@link Replies#LATER}
     */
    Reply login(Credentials credentials, String mechanism, byte[] errorResponse, boolean admitted);

    /**
     * The lookup a SASL exchange needs (the SCRAM keys of a user) as the start of a login attempt: once the
     * failed-login penalty lets it run, it runs on a worker if it may block, and the exchange goes on with its result
     * on the session thread. A lookup that throws ends the attempt with {@code [SYS/TEMP]}.
     *
     * @param user the user name the attempt is for
     * @param mechanism the SASL mechanism name
     * @param mayBlock whether the lookup may block
     * @param call the lookup
     * @param then the rest of the exchange: gets the result, returns the reply (or {@link Replies#LATER})
     * @param <T> the result type
     * @return the reply now, usually {@link Replies#LATER}
     */
    <T> Reply lookup(String user, String mechanism, boolean mayBlock, Callable<T> call, Function<T, Reply> then);

    /**
     * Counts a failed login that never reached the authenticator (a malformed SASL response, a wrong SCRAM proof).
     *
     * @param username the user name if known
     * @param mechanism the mechanism
     * @param reason why, for the log
     * @return the reply
     */
    Reply loginFailed(String username, String mechanism, String reason);

    /**
     * The client answered an error response (RFC 7628 section 3.2.3); the failure was counted when the response
     * was sent.
     *
     * @return the {@code -ERR} that ends the exchange
     */
    Reply errorResponseAnswered();

    /** @return the open maildrop; only in TRANSACTION */
    MaildropView maildrop();

    /**
     * Where the content of a message of the maildrop comes from: the store, through the content hook if there is one.
     *
     * @param number the number of a live message
     * @param verb {@code RETR} or {@code TOP}
     * @return its source
     */
    Reply.Source contentOf(int number, Verb verb);

    /**
     * Ends the session: in TRANSACTION, removes deleted messages (UPDATE state) first. The connection closes after
     * the reply.
     *
     * @return the reply, {@link Replies#LATER} when the store is called
     */
    Reply quit();

    /** Upgrades the connection to TLS once the reply has been sent ({@code STLS}). */
    void startTlsAfterReply();

    /**
     * Continues a SASL exchange with the next client line, or ends it.
     *
     * @param exchange the exchange in progress, or {@code null} when it is over
     * @param mechanism its mechanism name
     */
    void saslInProgress(SaslExchange exchange, String mechanism);
}
