package dev.poplar.pop3.server;

import dev.poplar.pop3.server.internal.ServerConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * The part of {@link Pop3Server.Builder} that sets limits: connections, time, line lengths, errors, the failed-login
 * penalty and bandwidth. Not API on its own: users see these methods on the builder.
 */
abstract sealed class LimitSettings extends NetworkSettings permits PolicySettings {

    private static final long UNLIMITED = 0;
    private static final long MIN_BANDWIDTH = 1024;
    private int maxConnections = 1000;
    private int maxConnectionsPerAddress = 100;
    private Duration idleTimeout = Duration.ofMinutes(10);
    private Duration authorizationTimeout = Duration.ofSeconds(60);
    private Duration loginTimeout = Duration.ofSeconds(60);
    private int maxCommandOctets = 255;
    private int maxSaslOctets = 16 * 1024;
    private int maxBadCommands = 10;
    private int maxAuthFailures = 3;
    private Duration authFailureDelay = Duration.ofSeconds(1);
    private Duration maxAuthFailureDelay = Duration.ofSeconds(30);
    private Duration maxUserAuthFailureDelay = Duration.ofSeconds(5);
    private Duration authFailureWindow = Duration.ofMinutes(15);
    private long bandwidthPerSession = UNLIMITED;
    private long bandwidthPerUser = UNLIMITED;

    LimitSettings() {
    }

    /**
     * The most connections open at once. Further connections get one {@code -ERR [SYS/TEMP]} line and are
     * closed. Default 1000.
     *
     * @param max at least 1
     * @return this builder
     */
    public Pop3Server.Builder maxConnections(int max) {
        this.maxConnections = max;
        return self();
    }

    /**
     * The most connections open at once from one client address. Default 100.
     *
     * @param max at least 1
     * @return this builder
     */
    public Pop3Server.Builder maxConnectionsPerAddress(int max) {
        this.maxConnectionsPerAddress = max;
        return self();
    }

    /**
     * How long a logged-in session may stay idle before it is closed without deleting anything. RFC 1939
     * section 3 requires at least 10 minutes, the default.
     *
     * @param timeout at least 10 minutes
     * @return this builder
     */
    public Pop3Server.Builder idleTimeout(Duration timeout) {
        this.idleTimeout = Objects.requireNonNull(timeout, "idleTimeout");
        return self();
    }

    /**
     * How long a session may stay idle before logging in. Default 60 seconds.
     *
     * @param timeout at least 1 second, at most the idle timeout
     * @return this builder
     */
    public Pop3Server.Builder authorizationTimeout(Duration timeout) {
        this.authorizationTimeout = Objects.requireNonNull(timeout, "authorizationTimeout");
        return self();
    }

    /**
     * The total time a client has from connecting to logging in, however active it is: a client that sends a
     * byte now and then cannot hold a connection before login. The connection is closed with {@code -ERR}.
     * Default 60 seconds.
     *
     * @param timeout at least {@link Pop3Server.Builder#authorizationTimeout authorizationTimeout}
     * @return this builder
     */
    public Pop3Server.Builder loginTimeout(Duration timeout) {
        this.loginTimeout = Objects.requireNonNull(timeout, "loginTimeout");
        return self();
    }

    /**
     * The longest command line in octets, CRLF included. Longer lines get {@code -ERR} and the session goes on.
     * Default 255 (RFC 2449 section 4).
     *
     * @param octets at least 64
     * @return this builder
     */
    public Pop3Server.Builder maxCommandLength(int octets) {
        this.maxCommandOctets = octets;
        return self();
    }

    /**
     * The longest line in a SASL exchange ({@code AUTH} with an initial response, and continuation lines), CRLF
     * included. Default 16384.
     *
     * @param octets at least the command line limit
     * @return this builder
     */
    public Pop3Server.Builder maxSaslResponseLength(int octets) {
        this.maxSaslOctets = octets;
        return self();
    }

    /**
     * How many bad commands (unknown, malformed, wrong state, too long) a session may send before the server
     * closes it. Default 10.
     *
     * @param max at least 1
     * @return this builder
     */
    public Pop3Server.Builder maxBadCommands(int max) {
        this.maxBadCommands = max;
        return self();
    }

    /**
     * How many failed logins a session may have before the server closes it. Default 3.
     *
     * @param max at least 1
     * @return this builder
     */
    public Pop3Server.Builder maxAuthFailures(int max) {
        this.maxAuthFailures = max;
        return self();
    }

    /**
     * The failed-login penalty, which slows every next login <em>attempt</em> from a client address, whatever its
     * outcome (not the answer to a failure, which would tell a client that hangs up early that it guessed
     * wrong). After the first failure from an address its next attempt waits {@code initial}, after each further
     * one twice as long, up to {@code max}. Attempts from a penalised address take turns: one may wait for the
     * next turn, others meanwhile are refused with {@code -ERR [SYS/TEMP]}, so more connections do not guess
     * faster. IPv6 clients count by their /64. Failures are remembered for {@code window} after the last one.
     * Trusted networks ({@link AccessRules}) are exempt. No thread waits meanwhile. Defaults 1 s, 30 s, 15 min.
     * Failures for a user name also slow attempts for it from other addresses, but only softly: see
     * {@link Pop3Server.Builder#authFailureDelayPerUser authFailureDelayPerUser}.
     *
     * @param initial the first penalty, zero for none at all
     * @param max the longest penalty of an address
     * @param window how long failures count
     * @return this builder
     */
    public Pop3Server.Builder authFailureDelay(Duration initial, Duration max, Duration window) {
        this.authFailureDelay = Objects.requireNonNull(initial, "initial");
        this.maxAuthFailureDelay = Objects.requireNonNull(max, "max");
        this.authFailureWindow = Objects.requireNonNull(window, "window");
        return self();
    }

