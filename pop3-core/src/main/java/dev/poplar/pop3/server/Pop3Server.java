package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.internal.AccessControl;
import dev.poplar.pop3.server.internal.Engine;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.StoreException;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A POP3 server (RFC 1939, with CAPA, SASL, STLS and response codes from RFC 2449, 5034, 2595 and 3206).
 *
 * <p><b>Lifecycle.</b> {@link #builder()} ... {@link Builder#build()} validates the configuration;
 * {@link #start()} binds the listeners and begins accepting; {@link #close()} stops accepting, lets running sessions
 * finish for the grace period, then closes the rest. A server starts at most once. Sessions that end without
 * {@code QUIT} (dropped connection, idle timeout, server stop) delete nothing, and every mailbox lock is released.
 *
 * <p><b>Threading.</b> All methods are thread-safe. Network I/O runs on a small pool of I/O threads, which also run
 * the protocol; calls to the {@link MailboxStore} and {@link Authenticator} that may block run on a separate pool of
 * worker threads, one call at a time per session. Many servers can run side by side in one JVM: a server shares no state with any other.
 */
public final class Pop3Server implements AutoCloseable {

    private final ServerConfig config;
    private final Engine engine;

    private Pop3Server(ServerConfig config) {
        this.config = config;
        this.engine = new Engine(config);
    }

    /**
     * Starts building a server.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds every listener and starts accepting connections.
     *
     * @throws IOException if a listener cannot be bound (its address is named); nothing stays bound then
     * @throws IllegalStateException if the server was started before
     */
    public void start() throws IOException {
        engine.start();
    }

    /**
     * The bound address of the first listener.
     *
     * @return the address, with the actual port when the listener asked for port 0
     * @throws IllegalStateException if the server is not started
     */
    public InetSocketAddress localAddress() {
        return engine.localAddresses().get(0);
    }

    /**
     * The bound address of a listener.
     *
     * @param listener one of the configured listeners
     * @return the address, with the actual port when the listener asked for port 0
     * @throws IllegalStateException if the server is not started
     * @throws IllegalArgumentException if the listener is not configured on this server
     */
    public InetSocketAddress localAddress(Listener listener) {
        int index = config.listeners().indexOf(listener);
        if (index < 0) {
            throw new IllegalArgumentException("not a listener of this server: " + listener);
        }
        return engine.localAddresses().get(index);
    }

    /**
     * The bound addresses of all listeners, in the order they were configured.
     *
     * @return the addresses
     * @throws IllegalStateException if the server is not started
     */
    public List<InetSocketAddress> localAddresses() {
        return engine.localAddresses();
    }

    /**
     * How many connections are open now.
     *
     * @return the number of open sessions
     */
    public int openSessions() {
        return engine.openSessions();
    }

    /**
     * Applies the retention policy to one mailbox now: opens it through the store, taking its hold as a session does,
     * removes the messages whose time is up ({@code Maildrop.expire}), and releases it. Sessions enforce the policy
     * at each login; this is for mailboxes whose users seldom log in (messages kept "after arrival"): call it from a
     * scheduler for each mailbox. A login that comes meanwhile waits for the release, briefly. Blocks on the store,
     * on the calling thread; the server need not be started.
     *
     * @param mailbox the mailbox name, as the authenticator returns it
     * @return how many messages were removed
     * @throws StoreException from opening the mailbox: {@code IN_USE} if a session holds it (that session's next login
     *     enforces the policy), {@code TEMPORARY} or {@code PERMANENT} as the store says
     * @throws IllegalStateException if the server has no retention policy
     */
    public int expire(String mailbox) throws StoreException {
        return engine.expire(Objects.requireNonNull(mailbox, "mailbox"));
    }

    /**
     * A snapshot of the server's counters.
     *
     * @return the counters now
     */
    public Pop3Metrics metrics() {
        return engine.metricsSnapshot();
    }

    /**
     * Replaces the access rules (who may connect, which networks are trusted) while the server runs. Connections
     * accepted from now on, and login attempts from now on, follow the new rules; open connections stay open.
     *
     * @param rules the new rules
     * @throws IllegalArgumentException if a rule names a listener this server does not have
     * @throws NullPointerException if {@code rules} is null
     */
    public void accessRules(AccessRules rules) {
        engine.accessControl().replace(rules);
    }

    /**
     * The access rules in force now.
     *
     * @return the rules
     */
    public AccessRules accessRules() {
        return engine.accessControl().rules();
    }

    /**
     * Stops the server gracefully: stops accepting, lets open sessions finish for the grace period, then closes the
     * remaining connections (deleting nothing for them) and releases their mailboxes. Blocks until done. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Builds a {@link Pop3Server}. Every setting has a default except {@link #store} and {@link #authenticator}.
     * Not thread-safe; {@link #build()} may be called more than once.
     */
    public static final class Builder {
        private static final long UNLIMITED = 0;
        private static final long MIN_BANDWIDTH = 1024;
        private MailboxStore store;
        private Authenticator authenticator;
        private final List<Listener> listeners = new ArrayList<>();
        private Supplier<SSLContext> tls;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private PlaintextAuth plaintextAuth = PlaintextAuth.ALLOW_LOOPBACK;
        private String serverName = "Poplar";
        private String implementation;
        private Expire expire;
        private Duration loginDelay;
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
        private Duration shutdownGracePeriod = Duration.ofSeconds(10);
        private int ioThreads = Runtime.getRuntime().availableProcessors() + 1;
        private int workerThreads = 16;
        private final List<Pop3Observer> observers = new ArrayList<>();
        private SessionHook hook;
        private long bandwidthPerSession = UNLIMITED;
        private long bandwidthPerUser = UNLIMITED;
        private Retention retention;
        private Function<String, Retention> retentionPerMailbox;
        private ContentHook contentHook;
        private Clock clock = Clock.systemUTC();
        private boolean tcpKeepAlive = true;
        private int backlog = 256;
        private int receiveBufferOctets;
        private int sendBufferOctets;
        private AccessRules accessRules = AccessRules.allowAll();
        private Optional<String> oauthScope = Optional.empty();
        private Optional<URI> oauthOpenIdConfiguration = Optional.empty();

        private Builder() {
        }

        /**
         * Where mailboxes live. Required.
         *
         * @param store the store
         * @return this builder
         */
        public Builder store(MailboxStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Who may log in. Required.
         *
         * @param authenticator the authenticator
         * @return this builder
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Adds a listener. Without any, the server listens in clear on {@code 127.0.0.1} on a free port.
         *
         * @param listener where to accept connections
         * @return this builder
         */
        public Builder listener(Listener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Enables TLS with a fixed context: {@code STLS} on plain listeners, and implicit-TLS listeners.
         *
         * @param context the server context (key material, protocols and cipher suites)
         * @return this builder
         */
        public Builder tls(SSLContext context) {
            Objects.requireNonNull(context, "context");
            return tls(() -> context);
        }

        /**
         * Enables TLS with a context that may change: the supplier is asked for each new TLS connection (not before
         * the first one), so a renewed certificate applies to new connections without a restart. It must be fast (no
         * disk read per call); it is called on network I/O threads.
         *
         * @param contexts supplies the current server context
         * @return this builder
         */
        public Builder tls(Supplier<SSLContext> contexts) {
            this.tls = Objects.requireNonNull(contexts, "contexts");
            return this;
        }

        /**
         * Whether TLS clients are asked for a certificate. Default {@link ClientAuth#NONE}.
         *
         * @param clientAuth the policy
         * @return this builder
         */
        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        /**
         * Where passwords may be sent in clear ({@code USER}/{@code PASS}, SASL {@code PLAIN} and {@code LOGIN}) and
         * bearer tokens ({@code OAUTHBEARER}, {@code XOAUTH2}). Default {@link PlaintextAuth#ALLOW_LOOPBACK}, under
         * which trusted networks ({@link AccessRules}) count as loopback.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder plaintextAuth(PlaintextAuth policy) {
            this.plaintextAuth = Objects.requireNonNull(policy, "plaintextAuth");
            return this;
        }

        /**
         * The name in the greeting ({@code +OK <name> POP3 server ready}). Default {@code Poplar}.
         *
         * @param name printable ASCII, no line breaks
         * @return this builder
         */
        public Builder serverName(String name) {
            this.serverName = Objects.requireNonNull(name, "serverName");
            return this;
        }

        /**
         * Advertises an {@code IMPLEMENTATION} capability (RFC 2449 section 6.9). Not advertised by default.
         *
         * @param implementation printable ASCII, e.g. {@code "Poplar 1.0"}
         * @return this builder
         */
        public Builder implementation(String implementation) {
            this.implementation = Objects.requireNonNull(implementation, "implementation");
            return this;
        }

        /**
         * Advertises the {@code EXPIRE} capability (RFC 2449 section 6.7): how long the server keeps mail the client
         * has retrieved, when something other than this server deletes it. Not advertised by default. To have the
         * server enforce a policy (and announce it), use {@link #retention(Retention)} instead.
         *
         * @param policy e.g. {@code Expire.days(30)} or {@code Expire.never()}
         * @return this builder
         */
        public Builder expire(Expire policy) {
            this.expire = Objects.requireNonNull(policy, "expire");
            return this;
        }

        /**
         * Advertises the {@code LOGIN-DELAY} capability (RFC 2449 section 6.5): the minimum time between logins. The
         * {@link Authenticator} enforces it by returning {@code AuthResult.delay(...)}. Not advertised by default.
         *
         * @param delay the delay, in whole seconds
         * @return this builder
         */
        public Builder loginDelay(Duration delay) {
            this.loginDelay = Objects.requireNonNull(delay, "loginDelay");
            return this;
        }

        /**
         * The most connections open at once. Further connections get one {@code -ERR [SYS/TEMP]} line and are
         * closed. Default 1000.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /**
         * The most connections open at once from one client address. Default 100.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxConnectionsPerAddress(int max) {
            this.maxConnectionsPerAddress = max;
            return this;
        }

        /**
         * How long a logged-in session may stay idle before it is closed without deleting anything. RFC 1939
         * section 3 requires at least 10 minutes, the default.
         *
         * @param timeout at least 10 minutes
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "idleTimeout");
            return this;
        }

        /**
         * How long a session may stay idle before logging in. Default 60 seconds.
         *
         * @param timeout at least 1 second, at most the idle timeout
         * @return this builder
         */
        public Builder authorizationTimeout(Duration timeout) {
            this.authorizationTimeout = Objects.requireNonNull(timeout, "authorizationTimeout");
            return this;
        }

        /**
         * The total time a client has from connecting to logging in, however active it is: a client that sends a
         * byte now and then cannot hold a connection before login. The connection is closed with {@code -ERR}.
         * Default 60 seconds.
         *
         * @param timeout at least {@link #authorizationTimeout}
         * @return this builder
         */
        public Builder loginTimeout(Duration timeout) {
            this.loginTimeout = Objects.requireNonNull(timeout, "loginTimeout");
            return this;
        }

        /**
         * The longest command line in octets, CRLF included. Longer lines get {@code -ERR} and the session goes on.
         * Default 255 (RFC 2449 section 4).
         *
         * @param octets at least 64
         * @return this builder
         */
        public Builder maxCommandLength(int octets) {
            this.maxCommandOctets = octets;
            return this;
        }

        /**
         * The longest line in a SASL exchange ({@code AUTH} with an initial response, and continuation lines), CRLF
         * included. Default 16384.
         *
         * @param octets at least the command line limit
         * @return this builder
         */
        public Builder maxSaslResponseLength(int octets) {
            this.maxSaslOctets = octets;
            return this;
        }

        /**
         * How many bad commands (unknown, malformed, wrong state, too long) a session may send before the server
         * closes it. Default 10.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxBadCommands(int max) {
            this.maxBadCommands = max;
            return this;
        }

        /**
         * How many failed logins a session may have before the server closes it. Default 3.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxAuthFailures(int max) {
            this.maxAuthFailures = max;
            return this;
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
         * {@link #authFailureDelayPerUser}.
         *
         * @param initial the first penalty, zero for none at all
         * @param max the longest penalty of an address
         * @param window how long failures count
         * @return this builder
         */
        public Builder authFailureDelay(Duration initial, Duration max, Duration window) {
            this.authFailureDelay = Objects.requireNonNull(initial, "initial");
            this.maxAuthFailureDelay = Objects.requireNonNull(max, "max");
            this.authFailureWindow = Objects.requireNonNull(window, "window");
            return this;
        }

        /**
         * The longest penalty that failures for one user name put on the next attempts for that name, from any
         * address (the per-address penalty applies as well). It stays short on purpose: attempts for a user are
         * never refused, so guessing one user's password from many addresses is slowed while the real user, from
         * another address, waits this long at worst and is never locked out. Default 5 s; zero counts failures per
         * address only. Never more than the longest penalty of an address ({@link #authFailureDelay}).
         *
         * @param max zero or more
         * @return this builder
         */
        public Builder authFailureDelayPerUser(Duration max) {
            this.maxUserAuthFailureDelay = Objects.requireNonNull(max, "authFailureDelayPerUser");
            return this;
        }

        /**
         * Who may connect, per listener, and which networks are trusted (exempt from the failed-login penalty,
         * allowed clear-text passwords where loopback is). Default {@link AccessRules#allowAll()}. Replaceable while
         * the server runs with {@link Pop3Server#accessRules(AccessRules)}.
         *
         * @param rules the rules
         * @return this builder
         */
        public Builder accessRules(AccessRules rules) {
            this.accessRules = Objects.requireNonNull(rules, "accessRules");
            return this;
        }

        /**
         * What a client hears when its OAuth 2.0 token is refused: the error response of SASL {@code OAUTHBEARER}
         * (RFC 7628 section 3.2.2) names the scope a token needs and where the provider's OpenID configuration is,
         * and {@code XOAUTH2}'s names the scope, so that the client can fetch a suitable token. With
         * {@code pop3-auth-oauth}: {@code oauthErrorDetails(jwt.requiredScope(), jwt.openIdConfiguration())}.
         * Default: neither is sent.
         *
         * @param scope one scope token (RFC 6749 section 3.3), or empty
         * @param openIdConfiguration an absolute {@code https} URL, or empty
         * @return this builder
         * @throws IllegalArgumentException if the scope has white space, quotes, backslashes or control characters,
         *     or the URL is not an absolute https URL
         */
        public Builder oauthErrorDetails(Optional<String> scope, Optional<URI> openIdConfiguration) {
            Objects.requireNonNull(scope, "scope").ifPresent(s -> {
                if (s.isEmpty() || s.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\' || c >= 0x7f)) {
                    throw new IllegalArgumentException("oauthErrorDetails scope must be one scope token (RFC 6749 "
                            + "section 3.3), without spaces, quotes or backslashes: \"" + s + "\"");
                }
            });
            Objects.requireNonNull(openIdConfiguration, "openIdConfiguration").ifPresent(url -> {
                if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                    throw new IllegalArgumentException("oauthErrorDetails openIdConfiguration must be an absolute "
                            + "https URL (RFC 7628 section 3.2.2), not " + url);
                }
            });
            this.oauthScope = scope;
            this.oauthOpenIdConfiguration = openIdConfiguration;
            return this;
        }

        /**
         * How long {@link Pop3Server#close()} lets open sessions finish before closing them. Default 10 seconds.
         *
         * @param grace zero or more
         * @return this builder
         */
        public Builder shutdownGracePeriod(Duration grace) {
            this.shutdownGracePeriod = Objects.requireNonNull(grace, "shutdownGracePeriod");
            return this;
        }

        /**
         * The number of network I/O threads. Default: processors + 1.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /**
         * The most threads calling the store and the authenticator at once. Default 16.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            this.workerThreads = threads;
            return this;
        }

        /**
         * Whether accepted connections use TCP keepalive ({@code SO_KEEPALIVE}), so that connections to clients that
         * vanished (a laptop closed, a NAT entry dropped) are found dead and closed, and their mailboxes released.
         * When the first probe goes out is the operating system's setting (Linux: {@code net.ipv4.tcp_keepalive_time},
         * 2 hours unless tuned); the idle timeouts end silent sessions sooner. Default {@code true}.
         *
         * @param keepAlive whether to enable keepalive
         * @return this builder
         */
        public Builder tcpKeepAlive(boolean keepAlive) {
            this.tcpKeepAlive = keepAlive;
            return this;
        }

        /**
         * How many connections the kernel queues on each listener before the server accepts them (the
         * {@code listen()} backlog; Linux caps it at {@code net.core.somaxconn}). Default 256.
         *
         * @param connections 1 to 65535
         * @return this builder
         */
        public Builder backlog(int connections) {
            this.backlog = connections;
            return this;
        }

        /**
         * The receive buffer of accepted connections ({@code SO_RCVBUF}), also set on the listening socket so that
         * it applies from the handshake. Default 0: the system's default, which Linux tunes per connection; a fixed
         * size turns that tuning off.
         *
         * @param octets 0, or 1024 to 67108864 (64 MiB)
         * @return this builder
         */
        public Builder receiveBufferSize(int octets) {
            this.receiveBufferOctets = octets;
            return this;
        }

        /**
         * The send buffer of accepted connections ({@code SO_SNDBUF}). Default 0: the system's default, which Linux
         * tunes per connection; a fixed size turns that tuning off.
         *
         * @param octets 0, or 1024 to 67108864 (64 MiB)
         * @return this builder
         */
        public Builder sendBufferSize(int octets) {
            this.sendBufferOctets = octets;
            return this;
        }

        /**
         * Adds a receiver of events.
         *
         * @param observer the observer
         * @return this builder
         */
        public Builder observer(Pop3Observer observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
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
        public Builder bandwidthPerSession(long octetsPerSecond) {
            this.bandwidthPerSession = octetsPerSecond;
            return this;
        }

        /**
         * Limits how fast each user receives multi-line replies after login, across all of that user's connections
         * to this server (a user may have several, to different mailboxes): they share one token bucket, as
         * {@link #bandwidthPerSession} describes. Applies together with the limit per connection. No limit by
         * default.
         *
         * @param octetsPerSecond at least 1024, e.g. {@code 50_000} for 50 KB/s, or 0 for no limit
         * @return this builder
         */
        public Builder bandwidthPerUser(long octetsPerSecond) {
            this.bandwidthPerUser = octetsPerSecond;
            return this;
        }

        /**
         * Deletes messages when the policy says they have been kept long enough, and announces it with
         * {@code EXPIRE} (RFC 2449 section 6.7). Enforced when a user logs in (expired messages are removed through
         * {@code Maildrop.expire} before the listing, so the client never sees them) and at {@code QUIT} (messages
         * retrieved in the session whose time is up, such as all of them with
         * {@code Retention.afterRetrieval(Duration.ZERO)}). Use {@link Pop3Server#expire(String)} for mailboxes
         * whose users do not log in. No retention by default.
         *
         * <p>The store must report the message times the policy counts from ({@link Retention#requiredTimes()},
         * {@link MailboxStore#messageTimes()}): otherwise {@link #build()} refuses the policy, naming the missing
         * times, rather than announce an {@code EXPIRE} the server cannot keep. Removing retrieved messages at
         * {@code QUIT} ({@code Duration.ZERO}) needs no time.
         *
         * @param policy e.g. {@code Retention.afterRetrieval(Duration.ofDays(14))}
         * @return this builder
         */
        public Builder retention(Retention policy) {
            this.retention = Objects.requireNonNull(policy, "retention");
            this.retentionPerMailbox = null;
            return this;
        }

        /**
         * Retention that differs per mailbox: before login {@code CAPA} announces {@code EXPIRE <minimum> USER}, after
         * login the mailbox's own value (RFC 2449 section 6.7). The function must be fast (it runs with every login)
         * and thread-safe; {@code null} from it means {@code minimum}. A mailbox's policy that announces fewer days
         * than {@code minimum} would break the announcement, and one that needs message times the store does not
         * report could not be kept: the server applies {@code minimum} instead and logs a warning. {@code minimum}
         * itself is checked against the store as {@link #retention(Retention)} says.
         *
         * @param minimum the policy announced before login, the shortest of any mailbox's
         * @param perMailbox the policy of a mailbox, by name (as the authenticator returned it)
         * @return this builder
         */
        public Builder retention(Retention minimum, Function<String, Retention> perMailbox) {
            this.retention = Objects.requireNonNull(minimum, "minimum");
            this.retentionPerMailbox = Objects.requireNonNull(perMailbox, "perMailbox");
            return this;
        }

        /**
         * Passes every message on its way out ({@code RETR}, {@code TOP}) through a hook that may add header lines,
         * transform it, or refuse it. See {@link ContentHook} for sizes and threads. None by default.
         *
         * @param hook the hook
         * @return this builder
         */
        public Builder contentHook(ContentHook hook) {
            this.contentHook = Objects.requireNonNull(hook, "contentHook");
            return this;
        }

        /**
         * The clock the server reads for its retention policy. Default: the system clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Reserved for Poplar's test kit, which injects faults through it; not supported API. Its parameter's type
         * lives in a package the {@code dev.poplar.pop3.server} module exports to the test kit alone.
         *
         * @param hook the hook
         * @return this builder
         */
        public Builder hook(SessionHook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Validates the settings and creates the server (not yet started).
         *
         * @return a new server
         * @throws IllegalStateException naming the setting, if a required one is missing or settings contradict
         *     (among them a {@link #retention} policy that needs message times the store does not report)
         */
        public Pop3Server build() {
            return new Pop3Server(config());
        }

        /** @return the validated configuration; for the server and for tests of its parts */
        ServerConfig config() {
            require(store != null, "store: no MailboxStore set (use store(...), e.g. new InMemoryMailboxStore())");
            require(authenticator != null, "authenticator: no Authenticator set (use authenticator(...))");
            List<Listener> effective = listeners.isEmpty() ? List.of(Listener.plain("127.0.0.1", 0)) : listeners;
            for (Listener listener : effective) {
                require(!listener.implicitTls() || tls != null,
                        "listener " + listener.address() + " uses implicit TLS but no tls(...) context is set");
            }
            require(clientAuth == ClientAuth.NONE || tls != null, "clientAuth " + clientAuth + " needs tls(...)");
            boolean tlsAtBalancer = effective.stream().anyMatch(l -> l.proxyProtocol()
                    .map(ProxyProtocol::trustClientTls).orElse(false));
            require(plaintextAuth != PlaintextAuth.REQUIRE_TLS || tls != null || tlsAtBalancer
                            || authenticator.supports(Credentials.Apop.class),
                    "plaintextAuth REQUIRE_TLS without tls(...): no client could ever log in");
            require(printable(serverName), "serverName must be printable ASCII: " + serverName);
            require(implementation == null || printable(implementation),
                    "implementation must be printable ASCII: " + implementation);
            require(loginDelay == null || !loginDelay.isNegative(), "loginDelay must not be negative");
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
            require(!shutdownGracePeriod.isNegative(), "shutdownGracePeriod must not be negative");
            require(ioThreads >= 1, "ioThreads must be at least 1: " + ioThreads);
            require(workerThreads >= 1, "workerThreads must be at least 1: " + workerThreads);
            require(bandwidthPerSession == UNLIMITED || bandwidthPerSession >= MIN_BANDWIDTH,
                    "bandwidthPerSession must be at least " + MIN_BANDWIDTH + " octets per second: "
                            + bandwidthPerSession);
            require(bandwidthPerUser == UNLIMITED || bandwidthPerUser >= MIN_BANDWIDTH,
                    "bandwidthPerUser must be at least " + MIN_BANDWIDTH + " octets per second: " + bandwidthPerUser);
            require(retention == null || expire == null, "expire and retention are both set: retention announces "
                    + "its own EXPIRE value (" + (retention == null ? "" : retention.expire()) + "); drop expire(...)");
            if (retention != null) {
                Set<MailboxStore.MessageTime> missing = EnumSet.noneOf(MailboxStore.MessageTime.class);
                missing.addAll(retention.requiredTimes());
                missing.removeAll(store.messageTimes());
                require(missing.isEmpty(), "retention " + retention + " needs message times the store does not "
                        + "report (" + missing + "; it reports " + store.messageTimes() + "): the server would "
                        + "announce " + retention.expire() + " and not keep it");
            }
            require(backlog >= 1 && backlog <= 65535, "backlog must be 1 to 65535: " + backlog);
            require(bufferSize(receiveBufferOctets),
                    "receiveBufferSize must be 0 (system default) or 1024 to 67108864 octets: " + receiveBufferOctets);
            require(bufferSize(sendBufferOctets),
                    "sendBufferSize must be 0 (system default) or 1024 to 67108864 octets: " + sendBufferOctets);
            Set<String> names = new HashSet<>();
            for (Listener listener : effective) {
                require(names.add(listener.name()), "listener name '" + listener.name()
                        + "' is used twice: tell the listeners apart with Listener.named(...)");
            }
            ServerConfig.Limits limits = new ServerConfig.Limits(maxConnections, maxConnectionsPerAddress,
                    idleTimeout, authorizationTimeout, loginTimeout, maxCommandOctets, maxSaslOctets, maxBadCommands,
                    maxAuthFailures, authFailureDelay, maxAuthFailureDelay, maxUserAuthFailureDelay, authFailureWindow,
                    shutdownGracePeriod);
            try {
                AccessControl.check(accessRules, effective);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("accessRules: " + e.getMessage(), e);
            }
            return new ServerConfig(store, authenticator, effective, Optional.ofNullable(tls),
                    clientAuth, plaintextAuth, serverName, Optional.ofNullable(implementation),
                    Optional.ofNullable(expire), Optional.ofNullable(loginDelay), limits, ioThreads, workerThreads,
                    observers, Optional.ofNullable(hook),
                    new ServerConfig.Sockets(tcpKeepAlive, backlog, receiveBufferOctets, sendBufferOctets),
                    accessRules, new ServerConfig.OAuthErrors(oauthScope, oauthOpenIdConfiguration),
                    new ServerConfig.Policies(bandwidthPerSession, bandwidthPerUser, Optional.ofNullable(retention),
                            Optional.ofNullable(retentionPerMailbox), Optional.ofNullable(contentHook), clock));
        }

        private static boolean bufferSize(int octets) {
            return octets == 0 || (octets >= 1024 && octets <= 64 * 1024 * 1024);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalStateException(message);
            }
        }

        private static boolean printable(String s) {
            return !s.isEmpty() && s.chars().allMatch(c -> c >= 0x20 && c <= 0x7E);
        }
    }
}
