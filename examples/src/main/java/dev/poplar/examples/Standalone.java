package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.pop3.audit.AuditTrail;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.micrometer.PrometheusEndpoint;
import dev.poplar.pop3.server.AccessRules;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.tls.TlsProvider;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A running standalone server: the POP3 server with its store, authenticator and TLS, started from a
 * {@link ServerConfig}. {@link #reload(ServerConfig)} swaps in new users and certificates without touching open
 * sessions.
 */
final class Standalone implements AutoCloseable {

    /** A problem with the configuration or its files; the message is what to print (one line per problem). */
    static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        StartupException(String message, int status) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    static final String DEMO_USER = "demo";

    /** Sections that a reload cannot apply to a running server. */
    private static final List<String> RESTART_SECTIONS = List.of("listeners", "store", "limits", "network", "server",
            "retention", "logging", "metrics", "audit", "lmtp",
            // Server settings made at start from the auth and tls sections, which a reload cannot change either.
            "auth.plaintext_auth", "auth.oauth.required_scope", "auth.oauth.openid_configuration",
            "auth.oauth.error_details", "tls.client_auth");

    private final Pop3Server server;
    private final ServerConfig started;
    private final AutoCloseable store;
    private final ReloadableAuthenticator authenticator;
    private final AtomicReference<CompletableFuture<TlsConfig.Built>> tls;
    private final Optional<String> demoPassword;
    private final Optional<PrometheusEndpoint> metrics;
    private final Optional<AuditTrail> audit;
    private final Optional<LmtpServer> lmtp;
    private ServerConfig applied;

    private Standalone(Pop3Server server, ServerConfig config, AutoCloseable store,
                       ReloadableAuthenticator authenticator, AtomicReference<CompletableFuture<TlsConfig.Built>> tls,
                       Optional<String> demoPassword, Optional<PrometheusEndpoint> metrics,
                       Optional<AuditTrail> audit, Optional<LmtpServer> lmtp) {
        this.server = server;
        this.started = config;
        this.applied = config;
        this.store = store;
        this.authenticator = authenticator;
        this.tls = tls;
        this.demoPassword = demoPassword;
        this.metrics = metrics;
        this.audit = audit;
        this.lmtp = lmtp;
    }

    /**
     * Starts a server from command-line options (reading the configuration file if they name one).
     *
     * @param options the options
     * @param out where to print
     * @return the running server
     * @throws StartupException with the lines to print and the exit status
     */
    static Standalone start(ServerOptions options, PrintStream out) throws StartupException {
        return start(config(options), out);
    }

    /**
     * The configuration the options stand for: the file they name, or the flags.
     *
     * @param options the options
     * @return the configuration
     * @throws StartupException with every problem, status 2
     */
    static ServerConfig config(ServerOptions options) throws StartupException {
        try {
            if (options.configFile().isPresent()) {
                return ServerConfig.fromFile(options.configFile().get(), System::getenv);
            }
            return ServerConfig.read(options.toConfig(), Optional.empty(), Path.of("").toAbsolutePath(),
                    System::getenv);
        } catch (ConfigException e) {
            throw new StartupException(e.getMessage(), 2);
        }
    }

    /**
     * Starts a server as the configuration says and prints where it listens and how to reach it.
     *
     * @param config the configuration
     * @param out where to print
     * @return the running server
     * @throws StartupException with the lines to print and the exit status (2 for the configuration and its files,
     *     1 if a listener cannot be bound)
     */
    static Standalone start(ServerConfig config, PrintStream out) throws StartupException {
        List<AutoCloseable> opened = new ArrayList<>();
        AtomicReference<CompletableFuture<TlsConfig.Built>> tls = new AtomicReference<>();
        try {
            StoreConfig.Opened store = config.store().open();
            opened.add(store.resource());
            Optional<String> demoPassword = Optional.empty();
            String what;
            Authenticator users;
            if (config.store().memory()) {
                String password = config.store().demoPassword().orElseGet(Standalone::randomPassword);
                demoPassword = Optional.of(password);
                users = Authenticator.fromMap(Map.of(config.store().demoUser(), password));
                what = store.description();
            } else {
                AuthConfig.Built built = config.auth().build();
                users = built.authenticator();
                what = store.description() + " for " + built.description();
            }
            ReloadableAuthenticator authenticator = new ReloadableAuthenticator(users);
            Pop3Server.Builder builder = config.serverBuilder().store(store.store()).authenticator(authenticator);
            Optional<MetricsConfig.Meters> meters = config.metrics().map(MetricsConfig::meters);
            meters.ifPresent(m -> builder.observer(m.binder()));
            Optional<AuditTrail> audit = config.audit().map(AuditConfig::trail);
            audit.ifPresent(trail -> {
                builder.observer(trail);
                config.tls().ifPresent(t -> t.observer(AuditConfig.certificates(trail)));
            });
            if (config.tls().isPresent()) {
                // Certificates load on a second thread while the store and the listeners come up: TLS set-up is the
                // larger part of a fresh start, and only the first TLS connection needs it.
                TlsConfig tlsConfig = config.tls().get();
                CompletableFuture<TlsConfig.Built> loading = new CompletableFuture<>();
                tls.set(loading);
                Thread loader = new Thread(() -> {
                    try {
                        loading.complete(tlsConfig.build(config.listeners()));
                    } catch (Throwable e) {
                        loading.completeExceptionally(e);
                    }
                }, "poplar-tls-load");
                loader.start();
                Supplier<SSLContext> contexts = () -> tls.get().join().tls().sslContext();
                builder.tls(contexts);
            }
            Pop3Server server = builder.build();
            try {
                server.start();
            } catch (IOException e) {
                Optional.ofNullable(tls.get()).ifPresent(f -> f.thenAccept(b -> b.tls().close()));
                throw new StartupException(e.getMessage(), 1);
            }
            if (tls.get() != null) {
                try {
                    opened.add(tls.get().join().tls());
                } catch (CompletionException e) {
                    server.close();
                    if (e.getCause() instanceof ConfigException c) {
                        throw c;
                    }
                    throw e;
                }
            }
            Optional<PrometheusEndpoint> endpoint = Optional.empty();
            if (meters.isPresent()) {
                meters.get().binder().bindServer(server);
                if (tls.get() != null) {
                    meters.get().binder().bindCertificate(() -> tls.get().join().tls().keyMaterial().chain());
                }
                try {
                    endpoint = Optional.of(config.metrics().get().serve(meters.get()));
                } catch (ConfigException e) {
                    server.close();
                    throw e;
                }
                opened.add(endpoint.get());
            }
            Optional<LmtpServer> lmtp = Optional.empty();
            if (config.lmtp().isPresent()) {
                if (!(store.store() instanceof Delivery delivery)) {
                    server.close();
                    throw new StartupException("lmtp: the store cannot receive mail", 2);
                }
                try {
                    lmtp = Optional.of(LmtpServer.start(delivery, hostName(), config.lmtp().get()));
                    opened.add(lmtp.get());
                } catch (IOException e) {
                    server.close();
                    throw new StartupException("lmtp: cannot listen on " + config.lmtp().get() + ": "
                            + e.getMessage(), 1);
                }
            }
            Standalone running = new Standalone(server, config, store.resource(), authenticator, tls, demoPassword,
                    endpoint, audit, lmtp);
            running.describe(out, what);
            return running;
        } catch (ConfigException e) {
            closeAll(opened);
            throw new StartupException(e.getMessage(), 2);
        } catch (StartupException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /**
     * Applies a new reading of the configuration to the running server: the users (users file, app passwords,
     * OAuth) for new logins, the access rules for new connections, and the certificate for new TLS connections; open
     * sessions go on untouched. Everything
     * is loaded before anything is swapped, so a failure changes nothing. Changes to listeners, store, limits,
     * server settings or logging are reported, not applied: they need a restart.
     *
     * @param fresh the configuration read again
     * @return what was reloaded, one line for the log
     * @throws ConfigException if the new users or certificates cannot be used; the running ones stay
     */
    synchronized String reload(ServerConfig fresh) throws ConfigException {
        List<String> done = new ArrayList<>();
        List<String> restart = new ArrayList<>(started.changed(fresh, RESTART_SECTIONS));
        Optional<Authenticator> users = Optional.empty();
        if (!fresh.store().memory() && !started.store().memory()) {
            AuthConfig.Built built = fresh.auth().build();
            users = Optional.of(built.authenticator());
            done.add(built.description());
        }
        Optional<TlsConfig.Built> newTls = Optional.empty();
        if (tls.get() != null && fresh.tls().isPresent()) {
            TlsConfig.Built current = tls.get().join();
            if (applied.changed(fresh, List.of("tls")).isEmpty()) {
                fresh.tls().get().reload(current.tls());
                done.add("certificate " + current.tls().keyMaterial().certificate().getSubjectX500Principal()
                        .getName() + " (expires " + current.tls().keyMaterial().notAfter() + ")");
            } else {
                audit.ifPresent(trail -> fresh.tls().get().observer(AuditConfig.certificates(trail)));
                newTls = Optional.of(fresh.tls().get().build(fresh.listeners()));
                done.add("new TLS settings, certificate " + newTls.get().tls().keyMaterial().certificate()
                        .getSubjectX500Principal().getName());
            }
        } else if ((tls.get() != null) != fresh.tls().isPresent()) {
            restart.add("tls");
        }
        AccessRules access = fresh.access().rules();
        if (!access.lines().equals(server.accessRules().lines())) {
            done.add("access rules (" + access.lines().size() + ")");
        }
        server.accessRules(access);
        users.ifPresent(authenticator::swap);
        newTls.ifPresent(b -> tls.getAndSet(CompletableFuture.completedFuture(b)).join().tls().close());
        applied = fresh;
        return "Reloaded: " + (done.isEmpty() ? "nothing to reload" : String.join("; ", done))
                + (restart.isEmpty() ? "" : "; changes to " + String.join(", ", restart) + " need a restart");
    }

    /**
     * Reads the configuration again from where it came from and applies it (see {@link #reload(ServerConfig)}).
     *
     * @return what was reloaded
     * @throws ConfigException if the configuration or its files cannot be used; nothing changes then
     */
    String reload() throws ConfigException {
        return reload(applied.reread());
    }

    private void describe(PrintStream out, String what) {
        out.println("Poplar POP3 server serving " + what);
        for (Listener l : started.listeners()) {
            String kind = l.implicitTls() ? "POP3S (implicit TLS)" : started.tls().isPresent() ? "POP3 with STLS"
                    : "POP3 (no TLS)";
            boolean defaultName = l.name().equals(l.implicitTls() ? "pop3s" : "pop3");
            out.println("  " + kind + " on " + where(l) + (defaultName ? "" : " (" + l.name() + ")"));
        }
        lmtp.ifPresent(l -> out.println("  LMTP delivery on " + l.address().getHostString() + ":"
                + l.address().getPort()));
        caFile().ifPresent(f -> out.println("  TLS certificate issued by a generated CA, written to " + f));
        metrics.ifPresent(m -> out.println("  Metrics for Prometheus on http://" + host(m.address()) + ":"
                + m.address().getPort() + PrometheusEndpoint.PATH));
        started.audit().ifPresent(a -> out.println("  Audit trail " + a.file().map(f -> "in " + f)
                .orElse("in the log")));
        demoPassword.ifPresent(password -> {
            // A password the configuration gives (inline or from a file) is not printed: the console may be a log.
            String user = started.store().demoUser() + ":"
                    + (started.store().demoPassword().isPresent() ? "PASSWORD" : password);
            plain().ifPresent(l -> {
                out.println("List the mailbox:");
                out.println("  curl -u " + user + " pop3://" + where(l) + "/");
            });
            secure().ifPresent(l -> {
                out.println("Over TLS:");
                out.println("  curl " + caFile().map(f -> "--cacert " + f + " ").orElse("") + "-u " + user
                        + " pop3s://" + where(l) + "/1");
            });
        });
        out.println("Stop with Ctrl-C.");
        out.flush();
    }

    /**
     * The bound address of a listener, as {@code host:port}.
     *
     * @param listener the listener
     * @return where it listens
     */
    String where(Listener listener) {
        InetSocketAddress a = server.localAddress(listener);
        return host(a) + ":" + a.getPort();
    }

    private static String host(InetSocketAddress address) {
        String host = address.getHostString();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** @return where the metrics are served, if they are */
    Optional<InetSocketAddress> metricsAddress() {
        return metrics.map(PrometheusEndpoint::address);
    }

    Pop3Server server() {
        return server;
    }

    /** @return the LMTP listener, if configured */
    Optional<LmtpServer> lmtp() {
        return lmtp;
    }

    /** @return the first listener in clear (with STLS if TLS is configured) */
    Optional<Listener> plain() {
        return started.listeners().stream().filter(l -> !l.implicitTls()).findFirst();
    }

    /** @return the first implicit-TLS listener */
    Optional<Listener> secure() {
        return started.listeners().stream().filter(Listener::implicitTls).findFirst();
    }

    /** @return where the development CA's certificate was written, if the server made one */
    Optional<Path> caFile() {
        return tls.get() == null ? Optional.empty() : tls.get().join().caFile();
    }

    Optional<String> demoPassword() {
        return demoPassword;
    }

    /** @return the TLS provider the server runs on, if TLS is configured */
    Optional<TlsProvider> tlsProvider() {
        return tls.get() == null ? Optional.empty() : Optional.of(tls.get().join().tls().provider());
    }

    /** Stops the server gracefully, then releases the store and TLS. */
    @Override
    public void close() {
        lmtp.ifPresent(LmtpServer::close);
        server.close();
        List<AutoCloseable> rest = new ArrayList<>(List.of(store));
        metrics.ifPresent(rest::add);
        if (tls.get() != null) {
            rest.add(tls.get().join().tls());
        }
        closeAll(rest);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("poplar: " + e.getMessage());
            }
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    private static String randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }
}