    /**
     * The longest penalty that failures for one user name put on the next attempts for that name, from any
     * address (the per-address penalty applies as well). It stays short on purpose: attempts for a user are
     * never refused, so guessing one user's password from many addresses is slowed while the real user, from
     * another address, waits this long at worst and is never locked out. Default 5 s; zero counts failures per
     * address only. Never more than the longest penalty of an address
     * ({@link Pop3Server.Builder#authFailureDelay authFailureDelay}).
     *
     * @param max zero or more
     * @return this builder
     */
    public Pop3Server.Builder authFailureDelayPerUser(Duration max) {
        this.maxUserAuthFailureDelay = Objects.requireNonNull(max, "authFailureDelayPerUser");
        return self();
    }

    /**
     * Limits how fast each connection receives multi-line replies ({@code RETR}, {@code TOP}, {@code LIST},
     * {@code UIDL}, {@code CAPA}), in octets per second before TLS, smoothed with a token bucket that lets a
     * tenth of a second's worth go at once. Single-line replies are not counted. No thread waits: the next chunk
     * is written when the bucket allows. A limited connection never uses zero copy. No limit by default.
     *
     * @param octetsPerSecond at least 1024, or 0 for no limit
     * @return this builder
     */
    public Pop3Server.Builder bandwidthPerSession(long octetsPerSecond) {
        this.bandwidthPerSession = octetsPerSecond;
        return self();
    }

    /**
     * Limits how fast each user receives multi-line replies after login, across all of that user's connections
     * to this server (a user may have several, to different mailboxes): they share one token bucket, as
     * {@link Pop3Server.Builder#bandwidthPerSession bandwidthPerSession} describes. Applies together with the limit
     * per connection. No limit by default.
     *
     * @param octetsPerSecond at least 1024, e.g. {@code 50_000} for 50 KB/s, or 0 for no limit
     * @return this builder
     */
    public Pop3Server.Builder bandwidthPerUser(long octetsPerSecond) {
        this.bandwidthPerUser = octetsPerSecond;
        return self();
    }

    final ServerConfig.Limits limits() {
        require(maxConnections >= 1, "maxConnections must be at least 1: " + maxConnections);
        require(maxConnectionsPerAddress >= 1,
                "maxConnectionsPerAddress must be at least 1: " + maxConnectionsPerAddress);
        require(idleTimeout.compareTo(Duration.ofMinutes(10)) >= 0,
                "idleTimeout must be at least 10 minutes (RFC 1939 section 3): " + idleTimeout);
        require(authorizationTimeout.compareTo(Duration.ofSeconds(1)) >= 0,
                "authorizationTimeout must be at least 1 second: " + authorizationTimeout);
        require(authorizationTimeout.compareTo(idleTimeout) <= 0,
                "authorizationTimeout must not exceed idleTimeout: " + authorizationTimeout);
        require(loginTimeout.compareTo(authorizationTimeout) >= 0,
                "loginTimeout must be at least authorizationTimeout: " + loginTimeout);
        require(maxCommandOctets >= 64, "maxCommandLength must be at least 64: " + maxCommandOctets);
        require(maxSaslOctets >= maxCommandOctets,
                "maxSaslResponseLength must be at least maxCommandLength: " + maxSaslOctets);
        require(maxBadCommands >= 1, "maxBadCommands must be at least 1: " + maxBadCommands);
        require(maxAuthFailures >= 1, "maxAuthFailures must be at least 1: " + maxAuthFailures);
        require(!authFailureDelay.isNegative(), "authFailureDelay initial must not be negative");
        require(maxAuthFailureDelay.compareTo(authFailureDelay) >= 0,
                "authFailureDelay max must be at least the initial delay");
        require(!authFailureWindow.isNegative(), "authFailureDelay window must not be negative");
        require(!maxUserAuthFailureDelay.isNegative(),
                "authFailureDelayPerUser must not be negative: " + maxUserAuthFailureDelay);
        return new ServerConfig.Limits(maxConnections, maxConnectionsPerAddress, idleTimeout, authorizationTimeout,
                loginTimeout, maxCommandOctets, maxSaslOctets, maxBadCommands, maxAuthFailures, authFailureDelay,
                maxAuthFailureDelay, maxUserAuthFailureDelay, authFailureWindow, shutdownGracePeriod());
    }

    final long bandwidthPerSession() {
        return bandwidth("bandwidthPerSession", bandwidthPerSession);
    }

    final long bandwidthPerUser() {
        return bandwidth("bandwidthPerUser", bandwidthPerUser);
    }

    private static long bandwidth(String name, long octetsPerSecond) {
        require(octetsPerSecond == UNLIMITED || octetsPerSecond >= MIN_BANDWIDTH,
                name + " must be at least " + MIN_BANDWIDTH + " octets per second: " + octetsPerSecond);
        return octetsPerSecond;
    }
}
