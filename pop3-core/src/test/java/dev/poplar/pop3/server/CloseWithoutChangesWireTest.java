package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Maildrop#closeMayBlock()}: a store whose updates may block, but whose maildrops say that releasing the hold
 * never does, has a session that changed nothing closed on its network thread; every other case stays on a worker.
 */
class CloseWithoutChangesWireTest {

    /** A store whose every operation may block, over maildrops that record where they were closed and updated. */
    static final class RecordingStore implements MailboxStore {
        final InMemoryMailboxStore memory = new InMemoryMailboxStore();
        final Boolean closeMayBlock;
        final CompletableFuture<String> closedOn = new CompletableFuture<>();
        final CompletableFuture<String> updatedOn = new CompletableFuture<>();

        RecordingStore(Boolean closeMayBlock) {
            this.closeMayBlock = closeMayBlock;
            memory.add("alice", "Subject: one\r\n\r\nbody\r\n");
        }

        @Override
        public Maildrop open(String mailbox) throws StoreException {
            return new ForwardingMaildrop(memory.open(mailbox)) {
                @Override
                public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
                        throws StoreException {
                    updatedOn.complete(Thread.currentThread().getName());
                    return inner.update(deleted, retrieved);
                }

                @Override
                public boolean closeMayBlock() {
                    if (closeMayBlock == null) {
                        throw new IllegalStateException("a store bug");
                    }
                    return closeMayBlock;
                }

                @Override
                public void close() {
                    closedOn.complete(Thread.currentThread().getName());
                    inner.close();
                }
            };
        }

        @Override
        public boolean mayBlock(Operation operation) {
            return true;
        }
    }

    static String closedOn(Boolean closeMayBlock, String... commands) throws Exception {
        RecordingStore store = new RecordingStore(closeMayBlock);
        try (Pop3Server server = TestServers.start(TestServers.builder(store.memory).store(store));
             WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            for (String command : commands) {
                assertThat(client.send(command)).as(command).startsWith("+OK");
            }
            assertThat(client.send("QUIT")).startsWith("+OK");
            String thread = store.closedOn.get(10, TimeUnit.SECONDS);
            assertThat(store.updatedOn).as("update only with changes").isNotDone();
            return thread;
        }
    }

    @Test
    void aSessionThatChangedNothingIsClosedOnItsNetworkThreadWhenTheMaildropSaysClosingNeverBlocks()
            throws Exception {
        assertThat(closedOn(false, "STAT", "UIDL 1", "LIST 1")).startsWith("IoThreadProcessor");
    }

    @Test
    void byDefaultClosingRunsOnAWorker() throws Exception {
        assertThat(closedOn(true, "STAT")).contains("worker");
    }

    @Test
    void aMaildropWhoseAnswerThrowsIsClosedOnAWorker() throws Exception {
        assertThat(closedOn(null, "STAT")).contains("worker");
    }

    @Test
    void anUpdateStillRunsOnAWorker() throws Exception {
        RecordingStore store = new RecordingStore(false);
        try (Pop3Server server = TestServers.start(TestServers.builder(store.memory).store(store));
             WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            assertThat(client.send("DELE 1")).startsWith("+OK");
            assertThat(client.send("QUIT")).startsWith("+OK");
            assertThat(store.updatedOn.get(10, TimeUnit.SECONDS)).contains("worker");
            assertThat(store.closedOn.get(10, TimeUnit.SECONDS)).contains("worker");
        }
        assertThat(store.memory.messages("alice")).isEmpty();
    }

    @Test
    void aDroppedConnectionThatChangedNothingIsClosedOnItsNetworkThreadToo() throws Exception {
        RecordingStore store = new RecordingStore(false);
        try (Pop3Server server = TestServers.start(TestServers.builder(store.memory).store(store))) {
            WireClient client = WireClient.loggedIn(server, "alice", "s3cret");
            assertThat(client.send("DELE 1")).startsWith("+OK");
            client.socket().close();
            assertThat(store.closedOn.get(10, TimeUnit.SECONDS)).startsWith("IoThreadProcessor");
            assertThat(store.updatedOn).isNotDone();
        }
        assertThat(store.memory.messages("alice")).hasSize(1);
    }
}
