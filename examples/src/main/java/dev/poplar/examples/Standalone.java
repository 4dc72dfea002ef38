package dev.poplar.examples;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.passwd.PasswdFileAuthenticator;
import dev.poplar.pop3.auth.passwd.PasswdFileException;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.maildir.MaildirStore;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** A running standalone server: the POP3 server with its store and TLS, started from {@link ServerOptions}. */
final class Standalone implements AutoCloseable {

    /** A problem with the configuration or its files; the message is the one line to print. */
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

    private final Pop3Server server;
    private final ServerTls tls;
    private final AutoCloseable store;
    private final Optional<Listener> plain;
    private final Optional<Listener> secure;
    private final Optional<String> demoPassword;
    private final Optional<Path> caFile;

    private Standalone(Pop3Server server, ServerTls tls, AutoCloseable store, Optional<Listener> plain,
                       Optional<Listener> secure, Optional<String> demoPassword, Optional<Path> caFile) {
        this.server = server;
        this.tls = tls;
        this.store = store;
        this.plain = plain;
        this.secure = secure;
        this.demoPassword = demoPassword;
        this.caFile = caFile;
    }

    /**
     * Starts a server as the options say and prints where it listens and how to reach it.
     *
     * @param options the options
     * @param out where to print
     * @return the running server
     * @throws StartupException with one line to print and the exit status
     */
    static Standalone start(ServerOptions options, PrintStream out) throws StartupException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            MailboxStore store;
            Authenticator authenticator;
            Optional<String> demoPassword = Optional.empty();
            String what;
            AutoCloseable storeResource = () -> { };
            if (options.maildirRoot().isPresent()) {
                Path root = options.maildirRoot().get();
                if (!Files.isDirectory(root)) {
                    throw new StartupException("--maildir-root " + root + ": not a directory", 2);
                }
                PasswdFileAuthenticator users = PasswdFileAuthenticator.load(options.users().get());
                MaildirStore maildirs = MaildirStore.builder(root).build();
                opened.add(maildirs);
                storeResource = maildirs;
                store = maildirs;
                authenticator = users;
                what = "Maildirs under " + root + " for " + users.userCount() + " users of " + users.file();
            } else {
                InMemoryMailboxStore demo = new InMemoryMailboxStore();
                int count = SampleMail.seed(demo, DEMO_USER);
                String password = randomPassword();
                demoPassword = Optional.of(password);
                store = demo;
                authenticator = Authenticator.fromMap(Map.of(DEMO_USER, password));
                what = "a demo mailbox '" + DEMO_USER + "' with " + count + " messages (password " + password + ")";
            }
            // Certificates load on a second thread while the store and the plain listener come up: TLS set-up is
            // the larger part of a fresh start, and it is needed only by the first TLS connection.
            Optional<Path> caFile = options.cert().isPresent() ? Optional.empty()
                    : Optional.of(options.caFile().orElseGet(Standalone::temporaryCaFile));
            CompletableFuture<ServerTls> tlsLoading = new CompletableFuture<>();
            Thread loader = new Thread(() -> {
                try {
                    tlsLoading.complete(loadTls(options, caFile));
                } catch (Throwable e) {
                    tlsLoading.completeExceptionally(e);
                }
            }, "poplar-tls-load");
            loader.start();
            Supplier<SSLContext> contexts = () -> tlsLoading.join().sslContext();
            Optional<Listener> plain = listener(options.bind(), options.port(), false);
            Optional<Listener> secure = listener(options.bind(), options.tlsPort(), true);
            Pop3Server.Builder builder = Pop3Server.builder()
                    .store(store)
                    .authenticator(authenticator)
                    .tls(contexts)
                    .plaintextAuth(options.allowPlaintextAuth() ? PlaintextAuth.ALLOW : PlaintextAuth.ALLOW_LOOPBACK)
                    .implementation("Poplar");
            plain.ifPresent(builder::listener);
            secure.ifPresent(builder::listener);
            if (options.maxConnections() > 0) {
                builder.maxConnections(options.maxConnections());
            }
            if (options.maxConnectionsPerAddress() > 0) {
                builder.maxConnectionsPerAddress(options.maxConnectionsPerAddress());
            }
            Pop3Server server = builder.build();
            try {
                server.start();
            } catch (IOException e) {
                closeAll(List.of(() -> tlsLoading.thenAccept(ServerTls::close)));
                throw new StartupException(e.getMessage(), 1);
            }
            ServerTls tls;
            try {
                tls = tlsLoading.join();
            } catch (CompletionException e) {
                server.close();
                Throwable cause = e.getCause();
                if (cause instanceof TlsException || cause instanceof IllegalArgumentException
                        || cause instanceof IllegalStateException) {
                    throw new StartupException(cause.getMessage(), 2);
                }
                if (cause instanceof IOException) {
                    throw new StartupException("cannot write the CA certificate: " + cause.getMessage(), 2);
                }
                throw e;
            }
            opened.add(tls);
            Standalone running = new Standalone(server, tls, storeResource, plain, secure, demoPassword, caFile);
            running.describe(out, what);
            return running;
        } catch (StartupException e) {
            closeAll(opened);
            throw e;
        } catch (PasswdFileException e) {
            closeAll(opened);
            throw new StartupException(e.getMessage(), 2);
        } catch (java.io.UncheckedIOException e) {
            closeAll(opened);
            throw new StartupException("cannot create the CA certificate file: " + e.getCause().getMessage(), 2);
        } catch (IllegalArgumentException | IllegalStateException e) {
            closeAll(opened);
            throw new StartupException(e.getMessage(), 2);
        }
    }

    private static ServerTls loadTls(ServerOptions options, Optional<Path> caFile) throws TlsException, IOException {
        if (options.cert().isPresent()) {
            return ServerTls.builder().pemFiles(options.cert().get(), options.key().get()).build();
        }
        DevCertificateAuthority ca = DevCertificateAuthority.create();
        ServerTls tls = ServerTls.builder().keyMaterial(ca.issue(certificateNames(options.bind()))).build();
        ca.writeCaPem(caFile.get());
        return tls;
    }

    private static Path temporaryCaFile() {
        try {
            Path file = Files.createTempFile("poplar-ca-", ".pem");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String[] certificateNames(String bind) {
        try {
            InetAddress address = InetAddress.getByName(bind);
            if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
                return new String[0];
            }
            return new String[] {bind};
        } catch (IOException e) {
            return new String[] {bind};
        }
    }

    private static Optional<Listener> listener(String bind, int port, boolean implicitTls) {
        if (port == 0) {
            return Optional.empty();
        }
        InetSocketAddress address = new InetSocketAddress(bind, port == ServerOptions.ANY_PORT ? 0 : port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("--bind " + bind + ": unknown host");
        }
        return Optional.of(new Listener(implicitTls ? "pop3s" : "pop3", address, implicitTls));
    }

    private void describe(PrintStream out, String what) {
        out.println("Poplar POP3 server serving " + what);
        plain.ifPresent(l -> out.println("  POP3 with STLS on " + where(l)));
        secure.ifPresent(l -> out.println("  POP3S (implicit TLS) on " + where(l)));
        caFile.ifPresent(f -> out.println("  TLS certificate issued by a generated CA, written to " + f));
        demoPassword.ifPresent(password -> {
            String user = DEMO_USER + ":" + password;
            plain.ifPresent(l -> {
                out.println("List the mailbox:");
                out.println("  curl -u " + user + " pop3://" + where(l) + "/");
            });
            secure.ifPresent(l -> {
                out.println("Over TLS:");
                out.println("  curl " + caFile.map(f -> "--cacert " + f + " ").orElse("") + "-u " + user
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
        String host = a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    Pop3Server server() {
        return server;
    }

    Optional<Listener> plain() {
        return plain;
    }

    Optional<Listener> secure() {
        return secure;
    }

    Optional<Path> caFile() {
        return caFile;
    }

    Optional<String> demoPassword() {
        return demoPassword;
    }

    /** Stops the server gracefully, then releases the store and TLS. */
    @Override
    public void close() {
        server.close();
        closeAll(List.of(store, tls));
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("poplar-server: " + e.getMessage());
            }
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
