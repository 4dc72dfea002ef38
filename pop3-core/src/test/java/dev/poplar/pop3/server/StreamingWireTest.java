package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** RETR streams: bounded memory whatever the size, and a client that goes away loses nothing. */
class StreamingWireTest {

    static final long HUNDRED_MIB = 100L * 1024 * 1024;
    static final byte[] SMALL = "Subject: small\r\n\r\nsmall\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A message generated on the fly: 100-octet LF-terminated lines, some starting with a dot. Never in memory. */
    static final class GeneratedContent implements ReadableByteChannel {
        private final long size;
        private long position;
        private boolean open = true;
        final CountDownLatch closed = new CountDownLatch(1);

        GeneratedContent(long size) {
            this.size = size;
        }

        static byte at(long position) {
            long column = position % 100;
            if (column == 99) {
                return '\n';
            }
            if (column == 0 && (position / 100) % 7 == 0) {
                return '.';
            }
            return (byte) ('a' + (position % 26));
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= size) {
                return -1;
            }
            int n = 0;
            while (dst.hasRemaining() && position < size) {
                dst.put(at(position++));
                n++;
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
            closed.countDown();
        }
    }

    /** A store with one huge generated message per mailbox; counts opens and closes. */
    static final class GeneratedStore implements MailboxStore {
        final AtomicInteger updates = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        volatile GeneratedContent last;
        final long size;

        GeneratedStore(long size) {
            this.size = size;
        }

        long wireSize() {
            // Every LF becomes CRLF; the content ends with LF.
            return size + size / 100;
        }

