package dev.poplar.pop3.server;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.StoreException;

import java.io.IOException;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that drops its connection and logs in again at once (a phone changing networks) must not get
 * {@code [IN-USE]} because the server has not yet processed the old connection's close.
 */
class ReconnectWireTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A store whose release takes a while, as a lock file's removal and sync on a busy disk does. */
    static MailboxStore slowToRelease(MailboxStore store) {
        return new MailboxStore() {
            @Override
            public Maildrop open(String mailbox) throws StoreException {
                return new ForwardingMaildrop(store.open(mailbox)) {
                    @Override
                    public void close() {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        inner.close();
                    }
                };
            }
        };
    }

    @Test
    void aLoginRightAfterADroppedSessionIsNotInUse() throws IOException {
        store.add("alice", "Subject: hi\r\n\r\nbody\r\n");
        server = TestServers.start(TestServers.builder(store).store(slowToRelease(store)));
        for (int i = 0; i < 50; i++) {
            WireClient client = WireClient.connect(server);
            client.greeting();
            assertThat(client.login("alice", "s3cret")).as("login %d", i).startsWith("+OK");
            client.write("BOGUS\r\n");
            Socket socket = client.socket();
            socket.setSoLinger(true, 0);
            socket.close();
        }
        try (WireClient last = WireClient.connect(server)) {
            last.greeting();
            assertThat(last.login("alice", "s3cret")).startsWith("+OK maildrop has 1 message");
        }
    }

    @Test
    void theMailboxIsReleasedBeforeTheAnswerToQuitEvenWhenNothingWasDeleted() throws IOException {
        store.add("alice", "Subject: hi\r\n\r\nbody\r\n");
        server = TestServers.start(TestServers.builder(store).store(slowToRelease(store)));
        for (int i = 0; i < 5; i++) {
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                assertThat(client.send("QUIT")).startsWith("+OK");
                // RFC 1939 section 6: the lock is gone by the time the client reads the answer.
                assertThat(store.isLocked("alice")).as("locked after QUIT %d", i).isFalse();
            }
        }
    }

    @Test
    void aMailboxHeldByALiveSessionIsStillInUse() throws IOException {
        server = TestServers.start(TestServers.builder(store));
        try (WireClient first = WireClient.connect(server); WireClient second = WireClient.connect(server)) {
            first.greeting();
            second.greeting();
            assertThat(first.login("alice", "s3cret")).startsWith("+OK");
            second.send("USER alice");
            assertThat(second.send("PASS s3cret")).startsWith("-ERR [IN-USE]");
            assertThat(first.send("NOOP")).isEqualTo("+OK");
        }
    }
}
