package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A login whose open the store refuses as in use, while the session of this server that held the mailbox releases
 * it before the login hears of the refusal, opens again instead of answering {@code [IN-USE]}.
 */
class ReleaseDuringLoginWireTest {

    static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void aHoldReleasedWhileTheStoreRefusedTheOpenIsNotInUse() throws Exception {
        InMemoryMailboxStore memory = new InMemoryMailboxStore();
        memory.add("alice", "Subject: hi\r\n\r\nbody\r\n");
        CountDownLatch refusing = new CountDownLatch(1);
        CountDownLatch firstClosed = new CountDownLatch(1);
        MailboxStore store = new MailboxStore() {
            @Override
            public Maildrop open(String mailbox) throws StoreException {
                try {
                    return memory.open(mailbox);
                } catch (StoreException e) {
                    // Refused: the holder's session ends, and releases the mailbox, before the login hears of it.
                    refusing.countDown();
                    await(firstClosed);
                    throw e;
                }
            }

            @Override
            public boolean mayBlock(Operation operation) {
                // Opening runs on a worker; the release runs as the connection closes, before its event.
                return operation == Operation.OPEN;
            }
        };
        try (Pop3Server server = TestServers.start(TestServers.builder(memory).store(store).observer(event -> {
            if (event instanceof Pop3Event.ConnectionClosed) {
                firstClosed.countDown();
            }
        })); WireClient second = WireClient.connect(server)) {
            WireClient first = WireClient.loggedIn(server, "alice", "s3cret");
            second.greeting();
            assertThat(second.send("USER alice")).startsWith("+OK");
            second.write("PASS s3cret\r\n");
            assertThat(await(refusing)).as("the store refused the second open").isTrue();
            Socket socket = first.socket();
            socket.setSoLinger(true, 0);
            socket.close();
            assertThat(second.line()).startsWith("+OK maildrop has 1 message");
        }
    }
}