        @Override
        public Maildrop open(String mailbox) {
            MessageInfo huge = new MessageInfo("huge", wireSize());
            MessageInfo small = new MessageInfo("small", SMALL.length);
            return new Maildrop() {
                @Override
                public List<MessageInfo> messages() {
                    return List.of(huge, small);
                }

                @Override
                public MessageContent content(MessageInfo message) {
                    if (message.equals(small)) {
                        return MessageContent.ofBytes(SMALL, true);
                    }
                    last = new GeneratedContent(size);
                    return MessageContent.ofChannel(last, false);
                }

                @Override
                public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved) {
                    updates.incrementAndGet();
                    return UpdateResult.complete();
                }

                @Override
                public void close() {
                    closes.incrementAndGet();
                }
            };
        }
    }

    /**
     * Reads a generated message's body up to its terminator, checking every octet against the generator
     * (un-stuffing and CRLF on the fly), without holding it.
     *
     * @param in the connection's input, after the status line
     * @param store the store that generated it
     */
    static void readGeneratedBody(InputStream in, GeneratedStore store) throws IOException {
        long size = store.size;
        byte[] buffer = new byte[256 * 1024];
        long received = 0;
        long expectedPosition = 0;
        boolean stuffedPending = false;
        boolean atLineStart = true;
        byte[] tail = new byte[5];
        int tailLength = 0;
        while (true) {
            int n = in.read(buffer);
            assertThat(n).isPositive();
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                received++;
                if (tailLength == 5) {
                    System.arraycopy(tail, 1, tail, 0, 4);
                    tailLength = 4;
                }
                tail[tailLength++] = b;
                if (b == '\r') {
                    continue;
                }
                if (atLineStart && b == '.' && !stuffedPending && expectedPosition < size
                        && GeneratedContent.at(expectedPosition) == '.') {
                    stuffedPending = true;
                    continue;
                }
                stuffedPending = false;
                if (expectedPosition < size) {
                    assertThat(b).as("octet %d", expectedPosition).isEqualTo(GeneratedContent.at(expectedPosition));
                    expectedPosition++;
                }
                atLineStart = b == '\n';
            }
            if (expectedPosition == size && tailLength == 5 && new String(tail, 2, 3).equals(".\r\n")) {
                break;
            }
        }
        assertThat(expectedPosition).isEqualTo(size);
        assertThat(received).isGreaterThan(store.wireSize());
    }

    /**
     * Logs in, retrieves the generated message and checks it, then checks that the server wrote the next chunk only
     * after the previous one was sent: a few chunks at most were ever queued.
     */
    static void retrievesTheWholeMessageWithLittleQueued(Pop3Server server, WireClient client, GeneratedStore store)
            throws IOException {
        client.greeting();
        client.login("alice", "x");
        assertThat(client.send("RETR 1")).isEqualTo("+OK " + store.wireSize() + " octets");
        readGeneratedBody(client.input(), store);
        assertThat(server.metrics().peakQueuedWriteOctets()).isLessThan(1024 * 1024);
        assertThat(client.send("QUIT")).startsWith("+OK");
    }

    /**
     * RETR of a wire-ready file is sent from the file (zero-copy), which stays open until it is written. A client that
     * pipelines RETRs and does not read must not make the server hold a file open per command.
     */
    @Test
    void pipelinedRetrsOfAWireReadyFileHoldOneFileOpenAtATime(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder("Subject: wire-ready\r\n\r\n");
        while (text.length() < 150_000) {
            text.append("0123456789 ".repeat(6)).append("\r\n");
        }
        Path file = Files.writeString(dir.resolve("message"), text, StandardCharsets.US_ASCII);
        byte[] expected = Files.readAllBytes(file);
        MessageInfo message = new MessageInfo("wire-ready", expected.length);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        MailboxStore store = new MailboxStore() {
            @Override
            public Maildrop open(String mailbox) {
                return new Maildrop() {
                    @Override
                    public List<MessageInfo> messages() {
                        return List.of(message);
                    }

                    @Override
                    public MessageContent content(MessageInfo info) throws StoreException {
                        try {
                            FileChannel channel = FileChannel.open(file);
                            peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                            return new MessageContent() {
                                private final AtomicBoolean closed = new AtomicBoolean();

                                @Override
                                public ReadableByteChannel channel() {
                                    return channel;
                                }

                                @Override
                                public boolean wireReady() {
                                    return true;
                                }

                                @Override
                                public void close() throws IOException {
                                    if (closed.compareAndSet(false, true)) {
                                        open.decrementAndGet();
                                    }
                                    channel.close();
                                }
                            };
                        } catch (IOException e) {
                            throw new StoreException(StoreException.Kind.TEMPORARY, e.toString(), e);
                        }
                    }

                    @Override
                    public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved) {
                        return UpdateResult.complete();
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public boolean mayBlock(Operation operation) {
                return false;
            }
        };
        int commands = 200;
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        try (Pop3Server server = TestServers.start(Pop3Server.builder().store(store)
                .authenticator((c, i) -> AuthResult.accept(c.username())));
             WireClient client = new WireClient(connected(socket, server))) {
            client.greeting();
            assertThat(client.login("alice", "x")).startsWith("+OK");

            client.write("RETR 1\r\n".repeat(commands));
            Thread.sleep(500);
            assertThat(peak.get()).as("message files open at once while the client does not read").isEqualTo(1);

            for (int i = 0; i < commands; i++) {
                assertThat(client.line()).isEqualTo("+OK " + expected.length + " octets");
                assertThat(client.input().readNBytes(expected.length)).isEqualTo(expected);
                assertThat(client.line()).isEqualTo(".");
            }
            assertThat(client.send("QUIT")).startsWith("+OK");
        }
        assertThat(open.get()).as("files still open").isZero();
        assertThat(peak.get()).isEqualTo(1);
    }

    private static Socket connected(Socket socket, Pop3Server server) throws IOException {
        socket.connect(server.localAddress(), 5000);
        return socket;
    }

    @Test
    void retrOfA100MibMessageKeepsTheQueuedOutputBounded() throws Exception {
        GeneratedStore store = new GeneratedStore(HUNDRED_MIB);
        try (Pop3Server server = TestServers.start(Pop3Server.builder().store(store)
                .authenticator((c, i) -> AuthResult.accept(c.username())));
             WireClient client = WireClient.connect(server)) {
            retrievesTheWholeMessageWithLittleQueued(server, client, store);
        }
    }

    @Test
    void retrOfA100MibMessageOverTlsKeepsTheQueuedOutputBounded() throws Exception {
        GeneratedStore store = new GeneratedStore(HUNDRED_MIB);
        TestTls tls = TestTls.create();
        Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
        try (Pop3Server server = TestServers.start(Pop3Server.builder().store(store)
                .authenticator((c, i) -> AuthResult.accept(c.username())).tls(tls.server()).listener(pop3s));
             WireClient client = new WireClient(tls.connectTls(server.localAddress(pop3s)))) {
            // Over TLS, the encrypted records are what is queued.
            retrievesTheWholeMessageWithLittleQueued(server, client, store);
        }
    }

    @Test
    void aClientThatDisconnectsInTheMiddleOfRetrDeletesNothingAndTheServerGoesOn() throws Exception {
        GeneratedStore store = new GeneratedStore(20L * 1024 * 1024);
        try (Pop3Server server = TestServers.start(Pop3Server.builder().store(store)
                .authenticator((c, i) -> AuthResult.accept(c.username())))) {
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                client.login("alice", "x");
                assertThat(client.send("DELE 2")).isEqualTo("+OK message 2 deleted");
                client.write("RETR 1\r\n");
                // Read a little of the message, then drop the connection.
                client.input().readNBytes(64 * 1024);
            }
            assertThat(store.last.closed.await(10, TimeUnit.SECONDS)).as("content closed").isTrue();
            Await.until("the maildrop released", () -> store.closes.get() == 1, java.time.Duration.ofSeconds(10));
            assertThat(store.updates.get()).as("nothing deleted").isZero();
            try (WireClient next = WireClient.connect(server)) {
                next.greeting();
                assertThat(next.login("bob", "x")).startsWith("+OK");
                assertThat(next.send("STAT")).isEqualTo("+OK 2 " + (store.wireSize() + SMALL.length));
            }
            assertThat(server.metrics().messagesRetrieved()).isZero();
        }
    }
}
