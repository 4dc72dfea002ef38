package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.AccessRules;
import dev.poplar.pop3.server.ClientAuth;
import dev.poplar.pop3.server.ContentHook;
import dev.poplar.pop3.server.Expire;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.Pop3Observer;
import dev.poplar.pop3.server.Retention;
import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.store.MailboxStore;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The immutable, validated configuration of one server. Built by {@code Pop3Server.Builder}.
 *
 * @param store where mailboxes live
 * @param authenticator who may log in
 * @param listeners where to accept connections
 * @param tls the TLS context supplier, or empty without TLS
 * @param clientAuth whether TLS clients are asked for certificates
 * @param plaintextAuth where passwords may travel in clear
 * @param serverName the name in the greeting
 * @param implementation the CAPA IMPLEMENTATION value, if advertised
 * @param expire the CAPA EXPIRE policy, if advertised
 * @param loginDelay the CAPA LOGIN-DELAY value, if advertised
 * @param limits the limits on connections, lines, errors and time
 * @param ioThreads network I/O threads
 * @param workerThreads threads calling the store and the authenticator
 * @param readAheadBuffers how many messages may wait read ahead at once; 0 for none
 * @param observers who gets events
 * @param hook the session hook of a test server, if any
 * @param sockets the TCP socket options of accepted connections
 * @param accessRules who may connect, and the trusted networks, when the server starts
 * @param oauthErrors what the OAUTHBEARER and XOAUTH2 error responses tell a client
 * @param policies bandwidth limits, retention and the content hook
 */
public record ServerConfig(
        MailboxStore store,
        Authenticator authenticator,
        List<Listener> listeners,
        Optional<Supplier<SSLContext>> tls,
        ClientAuth clientAuth,
        PlaintextAuth plaintextAuth,
        String serverName,
        Optional<String> implementation,
        Optional<Expire> expire,
        Optional<Duration> loginDelay,
        Limits limits,
        int ioThreads,
        int workerThreads,
        int readAheadBuffers,
        List<Pop3Observer> observers,
        Optional<SessionHook> hook,
        Sockets sockets,
        AccessRules accessRules,
        OAuthErrors oauthErrors,
        Policies policies) {

    /** Copies the lists. */
    public ServerConfig {
        listeners = List.copyOf(listeners);
        observers = List.copyOf(observers);
    }

    /**
     * TCP socket options.
     *
     * @param keepAlive whether accepted connections use TCP keepalive ({@code SO_KEEPALIVE})
     * @param backlog the most connections the kernel queues before the server accepts them
     * @param receiveBufferOctets {@code SO_RCVBUF} of accepted connections; 0 for the system's default (autotuned)
     * @param sendBufferOctets {@code SO_SNDBUF} of accepted connections; 0 for the system's default (autotuned)
     */
    public record Sockets(boolean keepAlive, int backlog, int receiveBufferOctets, int sendBufferOctets) {
    }

    /**
     * The limits that keep one client from exhausting the server.
     *
     * @param maxConnections connections at once, in total
     * @param maxConnectionsPerAddress connections at once from one client address
     * @param idleTimeout idle time allowed after login
     * @param authorizationTimeout idle time allowed before login
     * @param loginTimeout total time allowed from connection to login
     * @param maxCommandOctets the longest command line, CRLF included
     * @param maxSaslOctets the longest SASL response line, CRLF included
     * @param maxBadCommands bad commands before the connection is closed
     * @param maxAuthFailures failed logins in one session before the connection is closed
     * @param authFailureDelay the penalty on the next attempt after the first failed login
     * @param maxAuthFailureDelay the longest penalty of a client address
     * @param maxUserAuthFailureDelay the longest penalty that failures for a user name put on attempts for it
     * @param authFailureWindow how long failed logins are remembered per address and user
     * @param shutdownGracePeriod how long {@code close()} lets sessions finish
     */
    public record Limits(
            int maxConnections,
            int maxConnectionsPerAddress,
            Duration idleTimeout,
            Duration authorizationTimeout,
            Duration loginTimeout,
            int maxCommandOctets,
            int maxSaslOctets,
            int maxBadCommands,
            int maxAuthFailures,
            Duration authFailureDelay,
            Duration maxAuthFailureDelay,
            Duration maxUserAuthFailureDelay,
            Duration authFailureWindow,
            Duration shutdownGracePeriod) {
    }

    /**
     * What the error response of a failed OAuth login (RFC 7628 section 3.2.2) tells the client, so that it can get
     * a suitable token.
     *
     * @param scope the scope a token needs, if any
     * @param openIdConfiguration the OpenID Provider Configuration URL, if any
     */
    public record OAuthErrors(Optional<String> scope, Optional<URI> openIdConfiguration) {
    }

    /**
     * What the server does with mail beyond the protocol: how fast it sends, how long it keeps messages, what it lets
     * through.
     *
     * @param sessionBandwidth octets per second per connection, 0 for no limit
     * @param userBandwidth octets per second per user on this server, 0 for no limit
     * @param retention the retention policy of every mailbox, or the minimum announced before login when it differs
     *     per mailbox; empty for none
     * @param retentionPerMailbox the retention policy of a mailbox, if it differs per mailbox
     * @param contentHook sees messages on their way out, if set
     * @param clock the time for retention
     */
    public record Policies(
            long sessionBandwidth,
            long userBandwidth,
            Optional<Retention> retention,
            Optional<Function<String, Retention>> retentionPerMailbox,
            Optional<ContentHook> contentHook,
            Clock clock) {
    }
}
