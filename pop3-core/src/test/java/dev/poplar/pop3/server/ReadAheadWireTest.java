package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that retrieves its messages in order gets each next one read ahead, while it is busy with the last: the
 * store is asked for the content once, before the {@code RETR}, and the client receives exactly the octets it would
 * have without. The server reads a message ahead only where that is safe and bounded.
 *
 * <p>How a test sees a read-ahead: it is made when the I/O thread is next idle, which is before it reads the client's
 * next command. So once the reply to a {@code NOOP} sent after a {@code RETR} is in, the read-ahead has happened or
 * never will.
 */
class ReadAheadWireTest {

    static final String[] MESSAGES = {
        "Subject: one\r\n\r\nfirst\r\n.starts with a dot\r\n",
        "Subject: two\n\n.a dot, LF line ends\n..two dots\nlast line without an end",
        "Subject: three\r\n\r\n" + "0123456789".repeat(700) + "\r\n",
        "Subject: four\r\n\r\n.\r\nfour\r\n",
        "Subject: five\r\n\r\nfive\r\n",
    };

    /**
     * The in-memory store, counting how often each message's content is opened, and noting any call to a maildrop
     * during its update or after its close; content may be said to block, may fail, and updates may be slow.
     */
    static final class CountingStore implements MailboxStore {
        final InMemoryMailboxStore memory = new InMemoryMailboxStore();
        final Map<String, AtomicInteger> opens = new ConcurrentHashMap<>();
        final Map<String, Throwable> failures = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final boolean contentMayBlock;
        volatile boolean updateMayBlock;
        volatile long updateMillis;

        CountingStore(boolean contentMayBlock) {
            this.contentMayBlock = contentMayBlock;
        }

        List<MessageInfo> add(String mailbox, String... messages) {
            List<MessageInfo> added = new ArrayList<>();
            for (String message : messages) {
                added.add(memory.add(mailbox, message));
            }
            return added;
        }

        int opens(MessageInfo message) {
            AtomicInteger count = opens.get(message.uid());
            return count == null ? 0 : count.get();
        }

        @Override
        public Maildrop open(String mailbox) throws StoreException {
            return new ForwardingMaildrop(memory.open(mailbox)) {
                volatile boolean updating;
                volatile boolean closed;

                @Override
                public MessageContent content(MessageInfo message) throws StoreException {
                    if (updating || closed) {
                        violations.add("content(" + message.uid() + ") " + (closed ? "after close" : "during update"));
                    }
                    opens.computeIfAbsent(message.uid(), uid -> new AtomicInteger()).incrementAndGet();
                    Throwable failure = failures.get(message.uid());
                    if (failure instanceof StoreException e) {
                        throw e;
                    }
                    if (failure instanceof Error e) {
                        throw e;
                    }
                    return inner.content(message);
                }

                @Override
                public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
                        throws StoreException {
                    updating = true;
                    try {
                        Thread.sleep(updateMillis);
                        return inner.update(deleted, retrieved);
                    } catch (InterruptedException e) {
                        throw new StoreException(StoreException.Kind.TEMPORARY, "interrupted", e);
                    } finally {
                        updating = false;
                    }
                }

                @Override
                public void close() {
                    closed = true;
                    inner.close();
                }
            };
        }

        @Override
        public boolean mayBlock(Operation operation) {
            return switch (operation) {
                case CONTENT -> contentMayBlock;
                case UPDATE -> updateMayBlock;
                default -> memory.mayBlock(operation);
            };
        }
    }

    CountingStore store = new CountingStore(false);
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    Pop3Server start(Pop3Server.Builder builder) throws IOException {
        server = TestServers.start(builder.store(store));
        return server;
    }

    Pop3Server start() throws IOException {
        return start(TestServers.builder(store.memory));
    }

    /** A message as RFC 1939 counts it: CRLF line ends, a last line ended. */
    static String crlf(String message) {
        String crlf = message.replace("\r\n", "\n").replace("\n", "\r\n");
        return crlf.endsWith("\r\n") ? crlf : crlf + "\r\n";
    }

