package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retention enforced through the store, with a clock the test moves: at login, at QUIT, in a sweep. */
class RetentionWireTest {

    static final Duration DAY = Duration.ofDays(1);

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T08:00:00Z"));
    final Clock clock = ((InstantSource) now::get).withZone(ZoneOffset.UTC);
    final InMemoryMailboxStore store = new InMemoryMailboxStore(clock);

    void advance(Duration by) {
        now.set(now.get().plus(by));
    }

    Pop3Server start(Retention policy) throws IOException {
        return TestServers.start(TestServers.builder(store).clock(clock).retention(policy));
    }

    static List<String> capa(WireClient client) throws IOException {
        assertThat(client.send("CAPA")).startsWith("+OK");
        return client.lines();
    }

    /** Logs in, retrieves the messages numbered, and quits. */
    static void retrieve(Pop3Server server, int... numbers) throws IOException {
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            for (int number : numbers) {
                assertThat(client.send("RETR " + number)).startsWith("+OK");
                client.body();
            }
            assertThat(client.send("QUIT")).startsWith("+OK");
        }
    }

    @Nested
    class AfterRetrieval {

        /** Message times that fail at QUIT: the policy waits, the client's deletions go ahead, and QUIT is answered. */
        @Test
        void timesThatFailAtQuitLeaveTheDeletionsToGoAhead() throws IOException {
            store.add("alice", "Subject: one\r\n\r\none\r\n");
            store.add("alice", "Subject: two\r\n\r\ntwo\r\n");
            AtomicBoolean failing = new AtomicBoolean();
            MailboxStore flaky = new MailboxStore() {
                @Override
                public Maildrop open(String mailbox) throws StoreException {
                    return new ForwardingMaildrop(store.open(mailbox)) {
                        @Override
                        public Optional<Instant> firstRetrieved(MessageInfo message) {
                            if (failing.get()) {
                                throw new IllegalStateException("times unavailable");
                            }
                            return super.firstRetrieved(message);
                        }
                    };
                }

                @Override
                public Set<MessageTime> messageTimes() {
                    return store.messageTimes();
                }
            };
            try (Pop3Server server = TestServers.start(TestServers.builder(store).store(flaky).clock(clock)
                    .retention(Retention.afterRetrieval(Duration.ofDays(14))))) {
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("RETR 1")).startsWith("+OK");
                    client.body();
                    assertThat(client.send("DELE 2")).startsWith("+OK");
                    failing.set(true);
                    assertThat(client.send("QUIT")).startsWith("+OK");
                }
                failing.set(false);
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("STAT")).startsWith("+OK 1 ");
                    assertThat(client.send("QUIT")).startsWith("+OK");
                }
            }
        }

        /** A time to keep that no instant can add up to: nothing expires, and QUIT still removes what was deleted. */
        @Test
        void aPolicyLongerThanTimeItselfKeepsEverythingAndQuitStillRemovesTheDeleted() throws IOException {
            store.add("alice", "Subject: one\r\n\r\none\r\n");
            store.add("alice", "Subject: two\r\n\r\ntwo\r\n");
            try (Pop3Server server = start(Retention.afterRetrieval(ChronoUnit.FOREVER.getDuration()))) {
                retrieve(server, 1);
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("RETR 1")).startsWith("+OK");
                    client.body();
                    assertThat(client.send("DELE 2")).startsWith("+OK");
                    assertThat(client.send("QUIT")).startsWith("+OK");
                }
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("STAT")).startsWith("+OK 1 ");
                    assertThat(client.send("UIDL 2")).startsWith("-ERR");
                    assertThat(client.send("QUIT")).startsWith("+OK");
                }
            }
        }

        @Test
        void aMessageIsKeptFourteenDaysAfterItsFirstRetrievalThenRemovedBeforeTheListing() throws IOException {
            MessageInfo read = store.add("alice", "Subject: read\r\n\r\nread\r\n");
            MessageInfo unread = store.add("alice", "Subject: unread\r\n\r\nunread\r\n");
            try (Pop3Server server = start(Retention.afterRetrieval(Duration.ofDays(14)))) {
                advance(DAY);
                retrieve(server, 1);
                Instant firstRetrieval = now.get();
                assertThat(store.firstRetrieved("alice", read.uid())).contains(firstRetrieval);
                advance(Duration.ofDays(10));
                retrieve(server, 1);
                assertThat(store.firstRetrieved("alice", read.uid())).as("the first retrieval counts")
                        .contains(firstRetrieval);
                advance(Duration.ofDays(4).minusSeconds(1));
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("STAT")).isEqualTo("+OK 2 " + (read.size() + unread.size()));
                    assertThat(client.send("QUIT")).startsWith("+OK");
                }
                advance(Duration.ofSeconds(1));
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("UIDL")).startsWith("+OK");
                    assertThat(client.lines()).containsExactly("1 " + unread.uid());
                    assertThat(client.send("LIST")).startsWith("+OK 1 messages (" + unread.size() + " octets)");
                    assertThat(client.lines()).containsExactly("1 " + unread.size());
                    assertThat(store.messages("alice")).as("removed from the store").containsExactly(unread);
                    assertThat(capa(client)).contains("EXPIRE 14");
                }
            }
        }

        @Test
        void aRetrievalWithoutQuitIsNotRecorded() throws IOException {
            MessageInfo message = store.add("alice", "Subject: a\r\n\r\na\r\n");
            try (Pop3Server server = start(Retention.afterRetrieval(DAY))) {
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("RETR 1")).startsWith("+OK");
                    client.body();
                    assertThat(client.send("TOP 1 0")).startsWith("+OK");
                    client.body();
                }
                // Dropped without QUIT: the server releases the mailbox as the connection closes, and the next login
                // waits for that release.
                advance(Duration.ofDays(30));
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("STAT")).isEqualTo("+OK 1 " + message.size());
                }
            }
            assertThat(store.firstRetrieved("alice", message.uid())).isEmpty();
        }

        @Test
        void withZeroDaysEveryMessageRetrievedInASessionIsRemovedAtItsQuit() throws IOException {
            store.add("alice", "Subject: a\r\n\r\na\r\n");
            MessageInfo kept = store.add("alice", "Subject: b\r\n\r\nb\r\n");
            store.add("alice", "Subject: c\r\n\r\nc\r\n");
            try (Pop3Server server = start(Retention.afterRetrieval(Duration.ZERO));
                 WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                assertThat(capa(client)).contains("EXPIRE 0");
                assertThat(client.send("RETR 1")).startsWith("+OK");
                client.body();
                assertThat(client.send("TOP 2 0")).as("TOP is no retrieval").startsWith("+OK");
                client.body();
                assertThat(client.send("DELE 3")).startsWith("+OK");
                assertThat(client.send("QUIT")).isEqualTo("+OK Poplar signing off (2 messages deleted)");
            }
            assertThat(store.messages("alice")).containsExactly(kept);
        }
    }

    @Test
    void messagesArrivedNinetyDaysAgoAreRemovedRetrievedOrNot() throws IOException {
        MessageInfo old = store.add("alice", "Subject: old\r\n\r\nold\r\n");
        advance(DAY);
        MessageInfo recent = store.add("alice", "Subject: recent\r\n\r\nrecent\r\n");
        try (Pop3Server server = start(Retention.afterRetrieval(Duration.ofDays(14))
                .orAfterArrival(Duration.ofDays(90)))) {
            advance(Duration.ofDays(89));
            try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("STAT")).isEqualTo("+OK 1 " + recent.size());
                assertThat(capa(client)).contains("EXPIRE 14");
            }
        }
        assertThat(store.messages("alice")).doesNotContain(old).containsExactly(recent);
    }

    @Nested
    class PerMailbox {

        final Retention minimum = Retention.afterRetrieval(Duration.ofDays(7));

        Pop3Server start(Map<String, Retention> policies) throws IOException {
            return TestServers.start(TestServers.builder(store).clock(clock).retention(minimum, policies::get));
        }

        @Test
        void capaAnnouncesTheMinimumWithUserBeforeLoginAndTheMailboxesOwnValueAfter() throws IOException {
            try (Pop3Server server = start(Map.of("alice", Retention.afterRetrieval(Duration.ofDays(30))))) {
                try (WireClient client = WireClient.connect(server)) {
                    client.greeting();
                    assertThat(capa(client)).contains("EXPIRE 7 USER");
                    assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                    assertThat(capa(client)).contains("EXPIRE 30").doesNotContain("EXPIRE 7 USER");
                }
                try (WireClient client = WireClient.loggedIn(server, "bob", "hunter2")) {
                    assertThat(capa(client)).as("no policy of its own: the minimum").contains("EXPIRE 7");
                }
            }
        }

        @Test
        void aMailboxPolicyShorterThanTheAnnouncedMinimumIsNotApplied() throws IOException {
            MessageInfo message = store.add("alice", "Subject: a\r\n\r\na\r\n");
            try (Pop3Server server = start(Map.of("alice", Retention.afterRetrieval(DAY)))) {
                retrieve(server, 1);
                advance(Duration.ofDays(3));
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("STAT")).isEqualTo("+OK 1 " + message.size());
                    assertThat(capa(client)).contains("EXPIRE 7");
                    assertThat(client.send("QUIT")).startsWith("+OK");
                }
                advance(Duration.ofDays(4));
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(client.send("STAT")).isEqualTo("+OK 0 0");
                }
            }
        }
    }

    @Nested
    class StoreWithoutTimes {

        /** The in-memory store, reporting only the times given. */
        MailboxStore reporting(MailboxStore.MessageTime... times) {
            return new MailboxStore() {
                @Override
                public Maildrop open(String mailbox) throws StoreException {
                    return store.open(mailbox);
                }

                @Override
                public Set<MessageTime> messageTimes() {
                    return Set.of(times);
                }
            };
        }

        @Test
        void aPolicyThatNeedsTimesTheStoreDoesNotReportIsRefusedNamingThem() {
            assertThatIllegalStateException().isThrownBy(() -> TestServers.builder(store).store(reporting())
                    .retention(Retention.afterRetrieval(Duration.ofDays(14))).build())
                    .withMessageContaining("retention").withMessageContaining("FIRST_RETRIEVAL")
                    .withMessageContaining("announce EXPIRE 14 and");
            assertThatIllegalStateException().isThrownBy(() -> TestServers.builder(store)
                    .store(reporting(MailboxStore.MessageTime.FIRST_RETRIEVAL))
                    .retention(Retention.afterRetrieval(DAY).orAfterArrival(Duration.ofDays(90))).build())
                    .withMessageContaining("does not report ([ARRIVAL]");
        }

        @Test
        void removingRetrievedMessagesAtQuitNeedsNoTimes() throws IOException {
            store.add("alice", "Subject: a\r\n\r\na\r\n");
            MessageInfo kept = store.add("alice", "Subject: b\r\n\r\nb\r\n");
            try (Pop3Server server = TestServers.start(TestServers.builder(store).store(reporting()).clock(clock)
                    .retention(Retention.afterRetrieval(Duration.ZERO)))) {
                retrieve(server, 1);
            }
            assertThat(store.messages("alice")).containsExactly(kept);
        }

        @Test
        void aMailboxPolicyThatNeedsTimesTheStoreDoesNotReportFallsBackToTheMinimum() throws IOException {
            MessageInfo message = store.add("alice", "Subject: a\r\n\r\na\r\n");
            Retention own = Retention.afterRetrieval(Duration.ofDays(30)).orAfterArrival(Duration.ofDays(10));
            try (Pop3Server server = TestServers.start(TestServers.builder(store)
                    .store(reporting(MailboxStore.MessageTime.FIRST_RETRIEVAL)).clock(clock)
                    .retention(Retention.afterRetrieval(Duration.ofDays(7)), Map.of("alice", own)::get))) {
                advance(Duration.ofDays(11));
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    assertThat(capa(client)).contains("EXPIRE 7").doesNotContain("EXPIRE 10");
                    assertThat(client.send("STAT")).as("not removed by arrival").isEqualTo("+OK 1 " + message.size());
                }
            }
        }
    }

    @Nested
    class Sweep {

        @Test
        void removesWhatIsDueInAMailboxNobodyHolds() throws Exception {
            store.add("alice", "Subject: a\r\n\r\na\r\n");
            MessageInfo recent;
            try (Pop3Server server = start(Retention.afterArrival(Duration.ofDays(30)))) {
                advance(Duration.ofDays(29));
                recent = store.add("alice", "Subject: b\r\n\r\nb\r\n");
                advance(DAY);
                assertThat(server.expire("alice")).isEqualTo(1);
                assertThat(server.expire("alice")).isZero();
            }
            assertThat(store.messages("alice")).containsExactly(recent);
            assertThat(store.isLocked("alice")).isFalse();
        }

        @Test
        void neverRemovesMailFromAMailboxASessionHolds() throws Exception {
            MessageInfo message = store.add("alice", "Subject: a\r\n\r\na\r\n");
            try (Pop3Server server = start(Retention.afterArrival(DAY))) {
                try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                    advance(Duration.ofDays(2));
                    assertThatThrownBy(() -> server.expire("alice")).isInstanceOf(StoreException.class)
                            .extracting(e -> ((StoreException) e).kind()).isEqualTo(StoreException.Kind.IN_USE);
                    assertThat(store.messages("alice")).containsExactly(message);
                    assertThat(client.send("RETR 1")).startsWith("+OK");
                    client.body();
                }
            }
        }

        @Test
        void needsARetentionPolicy() throws IOException {
            try (Pop3Server server = TestServers.start(TestServers.builder(store))) {
                assertThatIllegalStateException().isThrownBy(() -> server.expire("alice"))
                        .withMessageContaining("retention");
            }
        }
    }

    @Test
    void aStoreThatCannotRemoveExpiredMailStillServesTheMailbox() throws IOException {
        MessageInfo message = store.add("alice", "Subject: a\r\n\r\na\r\n");
        MailboxStore failing = new MailboxStore() {
            @Override
            public Maildrop open(String mailbox) throws StoreException {
                return Intercept.before(Maildrop.class, store.open(mailbox), (method, args) -> {
                    if (method.equals("expire")) {
                        throw new StoreException(StoreException.Kind.TEMPORARY, "disk full");
                    }
                });
            }

            @Override
            public Set<MessageTime> messageTimes() {
                return store.messageTimes();
            }
        };
        try (Pop3Server server = TestServers.start(TestServers.builder(store).store(failing).clock(clock)
                .retention(Retention.afterArrival(DAY)))) {
            advance(Duration.ofDays(2));
            try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("STAT")).isEqualTo("+OK 1 " + message.size());
            }
        }
        assertThat(store.messages("alice")).containsExactly(message);
    }

    @Test
    void expireAndRetentionTogetherAreRefusedNamingBoth() {
        assertThatIllegalStateException().isThrownBy(() -> BuilderTest.valid().expire(Expire.days(3))
                .retention(Retention.afterRetrieval(DAY)).build())
                .withMessageContaining("expire").withMessageContaining("retention");
    }
}
