package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store that fails at each SPI call point, in each way it can, through the wire: the client gets the reply the SPI
 * documents and never the exception's text, no read waits longer than the client's timeout, the mailbox loses nothing
 * unless {@code QUIT}'s update succeeded, and the server goes on serving other clients. Every case runs with a store
 * that may block (called on workers) and one that never blocks (called on the I/O thread).
 */
class StoreFailuresWireTest {

    static final String SECRET_DETAIL = "/var/mail/alice: disk 3 of 4 on fire";
    static final String IN_USE = "-ERR [IN-USE] mailbox is in use by another session";
    static final String SYS_TEMP = "-ERR [SYS/TEMP] mailbox temporarily unavailable, try again later";
    static final String SYS_PERM = "-ERR [SYS/PERM] mailbox unavailable, contact the administrator";
    static final String GONE = "-ERR message was removed from the mailbox by another client";
    static final String SMALL = "Subject: small\r\n\r\nbody\r\n";
    /** Large enough that a read failing halfway fails after chunks of the reply went out. */
    static final String LARGE = "Subject: large\r\n\r\n" + ("x".repeat(78) + "\r\n").repeat(8 * 1024);
    static final int FAIL_AFTER_OCTETS = 300 * 1024;

    /** Where the store fails. */
    enum CallPoint {
        OPEN, MESSAGES, CONTENT, CHANNEL, FIRST_READ, LATER_READ, UPDATE, CLOSE
    }

    /** How the store fails. */
    enum Failure {
        IN_USE(StoreException.Kind.IN_USE), TEMPORARY(StoreException.Kind.TEMPORARY),
        PERMANENT(StoreException.Kind.PERMANENT), GONE(StoreException.Kind.GONE), RUNTIME(null), IO(null),
        /** An {@link Error} (a bug in the store): it must end neither a worker's continuation nor the I/O thread. */
        ERROR(null);

        final StoreException.Kind kind;

        Failure(StoreException.Kind kind) {
            this.kind = kind;
        }

        static final List<Failure> STORE_EXCEPTIONS = List.of(IN_USE, TEMPORARY, PERMANENT, GONE, RUNTIME, ERROR);
        static final List<Failure> READ_FAILURES = List.of(IO, RUNTIME, ERROR);

        void raise() throws StoreException {
            if (kind != null) {
                throw new StoreException(kind, SECRET_DETAIL);
            }
            raiseUnchecked();
        }

        void raiseIo() throws IOException {
            if (this == IO) {
                throw new IOException(SECRET_DETAIL);
            }
            raiseUnchecked();
        }

        void raiseUnchecked() {
            if (this == ERROR) {
                throw new AssertionError(SECRET_DETAIL);
            }
            throw new IllegalStateException(SECRET_DETAIL);
        }

        /** The reply the SPI documents for a store exception of this kind (any kind but GONE, from update). */
        String reply() {
            return switch (this) {
                case IN_USE -> StoreFailuresWireTest.IN_USE;
                case PERMANENT -> SYS_PERM;
                case GONE -> StoreFailuresWireTest.GONE;
                default -> SYS_TEMP;
            };
        }
    }

    /** The in-memory store, failing for alice at one call point in one way; bob's mailbox never fails. */
    static final class FailingStore implements MailboxStore {
        final InMemoryMailboxStore memory = new InMemoryMailboxStore();
        final boolean blocking;
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile CallPoint point;
        volatile Failure failure;

        FailingStore(boolean blocking) {
            this.blocking = blocking;
            memory.add("alice", SMALL);
            memory.add("alice", LARGE);
            memory.add("bob", SMALL);
        }

        void failAt(CallPoint point, Failure failure) {
            this.failure = failure;
            this.point = point;
        }

        void heal() {
            point = null;
        }

        private boolean fails(String mailbox, CallPoint at) {
            return mailbox.equals("alice") && point == at;
        }

        @Override
        public boolean mayBlock(Operation operation) {
            return blocking;
        }

