package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class EventsAndShutdownTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final BlockingQueue<Pop3Event> events = new LinkedBlockingQueue<>();

    <T extends Pop3Event> T next(Class<T> type) throws InterruptedException {
        while (true) {
            Pop3Event event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("an event of type %s", type.getSimpleName()).isNotNull();
            if (type.isInstance(event)) {
                return type.cast(event);
            }
        }
    }

    @Nested
    class Events {
        @Test
        void aSessionReportsItsLifeInOrderWithoutSecrets() throws Exception {
            MessageInfo a = store.add("alice", "Subject: a\r\n\r\na\r\n");
            MessageInfo b = store.add("alice", "Subject: b\r\n\r\nb\r\n");
            try (Pop3Server server = TestServers.start(TestServers.builder(store).observer(events::add));
                 WireClient client = WireClient.connect(server)) {
                client.greeting();
                client.login("alice", "wrong");
                client.login("alice", "s3cret");
                client.send("RETR 1");
                client.body();
                client.send("DELE 2");
                client.send("QUIT");
                assertThat(next(Pop3Event.ConnectionOpened.class).client().isLoopback()).isTrue();
                assertThat(next(Pop3Event.CommandCompleted.class).command()).isEqualTo("USER alice");
                Pop3Event.LoginFailed failed = next(Pop3Event.LoginFailed.class);
                assertThat(failed.username()).isEqualTo("alice");
                assertThat(failed.mechanism()).isEqualTo("USER");
                Pop3Event.CommandCompleted pass = next(Pop3Event.CommandCompleted.class);
                assertThat(pass.command()).isEqualTo("PASS ***");
                assertThat(pass.reply()).isEqualTo("-ERR [AUTH] authentication failed");
                Pop3Event.LoginSucceeded login = next(Pop3Event.LoginSucceeded.class);
                assertThat(login.mailbox()).isEqualTo("alice");
                Pop3Event.MessageRetrieved retrieved = next(Pop3Event.MessageRetrieved.class);
                assertThat(retrieved.uid()).isEqualTo(a.uid());
                assertThat(retrieved.octets()).isEqualTo(a.size());
                Pop3Event.MessagesDeleted deleted = next(Pop3Event.MessagesDeleted.class);
                assertThat(deleted.removed()).containsExactly(b.uid());
                assertThat(deleted.notRemoved()).isEmpty();
                Pop3Event.ConnectionClosed closed = next(Pop3Event.ConnectionClosed.class);
                SessionSummary summary = closed.summary();
                assertThat(summary.end()).isEqualTo(SessionSummary.EndReason.QUIT);
                assertThat(summary.user()).contains("alice");
                assertThat(summary.retrieved()).isEqualTo(1);
                assertThat(summary.retrievedOctets()).isEqualTo(a.size());
                assertThat(summary.deleted()).isEqualTo(1);
                assertThat(summary.toString()).contains("user=alice", "end=QUIT", "retr=1/" + a.size(), "del=1");
                assertThat(server.metrics().loginsFailed()).isEqualTo(1);
                assertThat(server.metrics().messagesDeleted()).isEqualTo(1);
            }
        }

        @Test
        void aDroppedConnectionIsReportedAsSuchAndAFailingListenerDoesNotBreakTheSession() throws Exception {
            try (Pop3Server server = TestServers.start(TestServers.builder(store)
                    .observer(e -> {
                        throw new IllegalStateException("listener bug");
                    })
                    .observer(events::add))) {
                try (WireClient client = WireClient.connect(server)) {
                    client.greeting();
                    assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                }
                assertThat(next(Pop3Event.ConnectionClosed.class).summary().end())
                        .isEqualTo(SessionSummary.EndReason.CLIENT_DISCONNECTED);
            }
        }
    }

    @Nested
    class Shutdown {
        @Test
        void closeStopsAcceptingClosesIdleSessionsAfterTheGracePeriodAndReleasesLocks() throws Exception {
            store.add("alice", "Subject: a\r\n\r\na\r\n");
            Pop3Server server = TestServers.start(TestServers.builder(store)
                    .listener(Listener.plain(Ports.privateLoopback(), 0))
                    .shutdownGracePeriod(Duration.ofMillis(300)).observer(events::add));
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                client.login("alice", "s3cret");
                assertThat(client.send("DELE 1")).isEqualTo("+OK message 1 deleted");
                assertThat(store.isLocked("alice")).isTrue();
                long t0 = System.nanoTime();
                server.close();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
                assertThat(client.closedByServer()).isTrue();
                assertThat(store.isLocked("alice")).isFalse();
                assertThat(store.messages("alice")).hasSize(1);
                assertThat(next(Pop3Event.ConnectionClosed.class).summary().end())
                        .isEqualTo(SessionSummary.EndReason.SERVER_STOPPED);
                assertThat(server.openSessions()).isZero();
                Ports.assertNothingListensOn(server.localAddress());
            }
            server.close();
        }

        @Test
        void closeWaitsForASessionThatFinishesWithinTheGracePeriod() throws Exception {
            store.add("alice", "Subject: a\r\n\r\na\r\n");
            CountDownLatch updating = new CountDownLatch(1);
            CountDownLatch finishUpdate = new CountDownLatch(1);
            MailboxStore slowUpdate = mailbox -> new ForwardingMaildrop(store.open(mailbox)) {
                @Override
                public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
                        throws StoreException {
                    updating.countDown();
                    try {
                        assertThat(finishUpdate.await(20, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return inner.update(deleted, retrieved);
                }
            };
            Pop3Server server = TestServers.start(TestServers.builder(store).store(slowUpdate)
                    .shutdownGracePeriod(Duration.ofSeconds(20)).observer(events::add));
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                client.login("alice", "s3cret");
                assertThat(client.send("DELE 1")).isEqualTo("+OK message 1 deleted");
                client.write("QUIT\r\n");
                assertThat(updating.await(10, TimeUnit.SECONDS)).as("QUIT reached the store").isTrue();
                // The session is in UPDATE, held by the store, while close() starts and waits for it.
                Thread closer = new Thread(server::close);
                closer.start();
                Await.until("close() waiting", () -> closer.getState() == Thread.State.WAITING
                        || closer.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10));
                assertThat(closer.isAlive()).isTrue();
                finishUpdate.countDown();
                assertThat(client.line()).isEqualTo("+OK Poplar signing off (1 message deleted)");
                closer.join(10_000);
                assertThat(closer.isAlive()).as("close() returned once the session ended").isFalse();
            }
            assertThat(next(Pop3Event.ConnectionClosed.class).summary().end()).isEqualTo(SessionSummary.EndReason.QUIT);
            assertThat(store.messages("alice")).isEmpty();
        }

        @Test
        void aServerStartsOnlyOnceAndManyRunSideBySide() throws Exception {
            try (Pop3Server one = TestServers.start(TestServers.builder(store));
                 Pop3Server two = TestServers.start(TestServers.builder(new InMemoryMailboxStore()))) {
                assertThat(one.localAddress()).isNotEqualTo(two.localAddress());
                assertThatIllegalStateException().isThrownBy(one::start).withMessageContaining("only once");
            }
        }

        @Test
        void aPortInUseIsReportedWithTheAddressAndNothingStaysBound() throws Exception {
            try (Pop3Server one = TestServers.start(TestServers.builder(store))) {
                int taken = one.localAddress().getPort();
                // The first listener binds the same port on a loopback address of this test's own, which is free;
                // the second conflicts with the running server. Starting fails, and the first must be unbound.
                InetSocketAddress first = new InetSocketAddress(Ports.privateLoopback(), taken);
                Pop3Server two = TestServers.builder(store)
                        .listener(new Listener("first", first, false))
                        .listener(new Listener("second", one.localAddress(), false)).build();
                org.assertj.core.api.Assertions.assertThatThrownBy(two::start).isInstanceOf(IOException.class)
                        .hasMessageContaining("cannot listen on").hasMessageContaining(String.valueOf(taken));
                Ports.assertNothingListensOn(first);
                two.close();
                assertThat(one.openSessions()).isZero();
            }
        }

        @Test
        void localAddressesFollowTheListenerOrder() throws Exception {
            Listener a = Listener.plain("127.0.0.1", 0).named("first");
            Listener b = Listener.plain("127.0.0.1", 0).named("second");
            try (Pop3Server server = TestServers.start(TestServers.builder(store).listener(a).listener(b))) {
                assertThat(server.localAddresses()).hasSize(2);
                assertThat(server.localAddress(a)).isEqualTo(server.localAddresses().get(0));
                assertThat(server.localAddress(b)).isEqualTo(server.localAddresses().get(1));
                assertThat(List.copyOf(server.localAddresses())).doesNotHaveDuplicates();
            }
        }
    }
}
