package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** A failing store never breaks the server: each failure has its response code and nothing is lost. */
class StoreFailuresWireTest {

    static final MessageInfo A = new MessageInfo("a", 10);
    static final MessageInfo B = new MessageInfo("b", 10);

    /** A store whose behaviour each test scripts. */
    static final class ScriptedStore implements MailboxStore {
        volatile StoreException openFailure;
        volatile Function<Set<MessageInfo>, UpdateResult> update = d -> UpdateResult.complete();
        volatile StoreException updateFailure;
        volatile StoreException contentFailure;
        volatile long contentBreaksAfter = -1;
        final AtomicInteger closes = new AtomicInteger();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public Maildrop open(String mailbox) throws StoreException {
            threads.add(Thread.currentThread().getName());
            if (openFailure != null) {
                throw openFailure;
            }
            return new Maildrop() {
                @Override
                public List<MessageInfo> messages() {
                    return List.of(A, B);
                }

                @Override
                public MessageContent content(MessageInfo message) throws StoreException {
                    if (contentFailure != null) {
                        throw contentFailure;
                    }
                    if (contentBreaksAfter >= 0) {
                        return MessageContent.ofChannel(new ReadableByteChannel() {
                            long sent;

                            @Override
                            public int read(ByteBuffer dst) throws IOException {
                                if (sent >= contentBreaksAfter) {
                                    throw new IOException("disk on fire");
                                }
                                int n = (int) Math.min(dst.remaining(), contentBreaksAfter - sent);
                                for (int i = 0; i < n; i++) {
                                    dst.put((byte) (i % 80 == 79 ? '\n' : 'x'));
                                }
                                sent += n;
                                return n;
                            }

                            @Override
                            public boolean isOpen() {
                                return true;
                            }

                            @Override
                            public void close() {
                            }
                        }, false);
                    }
                    return MessageContent.ofBytes("123456789\n".getBytes(), false);
                }

                @Override
                public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
                        throws StoreException {
                    if (updateFailure != null) {
                        throw updateFailure;
                    }
                    return update.apply(deleted);
                }

                @Override
                public void close() {
                    closes.incrementAndGet();
                }
            };
        }
    }

    final ScriptedStore store = new ScriptedStore();

    Pop3Server start() throws IOException {
        return TestServers.start(Pop3Server.builder().store(store)
                .authenticator((c, i) -> AuthResult.accept(c.username()))
                .shutdownGracePeriod(java.time.Duration.ofMillis(100)));
    }

    WireClient login(Pop3Server server) throws IOException {
        WireClient client = WireClient.connect(server);
        client.greeting();
        assertThat(client.login("alice", "x")).startsWith("+OK");
        return client;
    }

    void awaitCloses(int expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (store.closes.get() < expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(store.closes.get()).isEqualTo(expected);
    }

    @Test
    void aTemporaryFailureToOpenIsSysTempAndTheClientMayTryAgain() throws IOException {
        store.openFailure = new StoreException(StoreException.Kind.TEMPORARY, "NFS server not responding");
        try (Pop3Server server = start(); WireClient client = WireClient.connect(server)) {
            client.greeting();
            assertThat(client.login("alice", "x"))
                    .isEqualTo("-ERR [SYS/TEMP] mailbox temporarily unavailable, try again later");
            store.openFailure = null;
            assertThat(client.login("alice", "x")).startsWith("+OK");
            assertThat(store.threads).allMatch(name -> name.startsWith("poplar-") && name.contains("-worker-"));
        }
    }

    @Test
    void aPermanentFailureIsSysPermAndAThrowingStoreIsSysTempWithoutItsText() throws IOException {
        store.openFailure = new StoreException(StoreException.Kind.PERMANENT, "mailbox corrupt at /var/mail/x");
        try (Pop3Server server = start(); WireClient client = WireClient.connect(server)) {
            client.greeting();
            assertThat(client.login("alice", "x"))
                    .isEqualTo("-ERR [SYS/PERM] mailbox unavailable, contact the administrator");
        }
    }

    @Test
    void aFailedUpdateAnswersQuitWithSysTempAndStillReleasesTheMaildrop() throws IOException {
        store.updateFailure = new StoreException(StoreException.Kind.TEMPORARY, "read-only file system");
        try (Pop3Server server = start(); WireClient client = login(server)) {
            client.send("DELE 1");
            assertThat(client.send("QUIT")).isEqualTo("-ERR [SYS/TEMP] some deleted messages not removed (1 of 1)");
            assertThat(client.closedByServer()).isTrue();
            awaitCloses(1);
        }
    }

    @Test
    void aPartialUpdateSaysHowManyStayed() throws IOException {
        store.update = deleted -> UpdateResult.partial(Set.of(B));
        try (Pop3Server server = start(); WireClient client = login(server)) {
            client.send("DELE 1");
            client.send("DELE 2");
            assertThat(client.send("QUIT")).isEqualTo("-ERR [SYS/TEMP] some deleted messages not removed (1 of 2)");
        }
    }

    @Test
    void anUnreadableMessageIsSysTempAndTheSessionGoesOn() throws IOException {
        store.contentFailure = new StoreException(StoreException.Kind.TEMPORARY, "EIO");
        try (Pop3Server server = start(); WireClient client = login(server)) {
            assertThat(client.send("RETR 1")).isEqualTo(
                    "-ERR [SYS/TEMP] mailbox temporarily unavailable, try again later");
            assertThat(client.send("NOOP")).isEqualTo("+OK");
        }
    }

    @Test
    void contentThatFailsBeforeAnythingWasSentIsSysTempAndTheSessionGoesOn() throws IOException {
        store.contentBreaksAfter = 100;
        try (Pop3Server server = start(); WireClient client = login(server)) {
            assertThat(client.send("RETR 1")).isEqualTo(
                    "-ERR [SYS/TEMP] mailbox temporarily unavailable, try again later");
            assertThat(client.send("NOOP")).isEqualTo("+OK");
        }
    }

    @Test
    void contentThatFailsAfterPartWasSentClosesTheConnectionAndDeletesNothing() throws IOException {
        AtomicInteger updates = new AtomicInteger();
        store.update = d -> {
            updates.incrementAndGet();
            return UpdateResult.complete();
        };
        store.contentBreaksAfter = 1024 * 1024;
        try (Pop3Server server = start(); WireClient client = login(server)) {
            client.send("DELE 2");
            client.write("RETR 1\r\n");
            assertThat(client.line()).startsWith("+OK");
            // The server closes the connection: the client sees a truncated reply, never a complete one.
            byte[] rest = client.input().readAllBytes();
            assertThat(rest.length).isLessThan(1024 * 1024 + 1024 * 1024 / 80);
            assertThat(new String(rest, java.nio.charset.StandardCharsets.US_ASCII)).doesNotEndWith("\r\n.\r\n");
            awaitCloses(1);
            assertThat(updates.get()).isZero();
            try (WireClient next = login(server)) {
                assertThat(next.send("STAT")).startsWith("+OK 2");
            }
        }
    }
}