        @Override
        public Maildrop open(String mailbox) throws StoreException {
            threads.add(Thread.currentThread().getName());
            if (fails(mailbox, CallPoint.OPEN)) {
                failure.raise();
            }
            return new ForwardingMaildrop(memory.open(mailbox)) {
                @Override
                public List<MessageInfo> messages() {
                    if (fails(mailbox, CallPoint.MESSAGES)) {
                        failure.raiseUnchecked();
                    }
                    return inner.messages();
                }

                @Override
                public MessageContent content(MessageInfo message) throws StoreException {
                    if (fails(mailbox, CallPoint.CONTENT)) {
                        failure.raise();
                    }
                    MessageContent content = inner.content(message);
                    return mailbox.equals("alice") ? failing(content) : content;
                }

                @Override
                public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
                        throws StoreException {
                    if (fails(mailbox, CallPoint.UPDATE)) {
                        failure.raise();
                    }
                    return inner.update(deleted, retrieved);
                }

                @Override
                public void close() {
                    inner.close();
                    if (fails(mailbox, CallPoint.CLOSE)) {
                        failure.raiseUnchecked();
                    }
                }
            };
        }

        private MessageContent failing(MessageContent content) {
            return new MessageContent() {
                @Override
                public ReadableByteChannel channel() throws IOException {
                    if (point == CallPoint.CHANNEL) {
                        failure.raiseIo();
                    }
                    return new FailingChannel(content.channel());
                }

                @Override
                public void close() throws IOException {
                    content.close();
                }
            };
        }

        /** Reads through, failing at the first read or after {@link #FAIL_AFTER_OCTETS} as told. */
        private final class FailingChannel implements ReadableByteChannel {
            private final ReadableByteChannel inner;
            private long read;

            FailingChannel(ReadableByteChannel inner) {
                this.inner = inner;
            }

            @Override
            public int read(ByteBuffer dst) throws IOException {
                if (point == CallPoint.FIRST_READ || point == CallPoint.LATER_READ && read >= FAIL_AFTER_OCTETS) {
                    failure.raiseIo();
                }
                ByteBuffer window = dst.slice();
                if (point == CallPoint.LATER_READ) {
                    window.limit((int) Math.min(window.remaining(), FAIL_AFTER_OCTETS - read));
                }
                int n = inner.read(window);
                if (n > 0) {
                    dst.position(dst.position() + n);
                    read += n;
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return inner.isOpen();
            }

            @Override
            public void close() throws IOException {
                inner.close();
            }
        }
    }

    FailingStore store;
    Pop3Server server;
    final List<WireClient> clients = new ArrayList<>();
    List<MessageInfo> before;