    /** The octets RFC 1939 prescribes for RETR of a message: CRLF line ends, dot-stuffed, terminated. */
    static String wire(String message) {
        String crlf = crlf(message);
        String stuffed = ("\r\n" + crlf).replace("\r\n.", "\r\n..").substring(2);
        return "+OK " + crlf.length() + " octets\r\n" + stuffed + ".\r\n";
    }

    /** Sends a RETR and reads its whole reply as it came, up to and including the terminator. */
    static String retr(WireClient client, int number) throws IOException {
        client.write("RETR " + number + "\r\n");
        return readReply(client.input());
    }

    static String readReply(InputStream in) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = "\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);
        while (true) {
            int b = in.read();
            assertThat(b).as("the connection closed in the middle of a reply").isNotNegative();
            reply.write(b);
            if (reply.size() == 5 && reply.toString(StandardCharsets.US_ASCII).startsWith("-ERR")) {
                String line = reply.toString(StandardCharsets.US_ASCII);
                while (!line.endsWith("\r\n")) {
                    reply.write(in.read());
                    line = reply.toString(StandardCharsets.US_ASCII);
                }
                return line;
            }
            matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
            if (matched == end.length) {
                return reply.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** RETR of one of {@link #MESSAGES}, which must arrive exactly; then {@link #settle}. */
    static void retrieve(WireClient client, int number) throws IOException {
        assertThat(retr(client, number)).as("RETR %d", number).isEqualTo(wire(MESSAGES[number - 1]));
        settle(client);
    }

    /** Lets the I/O thread have its idle moment: the NOOP is read only after it. */
    static void settle(WireClient client) throws IOException {
        assertThat(client.send("NOOP")).startsWith("+OK");
    }

    @Test
    void eachNextMessageIsOpenedOnceBeforeItsRetrAndSentExactly() throws Exception {
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        start();
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            for (int i = 0; i < MESSAGES.length; i++) {
                assertThat(retr(client, i + 1)).as("RETR %d", i + 1).isEqualTo(wire(MESSAGES[i]));
                settle(client);
                if (i + 1 < MESSAGES.length) {
                    assertThat(store.opens(sent.get(i + 1))).as("message %d read ahead", i + 2).isEqualTo(1);
                }
            }
            assertThat(client.send("QUIT")).startsWith("+OK");
        }
        for (MessageInfo message : sent) {
            assertThat(store.opens(message)).as("opens of %s", message.uid()).isEqualTo(1);
        }
    }

    @Test
    void withReadAheadOffAMessageIsOpenedOnlyForItsRetr() throws Exception {
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        start(TestServers.builder(store.memory).readAheadBuffers(0));
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            retrieve(client, 1);
            assertThat(store.opens(sent.get(1))).isZero();
            assertThat(retr(client, 2)).isEqualTo(wire(MESSAGES[1]));
            assertThat(store.opens(sent.get(1))).isEqualTo(1);
        }
    }

    @Test
    void aClientThatSkipsAroundGetsNoReadAheadUntilItRetrievesInOrderAgain() throws Exception {
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        start();
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            assertThat(retr(client, 1)).isEqualTo(wire(MESSAGES[0]));
            assertThat(retr(client, 3)).as("a message other than the one read ahead").isEqualTo(wire(MESSAGES[2]));
            settle(client);
            assertThat(store.opens(sent.get(1))).as("read ahead after RETR 1, never asked for").isEqualTo(1);
            assertThat(store.opens(sent.get(3))).as("RETR 3 did not follow RETR 2").isZero();
            retrieve(client, 4);
            assertThat(store.opens(sent.get(4))).as("RETR 4 followed RETR 3").isEqualTo(1);
        }
    }

