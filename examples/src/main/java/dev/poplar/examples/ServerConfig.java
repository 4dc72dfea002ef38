package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigNode;
import dev.poplar.examples.config.ConfigSection;
import dev.poplar.examples.config.YamlConfig;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Expire;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.server.ProxyProtocol;
import dev.poplar.pop3.server.Retention;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The standalone server's configuration, read from a YAML file ({@code --config}) or built from command-line flags
 * ({@link ServerOptions#toConfig()}), and checked: every problem has its line (or flag). Nothing is opened by
 * reading; {@link Standalone} builds the parts.
 *
 * <p><b>Where each option lives.</b> Every option is one line in the reader of its section, which reads the key and
 * hands it to the library builder it configures; keys are the builder methods' names in snake_case. Top-level
 * sections: {@code listeners} (with {@code behind_proxy}), {@code limits}, {@code network}, {@code server} and
 * {@code retention} (here),
 * {@code tls} ({@link TlsConfig}), {@code store} ({@link StoreConfig}), {@code auth} ({@link AuthConfig}),
 * {@code access} ({@link AccessConfig}), {@code logging} ({@link LoggingConfig}), {@code metrics}
 * ({@link MetricsConfig}), {@code audit} ({@link AuditConfig}), {@code lmtp} (an {@link LmtpServer}).
 * A new module's options become a new section: a class like those, read in {@link #read} and used in
 * {@link Standalone#start}.
 *
 * <p>Not thread-safe; {@link #serverBuilder()} hands out one builder, used by one start.
 */
final class ServerConfig {

    private final ConfigNode.Mapping document;
    private final Optional<Path> file;
    private final Path baseDir;
    private final Function<String, String> environment;
    private final List<Listener> listeners;
    private final Optional<TlsConfig> tls;
    private final StoreConfig store;
    private final AuthConfig auth;
    private final LoggingConfig logging;
    private final AccessConfig access;
    private final Optional<MetricsConfig> metrics;
    private final Optional<AuditConfig> audit;
    private final Optional<InetSocketAddress> lmtp;
    private final Optional<Retention> retention;
    private final Pop3Server.Builder server;

    private ServerConfig(ConfigNode.Mapping document, Optional<Path> file, Path baseDir,
                         Function<String, String> environment, List<Listener> listeners, Optional<TlsConfig> tls,
                         StoreConfig store, AuthConfig auth, LoggingConfig logging, AccessConfig access,
                         Optional<MetricsConfig> metrics, Optional<AuditConfig> audit,
                         Optional<InetSocketAddress> lmtp, Optional<Retention> retention,
                         Pop3Server.Builder server) {
        this.document = document;
        this.file = file;
        this.baseDir = baseDir;
        this.environment = environment;
        this.listeners = List.copyOf(listeners);
        this.tls = tls;
        this.store = store;
        this.auth = auth;
        this.logging = logging;
        this.access = access;
        this.metrics = metrics;
        this.audit = audit;
        this.lmtp = lmtp;
        this.retention = retention;
        this.server = server;
    }

    /**
     * Reads a configuration file; relative paths in it are relative to its directory.
     *
     * @param file the YAML file
     * @param environment looks up {@code ${env:NAME}} (null when unset)
     * @return the configuration
     * @throws ConfigException with every problem and its line
     */
    static ServerConfig fromFile(Path file, Function<String, String> environment) throws ConfigException {
        Path absolute = file.toAbsolutePath();
        return read(YamlConfig.read(file), Optional.of(file), absolute.getParent(), environment);
    }

    /**
     * Reads a configuration document.
     *
     * @param document the root mapping
     * @param file the file it came from, if any
     * @param baseDir what relative paths are relative to
     * @param environment looks up {@code ${env:NAME}} (null when unset)
     * @return the configuration
     * @throws ConfigException with every problem and its line or flag
     */
    static ServerConfig read(ConfigNode.Mapping document, Optional<Path> file, Path baseDir,
                             Function<String, String> environment) throws ConfigException {
        ConfigSection root = ConfigSection.root(document, baseDir, environment);
        Pop3Server.Builder server = Pop3Server.builder().implementation("Poplar");

        Optional<ConfigSection> tlsSection = root.section("tls");
        Optional<TlsConfig> tls = tlsSection.map(s -> TlsConfig.read(s, server));
        List<Listener> listeners = listeners(root, tls.isPresent());
        StoreConfig store = root.section("store").map(StoreConfig::read).orElseGet(() -> {
            root.problem("store", "is missing: say where mail is, e.g. store: {maildir: {root: /var/mail}}");
            return null;
        });
        Optional<ConfigSection> authSection = root.section("auth");
        AuthConfig auth = AuthConfig.read(authSection, store, server, root);
        Optional<ConfigSection> limits = root.section("limits");
        limits.ifPresent(s -> limits(s, server));
        Optional<ConfigSection> retentionSection = root.section("retention");
        Optional<Retention> retention = retentionSection.flatMap(s -> retention(s, store, server));
        Optional<ConfigSection> settings = root.section("server");
        settings.ifPresent(s -> server(s, server, retention));
        Optional<ConfigSection> network = root.section("network");
        network.ifPresent(s -> network(s, server));
        LoggingConfig logging = LoggingConfig.read(root.section("logging"));
        AccessConfig access = AccessConfig.read(root.section("access"), listeners, server);
        Optional<MetricsConfig> metrics = root.section("metrics").map(MetricsConfig::read);
        Optional<AuditConfig> audit = root.section("audit").map(AuditConfig::read);
        Optional<InetSocketAddress> lmtp = root.section("lmtp").flatMap(ServerConfig::lmtp);
        // The sections of later modules are read here, one line each.

        root.finish();
        root.check();
        List<ConfigSection> checked = new ArrayList<>();
        for (Optional<ConfigSection> s : List.of(limits, settings, network, retentionSection, authSection,
                tlsSection)) {
            s.ifPresent(checked::add);
        }
        checked.add(root);
        validate(server, listeners, tls.isPresent(), checked);
        root.check();
        return new ServerConfig(document, file, baseDir, environment, listeners, tls, store, auth, logging, access,
                metrics, audit, lmtp, retention, server);
    }

    private static List<Listener> listeners(ConfigSection root, boolean tls) {
        List<ConfigSection> sections = root.sections("listeners");
        if (sections.isEmpty() && !root.hasProblems()) {
            root.problem("listeners", "no listener: add one, e.g. listeners: [{address: 0.0.0.0, port: 110}]");
        }
        List<Listener> listeners = new ArrayList<>();
        Map<String, ConfigSection> names = new HashMap<>();
        for (ConfigSection l : sections) {
            String address = l.string("address").orElse("127.0.0.1");
            Optional<Integer> port = l.integer("port", 0, 65535);
            boolean implicitTls = l.bool("implicit_tls").orElse(false);
            String name = l.string("name").orElse(implicitTls ? "pop3s" : "pop3");
            Optional<ProxyProtocol> proxy = l.section("behind_proxy").flatMap(ServerConfig::proxy);
            if (!l.has("port")) {
                l.problem("port", "is missing (0 picks a free port)");
            }
            if (implicitTls && !tls) {
                l.problem("implicit_tls", "needs a tls section with the certificate");
            }
            ConfigSection first = names.putIfAbsent(name, l);
            if (first != null) {
                l.problem(l.has("name") ? "name" : "port", "the name " + name + " is taken by " + first.path()
                        + " (give each listener a name)");
            }
            if (port.isPresent() && first == null) {
                InetSocketAddress socket = new InetSocketAddress(address, port.get());
                if (socket.isUnresolved()) {
                    l.problem("address", "unknown host: " + address);
                    continue;
                }
                try {
                    listeners.add(new Listener(name, socket, implicitTls, proxy));
                } catch (IllegalArgumentException e) {
                    l.problem("name", e.getMessage());
                }
            }
        }
        return listeners;
    }

    /** A listener's {@code behind_proxy}: the PROXY protocol header from trusted balancers. */
    private static Optional<ProxyProtocol> proxy(ConfigSection proxy) {
        ProxyProtocol.Builder builder = ProxyProtocol.builder();
        proxy.strings("trust", cidr -> {
            try {
                builder.trust(cidr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replaceFirst("^proxyProtocol trust: ", ""), e);
            }
        });
        if (!proxy.has("trust")) {
            proxy.problem("trust", "is missing: name the balancers' addresses or networks, e.g. trust: [10.0.0.5]");
        }
        proxy.duration("header_timeout", builder::headerTimeout);
        proxy.bool("trust_client_tls", builder::trustClientTls);
        try {
            return Optional.of(builder.build());
        } catch (IllegalStateException e) {
            if (proxy.has("trust")) {
                proxy.problem(e.getMessage().contains("headerTimeout") ? "header_timeout" : "trust",
                        e.getMessage().replaceFirst("^proxyProtocol:? ?(headerTimeout )?", "")
                                .replaceFirst(": PT[0-9.HMS]+$", ""));
            }
            return Optional.empty();
        }
    }

    /**
     * The {@code lmtp} section: an LMTP listener (RFC 2033) that delivers into the store, for the mail transfer agent.
     * It authenticates nobody: loopback or a private address only.
     *
     * <pre>
     * lmtp:
     *   address: 127.0.0.1
     *   port: 24          # 0 picks a free port
     * </pre>
     */
    private static Optional<InetSocketAddress> lmtp(ConfigSection lmtp) {
        String address = lmtp.string("address").orElse("127.0.0.1");
        Optional<Integer> port = lmtp.integer("port", 0, 65535);
        if (!lmtp.has("port")) {
            lmtp.problem("port", "is missing (24 is LMTP's usual port; 0 picks a free one)");
            return Optional.empty();
        }
        InetSocketAddress socket = new InetSocketAddress(address, port.orElse(0));
        if (socket.isUnresolved()) {
            lmtp.problem("address", "unknown host: " + address);
            return Optional.empty();
        }
        return port.map(p -> socket);
    }

    private static void limits(ConfigSection limits, Pop3Server.Builder server) {
        limits.integer("max_connections", 1, Integer.MAX_VALUE, server::maxConnections);
        limits.integer("max_connections_per_address", 1, Integer.MAX_VALUE, server::maxConnectionsPerAddress);
        limits.duration("idle_timeout", server::idleTimeout);
        limits.duration("authorization_timeout", server::authorizationTimeout);
        limits.duration("login_timeout", server::loginTimeout);
        limits.integer("max_command_length", 64, Integer.MAX_VALUE, server::maxCommandLength);
        limits.integer("max_sasl_response_length", 64, Integer.MAX_VALUE, server::maxSaslResponseLength);
        limits.integer("max_bad_commands", 1, Integer.MAX_VALUE, server::maxBadCommands);
        limits.integer("max_auth_failures", 1, Integer.MAX_VALUE, server::maxAuthFailures);
        limits.section("auth_failure_delay").ifPresent(delay -> {
            Duration initial = delay.duration("initial").orElse(Duration.ofSeconds(1));
            Duration max = delay.duration("max").orElse(Duration.ofSeconds(30));
            Duration window = delay.duration("window").orElse(Duration.ofMinutes(15));
            limits.apply("auth_failure_delay", () -> server.authFailureDelay(initial, max, window));
        });
        limits.duration("auth_failure_delay_per_user", server::authFailureDelayPerUser);
        limits.longInteger("bandwidth_per_session", 0, Long.MAX_VALUE, server::bandwidthPerSession);
        limits.longInteger("bandwidth_per_user", 0, Long.MAX_VALUE, server::bandwidthPerUser);
    }

    /**
     * The {@code retention} section: {@code after_retrieval} (zero or more) and {@code after_arrival} (more than
     * zero), whichever comes first, or {@code keep_forever: true} alone.
     */
    private static Optional<Retention> retention(ConfigSection section, StoreConfig store,
                                                 Pop3Server.Builder server) {
        Optional<Duration> afterRetrieval = section.duration("after_retrieval");
        Optional<Duration> afterArrival = section.duration("after_arrival");
        boolean keepForever = section.bool("keep_forever").orElse(false);
        if (keepForever && (section.has("after_retrieval") || section.has("after_arrival"))) {
            section.problem("keep_forever", "cannot go with after_retrieval or after_arrival: keep_forever means "
                    + "the server deletes nothing on its own");
            return Optional.empty();
        }
        if (!keepForever && !section.has("after_retrieval") && !section.has("after_arrival")) {
            if (!section.has("keep_forever")) {
                section.problem("give after_retrieval, after_arrival or keep_forever: true");
            }
            return Optional.empty();
        }
        Retention[] policy = {keepForever ? Retention.keepForever() : null};
        afterRetrieval.ifPresent(d -> section.apply("after_retrieval", () -> policy[0] = Retention.afterRetrieval(d)));
        afterArrival.ifPresent(d -> section.apply("after_arrival", () -> policy[0] = policy[0] == null
                ? Retention.afterArrival(d) : policy[0].orAfterArrival(d)));
        if (policy[0] == null) {
            return Optional.empty();
        }
        if (afterRetrieval.filter(d -> !d.isZero()).isPresent() && store != null && !store.recordsRetrievals()) {
            section.problem("after_retrieval", "needs the times of first retrieval, which the store does not record "
                    + "with store.maildir.record_retrieval_times: false (0, deleting at QUIT, needs none)");
            return Optional.empty();
        }
        server.retention(policy[0]);
        return Optional.of(policy[0]);
    }

    private static void network(ConfigSection network, Pop3Server.Builder server) {
        network.bool("tcp_keepalive", server::tcpKeepAlive);
        network.integer("backlog", 1, 65535, server::backlog);
        network.integer("receive_buffer_size", 0, 64 * 1024 * 1024, server::receiveBufferSize);
        network.integer("send_buffer_size", 0, 64 * 1024 * 1024, server::sendBufferSize);
        network.integer("read_ahead_buffers", 0, 65536, server::readAheadBuffers);
    }

    private static void server(ConfigSection settings, Pop3Server.Builder server, Optional<Retention> retention) {
        settings.string("server_name", server::serverName);
        settings.string("implementation", server::implementation);
        if (retention.isPresent() && settings.has("expire")) {
            settings.problem("expire", "cannot go with a retention section, which announces "
                    + retention.get().expire() + " itself: remove one of them");
        } else {
            settings.string("expire", text -> server.expire(text.equalsIgnoreCase("never") ? Expire.never()
                    : Expire.days(days(text))));
        }
        settings.duration("login_delay", server::loginDelay);
        settings.duration("shutdown_grace_period", server::shutdownGracePeriod);
        settings.integer("io_threads", 1, 1024, server::ioThreads);
        settings.integer("worker_threads", 1, 4096, server::workerThreads);
    }

    private static int days(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be never or a number of days: " + text);
        }
    }

    /**
     * The library's own checks of the settings together, with stand-ins for what is built later; a refusal is
     * reported at the key it names, in the first section that has it.
     */
    private static void validate(Pop3Server.Builder server, List<Listener> listeners, boolean tls,
                                 List<ConfigSection> sections) {
        server.store(new InMemoryMailboxStore()).authenticator(Authenticator.rejectAll());
        if (tls) {
            server.tls(ServerConfig::noContext);
        }
        listeners.forEach(server::listener);
        try {
            server.build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            String message = e.getMessage() == null ? "invalid" : e.getMessage();
            sections.stream().filter(s -> s.knows(message)).findFirst()
                    .orElse(sections.get(sections.size() - 1)).blame(message);
        }
    }

    private static SSLContext noContext() {
        throw new IllegalStateException("a stand-in for validation only");
    }

    /**
     * Reads the same source again: the file from disk, or the same flags. Used on reload.
     *
     * @return a new configuration
     * @throws ConfigException with every problem
     */
    ServerConfig reread() throws ConfigException {
        if (file.isPresent()) {
            return fromFile(file.get(), environment);
        }
        return read(document, file, baseDir, environment);
    }

    /**
     * Which sections differ between two configurations, ignoring where things were written.
     *
     * @param other another configuration
     * @param sections the top-level keys to compare
     * @return the keys whose content differs
     */
    List<String> changed(ServerConfig other, List<String> sections) {
        Object mine = document.plain();
        Object theirs = other.document.plain();
        return sections.stream().filter(key -> !java.util.Objects.equals(at(mine, key), at(theirs, key))).toList();
    }

    /** The value at a dotted path ({@code auth.plaintext_auth}) of a plain document, or null. */
    private static Object at(Object node, String path) {
        for (String part : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(part);
        }
        return node;
    }

    Optional<Path> file() {
        return file;
    }

    List<Listener> listeners() {
        return listeners;
    }

    Optional<TlsConfig> tls() {
        return tls;
    }

    StoreConfig store() {
        return store;
    }

    AuthConfig auth() {
        return auth;
    }

    LoggingConfig logging() {
        return logging;
    }

    /** @return where the LMTP listener listens, if configured */
    Optional<InetSocketAddress> lmtp() {
        return lmtp;
    }

    AccessConfig access() {
        return access;
    }

    Optional<MetricsConfig> metrics() {
        return metrics;
    }

    Optional<AuditConfig> audit() {
        return audit;
    }

    /** @return the {@code retention} section's policy, if it gives one */
    Optional<Retention> retention() {
        return retention;
    }

    /**
     * The server builder with every setting of the configuration, listeners included ({@code limits},
     * {@code server}, {@code auth.plaintext_auth}, {@code tls.client_auth}), and stand-ins for the store, the
     * authenticator and TLS, which the caller replaces.
     *
     * @return the builder
     */
    Pop3Server.Builder serverBuilder() {
        return server;
    }
}