    @AfterEach
    void stop() throws IOException {
        for (WireClient client : clients) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    void start(boolean blocking) throws IOException {
        store = new FailingStore(blocking);
        before = store.memory.messages("alice");
        server = TestServers.start(Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "a", "bob", "b")))
                .authFailureDelay(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1))
                .shutdownGracePeriod(Duration.ofMillis(100)));
    }

    WireClient connect() throws IOException {
        WireClient client = WireClient.connect(server);
        clients.add(client);
        assertThat(client.greeting()).startsWith("+OK");
        return client;
    }

    WireClient alice() throws IOException {
        WireClient alice = connect();
        assertThat(alice.login("alice", "a")).isEqualTo("+OK maildrop has 2 messages ("
                + (SMALL.length() + LARGE.length()) + " octets)");
        return alice;
    }

    /**
     * Alice logs in and marks message 1 deleted; then the store starts failing.
     *
     * @return alice's connection
     */
    WireClient aliceMarkedOneThenFailing(boolean blocking, CallPoint point, Failure failure) throws IOException {
        start(blocking);
        WireClient alice = alice();
        assertThat(alice.send("DELE 1")).isEqualTo("+OK message 1 deleted");
        store.failAt(point, failure);
        return alice;
    }

    /** Another client is served in full meanwhile: log in, read, delete nothing, quit. */
    void bobIsServed() throws IOException {
        try (WireClient bob = WireClient.connect(server)) {
            bob.greeting();
            assertThat(bob.login("bob", "b")).startsWith("+OK maildrop has 1 message");
            assertThat(bob.send("RETR 1")).startsWith("+OK");
            assertThat(new String(bob.body(), StandardCharsets.US_ASCII)).isEqualTo(SMALL);
            assertThat(bob.send("QUIT")).startsWith("+OK Poplar signing off");
        }
    }

    /** Bob is served while alice's session is open; then alice drops her connection, and nothing is lost. */
    void bobIsServedThenAliceLeaves(WireClient alice) throws IOException {
        bobIsServed();
        alice.close();
        nothingLostAndAliceLogsInAgain();
    }

    /** After alice's session: her mailbox is released and holds what it held, and she can log in again. */
    void nothingLostAndAliceLogsInAgain() throws IOException {
        Await.until("alice's mailbox released", () -> !store.memory.isLocked("alice"), Duration.ofSeconds(10));
        assertThat(store.memory.messages("alice")).isEqualTo(before);
        store.heal();
        WireClient again = alice();
        assertThat(again.send("QUIT")).isEqualTo("+OK Poplar signing off (0 messages deleted)");
    }

    static Stream<Arguments> each(List<Failure> failures) {
        return failures.stream().flatMap(f -> Stream.of(Arguments.of(f, true), Arguments.of(f, false)));
    }

    static Stream<Arguments> storeExceptions() {
        return each(Failure.STORE_EXCEPTIONS);
    }

    static Stream<Arguments> readFailures() {
        return each(Failure.READ_FAILURES);
    }

    static Stream<Arguments> unchecked() {
        return each(List.of(Failure.RUNTIME, Failure.ERROR));
    }

    @Nested
    class Open {
        @ParameterizedTest(name = "{0}, may block: {1}")
        @MethodSource("dev.poplar.pop3.server.StoreFailuresWireTest#storeExceptions")
        void failsTheLoginWithTheKindsReplyAndTheClientMayLogInAgain(Failure failure, boolean blocking)
                throws IOException {
            start(blocking);
            store.failAt(CallPoint.OPEN, failure);
            WireClient alice = connect();
            assertThat(alice.login("alice", "a")).isEqualTo(failure.reply()).doesNotContain("fire");
            assertThat(alice.send("STAT")).isEqualTo("-ERR command not valid in this state");
            bobIsServed();
            store.heal();
            assertThat(alice.login("alice", "a")).startsWith("+OK maildrop has 2 messages");
            assertThat(alice.send("QUIT")).startsWith("+OK");
            nothingLostAndAliceLogsInAgain();
            assertThat(store.threads).allMatch(name -> blocking == name.contains("-worker-"));
        }
    }

    @Nested
    class Messages {
        @ParameterizedTest(name = "{0}, may block: {1}")
        @MethodSource("dev.poplar.pop3.server.StoreFailuresWireTest#unchecked")
        void failsTheLoginWithSysTempAndReleasesTheMaildrop(Failure failure, boolean blocking) throws IOException {
            start(blocking);
            store.failAt(CallPoint.MESSAGES, failure);
            WireClient alice = connect();
            assertThat(alice.login("alice", "a")).isEqualTo(SYS_TEMP);
            assertThat(alice.send("STAT")).isEqualTo("-ERR command not valid in this state");
            bobIsServed();
            nothingLostAndAliceLogsInAgain();
        }
    }

    @Nested
    class Content {
        @ParameterizedTest(name = "{0}, may block: {1}")
        @MethodSource("dev.poplar.pop3.server.StoreFailuresWireTest#storeExceptions")
        void failsThatRetrOrTopWithTheKindsReplyAndTheSessionGoesOn(Failure failure, boolean blocking)
                throws IOException {
            WireClient alice = aliceMarkedOneThenFailing(blocking, CallPoint.CONTENT, failure);
            assertThat(alice.send("RETR 2")).isEqualTo(failure.reply());
            assertThat(alice.send("TOP 2 1")).isEqualTo(failure.reply());
            bobIsServed();
            assertThat(alice.send("STAT")).isEqualTo("+OK 1 " + LARGE.length());
            alice.close();
            nothingLostAndAliceLogsInAgain();
        }

        @ParameterizedTest(name = "{0}, may block: {1}")
        @MethodSource("dev.poplar.pop3.server.StoreFailuresWireTest#readFailures")
        void thatCannotBeOpenedAsAChannelIsSysTempAndTheSessionGoesOn(Failure failure, boolean blocking)
                throws IOException {
            WireClient alice = aliceMarkedOneThenFailing(blocking, CallPoint.CHANNEL, failure);
            assertThat(alice.send("RETR 2")).isEqualTo(SYS_TEMP);
            bobIsServed();
            store.heal();
            assertThat(alice.send("RETR 2")).isEqualTo("+OK " + LARGE.length() + " octets");
            assertThat(new String(alice.body(), StandardCharsets.US_ASCII)).isEqualTo(LARGE);
            alice.close();
            nothingLostAndAliceLogsInAgain();
        }

        @ParameterizedTest(name = "{0}, may block: {1}")
        @MethodSource("dev.poplar.pop3.server.StoreFailuresWireTest#readFailures")
        void thatFailsAtTheFirstReadIsSysTempAndTheSessionGoesOn(Failure failure, boolean blocking)
                throws IOException {
            WireClient alice = aliceMarkedOneThenFailing(blocking, CallPoint.FIRST_READ, failure);
            assertThat(alice.send("RETR 2")).isEqualTo(SYS_TEMP);
            assertThat(alice.send("NOOP")).isEqualTo("+OK");
            bobIsServedThenAliceLeaves(alice);
        }

        @ParameterizedTest(name = "{0}, may block: {1}")
        @MethodSource("dev.poplar.pop3.server.StoreFailuresWireTest#readFailures")
        void thatFailsAfterPartWasSentClosesTheConnectionAndDeletesNothing(Failure failure, boolean blocking)
                throws IOException {
            WireClient alice = aliceMarkedOneThenFailing(blocking, CallPoint.LATER_READ, failure);
            alice.write("RETR 2\r\nQUIT\r\n");
            assertThat(alice.line()).isEqualTo("+OK " + LARGE.length() + " octets");
            // The client cannot be told: the server closes the connection in the middle of the message.
            byte[] rest = alice.input().readAllBytes();
            assertThat(rest.length).isPositive().isLessThan(LARGE.length());
            assertThat(new String(rest, StandardCharsets.US_ASCII)).doesNotContain("\r\n.\r\n", "+OK Poplar");
            bobIsServed();
            nothingLostAndAliceLogsInAgain();
        }
    }

    @Nested
    class Update {
        @ParameterizedTest(name = "{0}, may block: {1}")
        @MethodSource("dev.poplar.pop3.server.StoreFailuresWireTest#storeExceptions")
        void answersQuitWithSysTempWhateverTheKindClosesAndKeepsEveryMessage(Failure failure, boolean blocking)
                throws IOException {
            WireClient alice = aliceMarkedOneThenFailing(blocking, CallPoint.UPDATE, failure);
            assertThat(alice.send("QUIT")).isEqualTo("-ERR [SYS/TEMP] some deleted messages not removed (1 of 1)");
            assertThat(alice.closedByServer()).isTrue();
            bobIsServed();
            nothingLostAndAliceLogsInAgain();
        }

        @Test
        void thatRemovesOnlySomeSaysHowManyStayed() throws IOException {
            start(true);
            MailboxStore partial = mailbox -> new ForwardingMaildrop(store.open(mailbox)) {
                @Override
                public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
                        throws StoreException {
                    MessageInfo kept = inner.messages().get(1);
                    Set<MessageInfo> removed = new java.util.HashSet<>(deleted);
                    removed.remove(kept);
                    inner.update(removed, retrieved);
                    return UpdateResult.partial(Set.of(kept));
                }
            };
            server.close();
            server = TestServers.start(TestServers.builder(new InMemoryMailboxStore()).store(partial)
                    .authenticator(Authenticator.fromMap(Map.of("alice", "a"))));
            WireClient alice = alice();
            alice.send("DELE 1");
            alice.send("DELE 2");
            assertThat(alice.send("QUIT")).isEqualTo("-ERR [SYS/TEMP] some deleted messages not removed (1 of 2)");
            Await.until("alice's mailbox released", () -> !store.memory.isLocked("alice"), Duration.ofSeconds(10));
            assertThat(store.memory.messages("alice")).containsExactly(before.get(1));
        }
    }

    @Nested
    class Close {
        @ParameterizedTest(name = "{0}, may block: {1}")
        @MethodSource("dev.poplar.pop3.server.StoreFailuresWireTest#unchecked")
        void isIgnoredAfterADropAndAfterQuitWhoseUpdateStands(Failure failure, boolean blocking) throws IOException {
            start(blocking);
            store.failAt(CallPoint.CLOSE, failure);
            WireClient dropped = alice();
            assertThat(dropped.send("DELE 1")).isEqualTo("+OK message 1 deleted");
            dropped.close();
            Await.until("alice's mailbox released", () -> !store.memory.isLocked("alice"), Duration.ofSeconds(10));
            assertThat(store.memory.messages("alice")).isEqualTo(before);
            bobIsServed();
            WireClient quitting = alice();
            assertThat(quitting.send("DELE 1")).isEqualTo("+OK message 1 deleted");
            assertThat(quitting.send("QUIT")).isEqualTo("+OK Poplar signing off (1 message deleted)");
            assertThat(quitting.closedByServer()).isTrue();
            Await.until("alice's mailbox released", () -> !store.memory.isLocked("alice"), Duration.ofSeconds(10));
            assertThat(store.memory.messages("alice")).containsExactly(before.get(1));
        }
    }
}
