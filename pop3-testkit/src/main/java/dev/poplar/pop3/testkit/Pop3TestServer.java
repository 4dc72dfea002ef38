package dev.poplar.pop3.testkit;

import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.testkit.internal.Journal;
import dev.poplar.pop3.testkit.internal.TestCertificates;
import dev.poplar.pop3.testkit.internal.TlsSupport;
import dev.poplar.pop3.testkit.internal.TrackingStore;
import dev.poplar.pop3.testkit.internal.Users;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * A real POP3 server for integration tests, on a free port of {@code 127.0.0.1}, with users and messages the test
 * chooses, a recording of every session, scripted faults and a server persona.
 *
 * <pre>{@code
 * try (Pop3TestServer server = Pop3TestServer.builder()
 *         .user("alice", "s3cret", TestMessages.text("Invoice 42", "see attached"))
 *         .start()) {
 *     poller.poll(server.host(), server.port(), "alice", "s3cret");
 *     assertThat(server.mailbox("alice")).isEmpty();
 *     assertThat(server.takeSession(Duration.ofSeconds(5))).issued("RETR 1", "DELE 1").quitCleanly();
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link Builder#start()} returns a running server, ready for its first login; {@link #close()}
 * stops it at once (open connections are closed, deleting nothing) and releases everything. With JUnit 5, use
 * {@link Pop3ServerExtension}, which does both.
 *
 * <p><b>Isolation.</b> Each server has its own port, store, users, recording, faults and certificate authority;
 * nothing is static or shared with other servers or with the JVM's TLS settings, so tests may run in parallel.
 *
 * <p><b>Mailbox locks.</b> As RFC 1939 requires, one session at a time holds a mailbox, and another login to it gets
 * {@code -ERR [IN-USE]}. That login first waits up to two seconds for the holder to end, so that a client reconnecting
 * right after its connection was dropped is not refused by accident of timing; a mailbox held with
 * {@link #holdMailbox(String)} is refused at once.
 *
 * <p><b>Threading.</b> All methods are thread-safe and may be called while clients are connected.
 */
public final class Pop3TestServer implements AutoCloseable {

    /** How long a login waits for a mailbox that another session holds, in case that session is ending. */
    private static final Duration LOCK_GRACE = Duration.ofSeconds(2);
    /** How long an inspection waits for a session that holds the mailbox to end. */
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final String HOST = "127.0.0.1";
    private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

    private final Settings settings;
    private final InMemoryMailboxStore store = new InMemoryMailboxStore();
    private final Journal journal = new Journal(store);
    private final Users users = new Users();
    /** Null without TLS: pop3-tls, which it uses, is an optional dependency that plain tests do not have. */
    private final TestCertificates certificates;
    private final TrackingStore trackingStore;
    private final FaultScript script;
    private final Pop3Server server;
    private final Map<String, Runnable> holds = new LinkedHashMap<>();
    private volatile InetSocketAddress plain;
    private volatile InetSocketAddress implicit;

    private Pop3TestServer(Settings settings) {
        this.settings = settings;
        this.certificates = settings.tls() == TlsMode.NONE ? null : new TestCertificates();
        this.trackingStore = new TrackingStore(store, journal, LOCK_GRACE, settings.persona().expiresRetrieved());
        this.script = new FaultScript(settings.persona(), journal);
        Pop3Server.Builder builder = Pop3Server.builder()
                .store(trackingStore)
                .authenticator(users)
                .serverName("Poplar-test")
                .plaintextAuth(settings.tls() == TlsMode.STARTTLS_REQUIRED
                        ? PlaintextAuth.REQUIRE_TLS : PlaintextAuth.ALLOW_LOOPBACK)
                .authorizationTimeout(settings.authorizationTimeout())
                .authFailureDelay(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1))
                .shutdownGracePeriod(Duration.ZERO)
                .ioThreads(1)
                .workerThreads(4)
                .observer(journal)
                .hook(script);
        if (settings.tls().hasPlainListener()) {
            builder.listener(Listener.plain(HOST, 0));
        }
        if (settings.tls().hasImplicitListener()) {
            builder.listener(Listener.implicitTls(HOST, 0));
        }
        if (settings.tls() != TlsMode.NONE) {
            builder.tls(certificates);
        }
        this.server = builder.build();
    }

    /**
     * Starts configuring a server.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a server with no users and the defaults: plain POP3, {@link Persona#full()}.
     *
     * @return the running server
     * @throws UncheckedIOException if no port can be bound
     */
    public static Pop3TestServer start() {
        return builder().start();
    }

    static Pop3TestServer start(Settings settings) {
        Pop3TestServer test = new Pop3TestServer(settings);
        for (SeedUser user : settings.users()) {
            test.user(user.name(), user.password());
            test.deliver(user.name(), user.messages().toArray(new TestMessage[0]));
        }
        settings.appPasswords().forEach(secret -> test.appPassword(secret.user(), secret.secret()));
        settings.tokens().forEach(secret -> test.token(secret.user(), secret.secret()));
        try {
            test.server.start();
        } catch (IOException e) {
            test.closeCertificates();
            throw new UncheckedIOException("the test POP3 server cannot listen on " + HOST, e);
        }
        List<InetSocketAddress> addresses = test.server.localAddresses();
        int i = 0;
        if (settings.tls().hasPlainListener()) {
            test.plain = addresses.get(i++);
        }
        if (settings.tls().hasImplicitListener()) {
            test.implicit = addresses.get(i);
            test.script.implicitPort(test.implicit.getPort());
        }
        return test;
    }

    // ------------------------------------------------------------------ where

    /**
     * The host clients connect to.
     *
     * @return {@code 127.0.0.1}
     */
    public String host() {
        return HOST;
    }

    /**
     * The port of the plain listener ({@code pop3}, with {@code STLS} when TLS is on).
     *
     * @return the port
     * @throws IllegalStateException with {@link TlsMode#IMPLICIT}, which has no plain listener
     */
    public int port() {
        if (plain == null) {
            throw new IllegalStateException("this server has no plain listener (TlsMode." + settings.tls()
                    + "); use pop3sPort()");
        }
        return plain.getPort();
    }

    /**
     * The port of the implicit-TLS listener ({@code pop3s}).
     *
     * @return the port
     * @throws IllegalStateException unless the server runs {@link TlsMode#IMPLICIT} or
     *     {@link TlsMode#STARTTLS_AND_IMPLICIT}
     */
    public int pop3sPort() {
        if (implicit == null) {
            throw new IllegalStateException("this server has no implicit-TLS listener (TlsMode." + settings.tls()
                    + "); use TlsMode.IMPLICIT or STARTTLS_AND_IMPLICIT");
        }
        return implicit.getPort();
    }

    /**
     * The address of the first listener: the plain one, or the implicit-TLS one with {@link TlsMode#IMPLICIT}.
     *
     * @return the socket address
     */
    public InetSocketAddress address() {
        return plain != null ? plain : implicit;
    }

    /**
     * How this server offers TLS.
     *
     * @return the mode
     */
    public TlsMode tlsMode() {
        return settings.tls();
    }

    /**
     * What kind of server this one pretends to be.
     *
     * @return the persona
     */
    public Persona persona() {
        return settings.persona();
    }

    // ------------------------------------------------------------------ seeding

    /**
     * Adds a user, or changes a user's password. The user's mailbox has the user's name.
     *
     * @param name the user name
     * @param password the password
     * @return this server
     */
    public Pop3TestServer user(String name, String password) {
        users.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(password, "password"));
        return this;
    }

    /**
     * Adds an app password: another password the user may log in with ({@code USER}/{@code PASS}, SASL
     * {@code PLAIN}, {@code LOGIN} and {@code CRAM-MD5}), as a provider's app passwords for mail clients work. The
     * user's own password keeps working; {@code APOP} and {@code SCRAM-*} take the user's own password only.
     *
     * @param user the user name
     * @param password the app password
     * @return this server
     */
    public Pop3TestServer appPassword(String user, String password) {
        users.appPassword(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
        return this;
    }

    /**
     * Adds an OAuth 2.0 access token that logs a user in with SASL {@code OAUTHBEARER} or {@code XOAUTH2} (the
     * mechanisms Gmail and Outlook.com use), as if an identity provider had issued it. A client that names a user
     * must name this one. Any other token is refused with the mechanism's JSON error response.
     *
     * @param user the user name, whose mailbox the token opens
     * @param token the access token, printable ASCII without spaces
     * @return this server
     * @throws IllegalArgumentException if the token is empty or has other characters
     */
    public Pop3TestServer token(String user, String token) {
        users.token(Objects.requireNonNull(user, "user"), checkToken(token));
        return this;
    }

    private static String checkToken(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("a bearer token is printable ASCII without spaces: '" + token + "'");
        }
        return token;
    }

    /**
     * Puts messages into a mailbox, after those already there. A session that has the mailbox open does not see
     * them (its message list is fixed, RFC 1939 section 5); the next session does.
     *
     * @param mailbox the mailbox, that is the user's name
     * @param messages the messages, in order
     * @return the messages as stored, with their unique ids
     */
    public List<StoredMessage> deliver(String mailbox, TestMessage... messages) {
        Objects.requireNonNull(mailbox, "mailbox");
        List<StoredMessage> stored = new ArrayList<>();
        for (TestMessage message : messages) {
            MessageInfo info = store.add(mailbox, message.octets());
            journal.delivered(info.uid(), message);
            stored.add(new StoredMessage(info.uid(), message));
        }
        return stored;
    }

    // ------------------------------------------------------------------ inspection

    /**
     * What a mailbox holds now and what happened to it: messages retrieved, deleted at {@code QUIT}, and deletions
     * abandoned by sessions that ended without {@code QUIT}. If a session holds the mailbox, waits up to one second
     * for it to end, so that a test looking right after its client disconnected sees the session's outcome.
     *
     * @param name the mailbox, that is the user's name
     * @return a snapshot; an unknown mailbox is empty
     */
    public Mailbox mailbox(String name) {
        return journal.mailbox(Objects.requireNonNull(name, "name"), SETTLE);
    }

    /**
     * Waits for the next session to end and returns its recording. Sessions are returned in the order they ended,
     * each once.
     *
     * @param timeout how long to wait
     * @return the session
     * @throws AssertionError if no session ends within the timeout (the message tells how many are still open), or
     *     the thread is interrupted
     */
    public RecordedSession takeSession(Duration timeout) {
        try {
            return journal.take(timeout).orElseThrow(() -> new AssertionError("no POP3 session ended within "
                    + timeout.toMillis() + " ms; " + journal.openSessions() + " still open, "
                    + journal.sessions().size() + " ended before"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a POP3 session to end", e);
        }
    }

    /**
     * Every session that has ended so far, whether taken or not. A session is listed once the server has finished
     * with it, which may be a moment after the client saw the connection close; {@link #takeSession(Duration)} waits
     * for that.
     *
     * @return the recordings, in the order the sessions ended
     */
    public List<RecordedSession> sessions() {
        return journal.sessions();
    }

    /**
     * For the failure report of {@link Pop3ServerExtension}: the sessions ended so far, after waiting up to
     * {@code settle} for open ones to end.
     */
    List<RecordedSession> settledSessions(Duration settle) {
        return journal.settledSessions(settle);
    }

    /** @return sessions open now */
    int openSessions() {
        return journal.openSessions();
    }

    // ------------------------------------------------------------------ faults

    /**
     * Scripts a fault. It applies from now on to the connections and commands it names, as often as its trigger
     * says. See {@link Fault}.
     *
     * @param fault the fault
     * @return this server
     * @throws IllegalStateException if the fault needs a listener this server does not have (failing the handshake
     *     on connect needs an implicit-TLS listener)
     */
    public Pop3TestServer inject(Fault fault) {
        Objects.requireNonNull(fault, "fault");
        if (fault.trigger().connect() && fault.action() instanceof SessionHook.FailTls
                && !settings.tls().hasImplicitListener()) {
            throw new IllegalStateException("failing the TLS handshake on connect needs an implicit-TLS listener "
                    + "(TlsMode.IMPLICIT or STARTTLS_AND_IMPLICIT); for STLS use Fault.on(\"STLS\").failTls()");
        }
        if (fault.trigger().verb().filter("STLS"::equals).isPresent() && !settings.tls().offersStls()) {
            throw new IllegalStateException("this server does not offer STLS (TlsMode." + settings.tls() + ")");
        }
        script.add(fault);
        return this;
    }

    /**
     * Removes every fault not yet spent. Mailboxes held with {@link #holdMailbox(String)} stay held.
     *
     * @return this server
     */
    public Pop3TestServer clearFaults() {
        script.clear();
        return this;
    }

    /**
     * The faults that can still fire.
     *
     * @return the faults, in the order they were injected
     */
    public List<Fault> pendingFaults() {
        return script.pending();
    }

    /**
     * Holds a mailbox's exclusive lock as another client would, so that every login to it gets
     * {@code -ERR [IN-USE]} (RFC 2449 section 8.1.1) until the returned hold is closed or the server stops.
     *
     * @param name the mailbox
     * @return the hold; close it to release the mailbox
     * @throws IllegalStateException if another hold has the mailbox, or a session has it and does not release it
     *     within two seconds
     */
    public MailboxHold holdMailbox(String name) {
        Objects.requireNonNull(name, "name");
        Runnable release = trackingStore.hold(name);
        synchronized (holds) {
            holds.put(name, release);
        }
        return new MailboxHold(name, () -> {
            Runnable r;
            synchronized (holds) {
                r = holds.remove(name);
            }
            if (r != null) {
                r.run();
            }
        });
    }

    // ------------------------------------------------------------------ TLS

    /**
     * A client context that trusts this server's certificate authority only, and checks the host name
     * ({@code 127.0.0.1} and {@code localhost} are in the certificate).
     *
     * @return the context; the same on every call
     * @throws IllegalStateException with {@link TlsMode#NONE}
     */
    public SSLContext clientSslContext() {
        requireTls("clientSslContext");
        return certificates.client();
    }

    /**
     * This server's certificate authority as PEM, for clients that are not in this JVM ({@code curl --cacert},
     * python's {@code ssl}, {@code openssl s_client -CAfile}).
     *
     * @return one {@code CERTIFICATE} block
     * @throws IllegalStateException with {@link TlsMode#NONE}
     */
    public String caPem() {
        requireTls("caPem");
        return certificates.caPem();
    }

    /**
     * This server's certificate authority as a PEM file, written on first call and deleted by {@link #close()}.
     *
     * @return the file
     * @throws IllegalStateException with {@link TlsMode#NONE}
     * @throws UncheckedIOException if the file cannot be written
     */
    public Path caPemFile() {
        requireTls("caPemFile");
        return certificates.pemFile();
    }

    /**
     * Jakarta Mail (Angus Mail) properties for this server: {@code pop3} on the plain listener, or {@code pop3s} with
     * {@link TlsMode#IMPLICIT}. See {@link #jakartaMailProperties(String)}.
     *
     * @return new properties
     */
    public Properties jakartaMailProperties() {
        return jakartaMailProperties(plain != null ? "pop3" : "pop3s");
    }

    /**
     * Jakarta Mail (Angus Mail) properties for this server and a protocol: {@code mail.store.protocol}, host, port,
     * 10-second connect and read timeouts, and with TLS a socket factory trusting this server's CA only, with the
     * server identity checked. For {@code pop3} on a server with TLS, {@code STLS} is enabled and required. Pass
     * them to {@code Session.getInstance(...)}, then {@code session.getStore().connect(user, password)}.
     *
     * @param protocol {@code "pop3"} or {@code "pop3s"}
     * @return new properties
     * @throws IllegalArgumentException for another protocol
     * @throws IllegalStateException if the server has no listener for the protocol
     */
    public Properties jakartaMailProperties(String protocol) {
        String p = Objects.requireNonNull(protocol, "protocol").toLowerCase(Locale.ROOT);
        if (!p.equals("pop3") && !p.equals("pop3s")) {
            throw new IllegalArgumentException("protocol must be pop3 or pop3s: " + protocol);
        }
        int port = p.equals("pop3") ? port() : pop3sPort();
        Properties properties = new Properties();
        String prefix = "mail." + p + ".";
        properties.put("mail.store.protocol", p);
        properties.put(prefix + "host", HOST);
        properties.put(prefix + "port", Integer.toString(port));
        properties.put(prefix + "connectiontimeout", Integer.toString(CLIENT_TIMEOUT_MILLIS));
        properties.put(prefix + "timeout", Integer.toString(CLIENT_TIMEOUT_MILLIS));
        if (settings.tls() != TlsMode.NONE) {
            properties.put(prefix + "ssl.socketFactory", certificates.client().getSocketFactory());
            properties.put(prefix + "ssl.checkserveridentity", "true");
            if (p.equals("pop3")) {
                properties.put(prefix + "starttls.enable", "true");
                properties.put(prefix + "starttls.required", "true");
            }
        }
        return properties;
    }

    private void requireTls(String what) {
        if (settings.tls() == TlsMode.NONE) {
            throw new IllegalStateException(what + ": this server runs without TLS; build it with tls(TlsMode...)");
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Stops the server: closes open connections at once (deleting nothing for them), releases held mailboxes and
     * deletes the CA PEM file. Idempotent.
     */
    @Override
    public void close() {
        server.close();
        List<Runnable> releases;
        synchronized (holds) {
            releases = new ArrayList<>(holds.values());
            holds.clear();
        }
        releases.forEach(Runnable::run);
        closeCertificates();
    }

    private void closeCertificates() {
        if (certificates != null) {
            certificates.close();
        }
    }

    @Override
    public String toString() {
        return "Pop3TestServer[" + (plain != null ? "pop3 " + HOST + ":" + plain.getPort() : "")
                + (plain != null && implicit != null ? ", " : "")
                + (implicit != null ? "pop3s " + HOST + ":" + implicit.getPort() : "")
                + ", " + settings.persona().name() + "]";
    }

    /**
     * A seeded user.
     *
     * @param name the user name
     * @param password the password
     * @param messages the first messages of the user's mailbox
     */
    record SeedUser(String name, String password, List<TestMessage> messages) {
    }

    /**
     * A seeded app password or token.
     *
     * @param user the user name
     * @param secret the app password or token
     */
    record SeedSecret(String user, String secret) {
    }

    /**
     * The immutable settings of a server, shared by the builders.
     *
     * @param users users and their first messages
     * @param appPasswords app passwords of the users
     * @param tokens bearer tokens of the users
     * @param tls the TLS mode
     * @param persona the persona
     * @param authorizationTimeout idle time allowed before login
     */
    record Settings(List<SeedUser> users, List<SeedSecret> appPasswords, List<SeedSecret> tokens, TlsMode tls,
                    Persona persona, Duration authorizationTimeout) {
        Settings {
            users = List.copyOf(users);
            appPasswords = List.copyOf(appPasswords);
            tokens = List.copyOf(tokens);
        }
    }

    /**
     * Configures a {@link Pop3TestServer}. Not thread-safe; {@link #start()} may be called more than once, each time
     * for a new server.
     */
    public static final class Builder {
        private final Map<String, SeedUser> users = new LinkedHashMap<>();
        private final List<SeedSecret> appPasswords = new ArrayList<>();
        private final List<SeedSecret> tokens = new ArrayList<>();
        private TlsMode tls = TlsMode.NONE;
        private Persona persona = Persona.full();
        private Duration authorizationTimeout = Duration.ofSeconds(60);

        Builder() {
        }

        /**
         * Adds a user with a password and the first messages of the user's mailbox; a user added again replaces the
         * earlier one.
         *
         * @param name the user name; the mailbox has the same name
         * @param password the password
         * @param messages the messages, in order
         * @return this builder
         */
        public Builder user(String name, String password, TestMessage... messages) {
            users.put(Objects.requireNonNull(name, "name"),
                    new SeedUser(name, Objects.requireNonNull(password, "password"), List.of(messages)));
            return this;
        }

        /**
         * Adds an app password for a user. See {@link Pop3TestServer#appPassword(String, String)}.
         *
         * @param user the user name
         * @param password the app password
         * @return this builder
         */
        public Builder appPassword(String user, String password) {
            appPasswords.add(new SeedSecret(Objects.requireNonNull(user, "user"),
                    Objects.requireNonNull(password, "password")));
            return this;
        }

        /**
         * Adds an OAuth 2.0 access token for a user. See {@link Pop3TestServer#token(String, String)}.
         *
         * @param user the user name
         * @param token the access token
         * @return this builder
         * @throws IllegalArgumentException if the token is empty or not printable ASCII without spaces
         */
        public Builder token(String user, String token) {
            tokens.add(new SeedSecret(Objects.requireNonNull(user, "user"), checkToken(token)));
            return this;
        }

        /**
         * How the server offers TLS. Default {@link TlsMode#NONE}.
         *
         * Every mode but {@code NONE} needs {@code dev.poplar:pop3-tls} on the test class path (see {@link TlsMode}).
         *
         * @param mode the mode
         * @return this builder
         * @throws IllegalStateException naming the dependency to add, if a TLS mode is chosen without pop3-tls
         */
        public Builder tls(TlsMode mode) {
            Objects.requireNonNull(mode, "tls");
            if (mode != TlsMode.NONE) {
                TlsSupport.require("tls(TlsMode." + mode + ")");
            }
            this.tls = mode;
            return this;
        }

        /**
         * What kind of server to pretend to be. Default {@link Persona#full()}.
         *
         * @param persona the persona
         * @return this builder
         */
        public Builder persona(Persona persona) {
            this.persona = Objects.requireNonNull(persona, "persona");
            return this;
        }

        /**
         * How long a connection may stay idle before logging in; then the server says {@code -ERR} and closes it
         * (the session ends with {@code IDLE_TIMEOUT}). Default 60 seconds. After login the limit is RFC 1939's
         * 10 minutes.
         *
         * @param timeout at least 1 second, at most 10 minutes
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder authorizationTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "authorizationTimeout");
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("authorizationTimeout must be from 1 second to 10 minutes: "
                        + timeout);
            }
            this.authorizationTimeout = timeout;
            return this;
        }

        Settings settings() {
            return new Settings(List.copyOf(users.values()), appPasswords, tokens, tls, persona,
                    authorizationTimeout);
        }

        /**
         * Starts a server with these settings, on free ports of {@code 127.0.0.1}.
         *
         * @return the running server, ready for its first login
         * @throws UncheckedIOException if no port can be bound
         */
        public Pop3TestServer start() {
            return Pop3TestServer.start(settings());
        }
    }
}