    @Test
    void otherCommandsInBetweenAreAnsweredAsUsualAndTopRereadsTheMessage() throws Exception {
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        start();
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            assertThat(retr(client, 1)).isEqualTo(wire(MESSAGES[0]));
            assertThat(client.send("DELE 2")).startsWith("+OK");
            assertThat(client.send("RETR 2")).isEqualTo("-ERR no such message");
            assertThat(client.send("RSET")).startsWith("+OK");
            assertThat(client.send("LIST 2")).isEqualTo("+OK 2 " + crlf(MESSAGES[1]).length());
            assertThat(client.send("TOP 2 1")).isEqualTo("+OK top of message follows");
            assertThat(client.lines()).containsExactly("Subject: two", "", ".a dot, LF line ends");
            assertThat(retr(client, 2)).isEqualTo(wire(MESSAGES[1]));
            assertThat(store.opens(sent.get(1))).as("read ahead, then read for TOP and for RETR").isEqualTo(3);
        }
    }

    @Test
    void pipelinedRetrsAreEachOpenedOnce() throws Exception {
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        start();
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            client.write("RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 4\r\n");
            for (int i = 0; i < 4; i++) {
                assertThat(readReply(client.input())).as("RETR %d", i + 1).isEqualTo(wire(MESSAGES[i]));
            }
            settle(client);
            for (int i = 0; i < 4; i++) {
                assertThat(store.opens(sent.get(i))).as("opens of message %d", i + 1).isEqualTo(1);
            }
            assertThat(store.opens(sent.get(4))).as("read ahead after the last RETR").isEqualTo(1);
        }
    }

    @Test
    void aMessageTooLargeForOneBufferIsNotReadAhead() throws Exception {
        String large = "Subject: large\r\n\r\n" + ("x".repeat(78) + "\r\n").repeat(1000);
        List<MessageInfo> sent = store.add("alice", MESSAGES[0], large, MESSAGES[4]);
        start();
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            retrieve(client, 1);
            assertThat(store.opens(sent.get(1))).isZero();
            assertThat(retr(client, 2)).isEqualTo(wire(large));
            settle(client);
            assertThat(store.opens(sent.get(2))).as("the small one after it is").isEqualTo(1);
        }
    }

    @Test
    void contentThatMayBlockIsNotReadAhead() throws Exception {
        store = new CountingStore(true);
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        start();
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            retrieve(client, 1);
            assertThat(store.opens(sent.get(1))).isZero();
            assertThat(retr(client, 2)).isEqualTo(wire(MESSAGES[1]));
        }
    }

    @Test
    void underABandwidthLimitNothingIsReadAhead() throws Exception {
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        start(TestServers.builder(store.memory).bandwidthPerSession(10_000_000));
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            retrieve(client, 1);
            assertThat(store.opens(sent.get(1))).isZero();
        }
    }

    @Test
    void theBudgetIsSharedByAllSessionsAndComesBackWhenAReadAheadIsDroppedOrItsSessionEnds() throws Exception {
        List<MessageInfo> alices = store.add("alice", MESSAGES);
        List<MessageInfo> bobs = store.add("bob", MESSAGES);
        start(TestServers.builder(store.memory).readAheadBuffers(1));
        try (WireClient alice = WireClient.loggedIn(server, "alice", "s3cret");
             WireClient bob = WireClient.loggedIn(server, "bob", "hunter2")) {
            retrieve(alice, 1);
            assertThat(store.opens(alices.get(1))).as("alice's read-ahead takes the only buffer").isEqualTo(1);
            retrieve(bob, 1);
            assertThat(store.opens(bobs.get(1))).as("none left for bob").isZero();

            assertThat(alice.send("TOP 1 0")).as("drops alice's read-ahead").startsWith("+OK");
            alice.lines();
            retrieve(bob, 2);
            assertThat(store.opens(bobs.get(2))).as("alice's buffer came back").isEqualTo(1);

            retrieve(alice, 2);
            assertThat(store.opens(alices.get(2))).as("bob holds the buffer now").isZero();
            bob.socket().close();
            Await.until("bob's session ended", () -> server.metrics().openSessions() == 1, Duration.ofSeconds(10));
            retrieve(alice, 3);
            assertThat(store.opens(alices.get(3))).as("bob's buffer came back when his session ended").isEqualTo(1);
        }
    }

    @Test
    void aQuitPipelinedBehindTheRetrLeavesTheMaildropToTheUpdate() throws Exception {
        // Like the Maildir store: content is read on the network thread, the update runs on a worker. The QUIT is
        // already taken when the network thread is next idle, so nothing may be read ahead: the maildrop is the
        // UPDATE's, then closed.
        store.updateMayBlock = true;
        store.updateMillis = 20;
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        start();
        for (int round = 0; round < 20; round++) {
            try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                client.write("RETR 1\r\nQUIT\r\n");
                assertThat(readReply(client.input())).isEqualTo(wire(MESSAGES[0]));
                assertThat(client.line()).startsWith("+OK");
            }
        }
        assertThat(store.violations).isEmpty();
        assertThat(store.opens(sent.get(1))).isZero();
    }

    @Test
    void aReadAheadThatFailsIsNotReportedAndTheRetrSeesTheFailure() throws Exception {
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        store.failures.put(sent.get(1).uid(), new StoreException(StoreException.Kind.TEMPORARY, "disk trouble"));
        List<Pop3Event.StoreCallCompleted> calls = new CopyOnWriteArrayList<>();
        start(TestServers.builder(store.memory).observer(event -> {
            if (event instanceof Pop3Event.StoreCallCompleted call
                    && call.operation() == MailboxStore.Operation.CONTENT) {
                calls.add(call);
            }
        }));
        try (WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            retrieve(client, 1);
            assertThat(store.opens(sent.get(1))).as("tried ahead").isEqualTo(1);
            assertThat(calls).as("only RETR 1's store call").singleElement()
                    .satisfies(call -> assertThat(call.failed()).isFalse());
            assertThat(client.send("RETR 2")).startsWith("-ERR [SYS/TEMP]");
            store.failures.clear();
            retrieve(client, 3);
            retrieve(client, 4);
            assertThat(client.send("TOP 5 0")).as("lets go of message 5, read ahead").startsWith("+OK");
            client.lines();
            assertThat(retr(client, 5)).isEqualTo(wire(MESSAGES[4]));
            assertThat(store.opens(sent.get(4))).as("read ahead, TOP, RETR").isEqualTo(3);
            assertThat(calls).extracting(Pop3Event.StoreCallCompleted::failed)
                    .as("RETR 1, RETR 2 (failed), RETR 3, RETR 4, TOP 5, RETR 5; no read-ahead that went unused")
                    .containsExactly(false, true, false, false, false, false);
            retrieve(client, 1);
            retrieve(client, 2);
            assertThat(retr(client, 3)).as("read ahead, and used").isEqualTo(wire(MESSAGES[2]));
            assertThat(store.opens(sent.get(2))).isEqualTo(2);
            assertThat(calls).as("RETR 3's store call, made ahead, reported once").hasSize(9);
        }
    }

    @Test
    void anErrorThrownByTheStoreWhileReadingAheadLeavesTheServerServing() throws Exception {
        List<MessageInfo> sent = store.add("alice", MESSAGES);
        store.failures.put(sent.get(1).uid(), new AssertionError("a store bug"));
        Pop3Server started = start(TestServers.builder(store.memory).ioThreads(1).readAheadBuffers(1));
        server = null;
        try {
            try (WireClient client = WireClient.loggedIn(started, "alice", "s3cret")) {
                client.timeout(5_000);
                retrieve(client, 1);
                assertThat(store.opens(sent.get(1))).isEqualTo(1);
            }
            store.failures.clear();
            try (WireClient client = WireClient.connect(started)) {
                // The one network thread must still be there: a dead one would greet nobody.
                client.timeout(5_000);
                client.greeting();
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                retrieve(client, 2);
                assertThat(store.opens(sent.get(2))).as("the only permit came back").isEqualTo(1);
            }
        } finally {
            // A server whose network thread died would never finish closing.
            CompletableFuture.runAsync(started::close).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theReadAheadBufferCountIsChecked() {
        for (int wrong : new int[] {-1, 65537}) {
            org.assertj.core.api.Assertions.assertThatIllegalStateException()
                    .isThrownBy(() -> TestServers.builder(store.memory).readAheadBuffers(wrong).build())
                    .withMessageContaining("readAheadBuffers must be 0 (off) to 65536: " + wrong);
        }
    }
}
