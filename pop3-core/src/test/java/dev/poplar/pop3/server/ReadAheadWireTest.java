package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
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
import java.util.concurrent.ConcurrentHashMap;
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

    /** The in-memory store, counting how often each message's content is opened; content may be said to block. */
    static final class CountingStore implements MailboxStore {
        final InMemoryMailboxStore memory = new InMemoryMailboxStore();
        final Map<String, AtomicInteger> opens = new ConcurrentHashMap<>();
        final boolean contentMayBlock;

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
                @Override
                public MessageContent content(MessageInfo message) throws StoreException {
                    opens.computeIfAbsent(message.uid(), uid -> new AtomicInteger()).incrementAndGet();
                    return inner.content(message);
                }
            };
        }

        @Override
        public boolean mayBlock(Operation operation) {
            return operation == Operation.CONTENT ? contentMayBlock : memory.mayBlock(operation);
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
    void theReadAheadBufferCountIsChecked() {
        for (int wrong : new int[] {-1, 65537}) {
            org.assertj.core.api.Assertions.assertThatIllegalStateException()
                    .isThrownBy(() -> TestServers.builder(store.memory).readAheadBuffers(wrong).build())
                    .withMessageContaining("readAheadBuffers must be 0 (off) to 65536: " + wrong);
        }
    }
}
