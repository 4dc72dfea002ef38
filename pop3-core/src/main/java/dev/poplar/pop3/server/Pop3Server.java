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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * worker threads, one call at a time per session. Many servers can run side by side in one JVM: a server shares no
 * state with any other.
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
    public static final class Builder extends PolicySettings {
        private MailboxStore store;
        private Authenticator authenticator;
        private final List<Listener> listeners = new ArrayList<>();
        private Supplier<SSLContext> tls;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private PlaintextAuth plaintextAuth = PlaintextAuth.ALLOW_LOOPBACK;
        private AccessRules accessRules = AccessRules.allowAll();
        private final List<Pop3Observer> observers = new ArrayList<>();
        private SessionHook hook;

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
            Set<String> names = new HashSet<>();
            for (Listener listener : effective) {
                require(names.add(listener.name()), "listener name '" + listener.name()
                        + "' is used twice: tell the listeners apart with Listener.named(...)");
            }
            try {
                AccessControl.check(accessRules, effective);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("accessRules: " + e.getMessage(), e);
            }
            return new ServerConfig(store, authenticator, effective, Optional.ofNullable(tls), clientAuth,
                    plaintextAuth, serverName(), implementation(), expire(), loginDelay(), limits(), ioThreads(),
                    workerThreads(), readAheadBuffers(), observers, Optional.ofNullable(hook), sockets(), accessRules, oauthErrors(),
                    policies(store));
        }
    }
}
