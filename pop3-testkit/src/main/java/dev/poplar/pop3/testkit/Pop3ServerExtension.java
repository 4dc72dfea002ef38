package dev.poplar.pop3.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A JUnit 5 extension that runs a {@link Pop3TestServer} for each test (or, with {@link Builder#perClass()}, for each
 * test class) and passes it to test and lifecycle methods that declare a {@code Pop3TestServer} parameter.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
 *         .user("alice", "s3cret", TestMessages.text("Invoice 42", "see attached"))
 *         .tls(TlsMode.STARTTLS)
 *         .build();
 *
 * @Test
 * void pollerDeletesWhatItDownloaded(Pop3TestServer server) {
 *     poller.poll(server.jakartaMailProperties(), "alice", "s3cret");
 *     assertThat(server.mailbox("alice")).isEmpty();
 *     assertThat(server.takeSession(Duration.ofSeconds(5))).issued("RETR 1", "DELE 1").quitCleanly();
 * }
 * }</pre>
 *
 * <p><b>Per test</b> (the default): each test gets a new server, started before its {@code @BeforeEach} methods and
 * closed after its {@code @AfterEach} methods, so tests share nothing and may run in parallel. <b>Per class</b>: one
 * server for all tests of the class and its {@code @Nested} classes, started before {@code @BeforeAll} methods;
 * register the extension in a {@code static} field. Tests of a shared server see each other's mailboxes, sessions
 * and faults ({@link Pop3TestServer#clearFaults()} helps).
 *
 * <p><b>When a test fails</b> (with an assertion or any other exception; not when it is aborted), the transcripts of
 * the sessions that ended during the test are printed to standard output, which Maven Surefire puts into the failed
 * test's report ({@code <system-out>} in its XML, shown by CI servers) and Gradle into its test reports; and they
 * are published as a JUnit report entry ({@code pop3.sessions}) for tools that show those. Sessions still open are
 * given up to a second to end first (and, with a server per class, before each test, so that the sessions of the
 * previous test are not counted as this one's).
 *
 * <p>Servers bind free ports of {@code 127.0.0.1}; the extension keeps its servers in the JUnit extension store, never
 * in static state. One extension per test class: with two, the {@code Pop3TestServer} parameter would be ambiguous.
 * Thread-safe.
 */
public final class Pop3ServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private static final String SERVER = "server";
    private static final String FIRST_SESSION = "firstSession";
    /** How long a failure report waits for sessions that are still open to end. */
    private static final Duration SETTLE = Duration.ofSeconds(1);

    private final Pop3TestServer.Settings settings;
    private final boolean perClass;
    private final ExtensionContext.Namespace namespace;

    private Pop3ServerExtension(Pop3TestServer.Settings settings, boolean perClass) {
        this.settings = settings;
        this.perClass = perClass;
        this.namespace = ExtensionContext.Namespace.create(Pop3ServerExtension.class, this);
    }

    /**
     * Starts configuring the extension.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * An extension with the defaults: a plain server per test, no users, {@link Persona#full()}.
     *
     * @return the extension
     */
    public static Pop3ServerExtension create() {
        return builder().build();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (perClass && find(context) == null) {
            context.getStore(namespace).put(SERVER, Pop3TestServer.start(settings));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (perClass) {
            close(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            context.getStore(namespace).put(SERVER, Pop3TestServer.start(settings));
        } else if (find(context) == null) {
            throw new ExtensionConfigurationException("Pop3ServerExtension.perClass() needs a static "
                    + "@RegisterExtension field (its server starts before all tests of the class)");
        }
        // A shared server: sessions of earlier tests whose clients just went away are theirs, not this test's.
        List<RecordedSession> before = perClass ? find(context).settledSessions(SETTLE) : List.of();
        context.getStore(namespace).put(FIRST_SESSION, before.size());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().filter(e -> !(e instanceof TestAbortedException)).isPresent()) {
            Pop3TestServer server = find(context);
            if (server != null) {
                reportFailure(context, server);
            }
        }
        if (!perClass) {
            close(context);
        }
    }

    private void reportFailure(ExtensionContext context, Pop3TestServer server) {
        List<RecordedSession> all = server.settledSessions(SETTLE);
        Integer first = context.getStore(namespace).get(FIRST_SESSION, Integer.class);
        List<RecordedSession> sessions = all.subList(first == null ? 0 : Math.min(first, all.size()), all.size());
        int open = server.openSessions();
        String transcripts = (sessions.isEmpty() ? "(no session ended during the test)"
                : sessions.stream().map(RecordedSession::transcript).collect(Collectors.joining("\n")))
                + (open > 0 ? "\n(" + open + " session" + (open == 1 ? "" : "s") + " still open)" : "");
        context.publishReportEntry("pop3.sessions", transcripts);
        // One write, so that the block stays whole when tests run in parallel.
        System.out.print(context.getDisplayName() + " failed; POP3 sessions of " + server + ":\n"
                + transcripts + "\n");
        System.out.flush();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Pop3TestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Pop3TestServer server = find(context);
        if (server == null) {
            throw new ParameterResolutionException("no Pop3TestServer is running here: a server per test exists only "
                    + "in @BeforeEach, @Test and @AfterEach methods; use Pop3ServerExtension.builder().perClass() "
                    + "for @BeforeAll methods and constructors");
        }
        return server;
    }

    private Pop3TestServer find(ExtensionContext context) {
        return context.getStore(namespace).get(SERVER, Pop3TestServer.class);
    }

    private void close(ExtensionContext context) {
        Pop3TestServer server = context.getStore(namespace).remove(SERVER, Pop3TestServer.class);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public String toString() {
        return "Pop3ServerExtension[" + (perClass ? "per class" : "per test") + ", " + settings.tls() + ", "
                + settings.persona().name() + "]";
    }

    /**
     * Configures a {@link Pop3ServerExtension}; the settings are those of {@link Pop3TestServer.Builder}. Not
     * thread-safe; {@link #build()} takes a snapshot, so the builder may be changed afterwards.
     */
    public static final class Builder {
        private final Pop3TestServer.Builder server = Pop3TestServer.builder();
        private boolean perClass;

        private Builder() {
        }

        /**
         * Adds a user with a password and the first messages of the user's mailbox; each server starts with them.
         *
         * @param name the user name; the mailbox has the same name
         * @param password the password
         * @param messages the messages, in order
         * @return this builder
         * @see Pop3TestServer.Builder#user(String, String, TestMessage...)
         */
        public Builder user(String name, String password, TestMessage... messages) {
            server.user(name, password, messages);
            return this;
        }

        /**
         * Adds an app password for a user; each server starts with it.
         *
         * @param user the user name
         * @param password the app password
         * @return this builder
         * @see Pop3TestServer#appPassword(String, String)
         */
        public Builder appPassword(String user, String password) {
            server.appPassword(user, password);
            return this;
        }

        /**
         * Adds an OAuth 2.0 access token for a user; each server starts with it.
         *
         * @param user the user name
         * @param token the access token
         * @return this builder
         * @throws IllegalArgumentException if the token is empty or not printable ASCII without spaces
         * @see Pop3TestServer#token(String, String)
         */
        public Builder token(String user, String token) {
            server.token(user, token);
            return this;
        }

        /**
         * How the servers offer TLS. Default {@link TlsMode#NONE}.
         *
         * Every mode but {@code NONE} needs {@code dev.poplar:pop3-tls} on the test class path (see {@link TlsMode}).
         *
         * @param mode the mode
         * @return this builder
         * @throws IllegalStateException naming the dependency to add, if a TLS mode is chosen without pop3-tls
         */
        public Builder tls(TlsMode mode) {
            server.tls(mode);
            return this;
        }

        /**
         * What kind of server to pretend to be. Default {@link Persona#full()}.
         *
         * @param persona the persona
         * @return this builder
         */
        public Builder persona(Persona persona) {
            server.persona(persona);
            return this;
        }

        /**
         * How long a connection may stay idle before logging in. Default 60 seconds.
         *
         * @param timeout at least 1 second, at most 10 minutes
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @see Pop3TestServer.Builder#authorizationTimeout(Duration)
         */
        public Builder authorizationTimeout(Duration timeout) {
            server.authorizationTimeout(timeout);
            return this;
        }

        /**
         * One server for the whole test class (and its {@code @Nested} classes) instead of one per test. Needs a
         * {@code static} field.
         *
         * @return this builder
         */
        public Builder perClass() {
            this.perClass = true;
            return this;
        }

        /**
         * Creates the extension.
         *
         * @return the extension, to put in a {@code @RegisterExtension} field
         */
        public Pop3ServerExtension build() {
            return new Pop3ServerExtension(server.settings(), perClass);
        }
    }
}
