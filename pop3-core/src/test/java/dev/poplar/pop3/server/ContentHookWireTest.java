package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The content hook between the store and the client: stamps, refusals, transforms, sizes, threads. */
class ContentHookWireTest {

    static final String PLAIN = "From: a@example.org\r\nSubject: plain\r\n\r\nhello\r\n";
    static final String CONFIDENTIAL = "From: ceo@example.org\nSubject: merger\nSensitivity: Company-Confidential\n\n"
            + ".secret plans\n";

    final InMemoryMailboxStore store = new InMemoryMailboxStore();

    Pop3Server start(ContentHook hook) throws IOException {
        return TestServers.start(TestServers.builder(store).contentHook(hook));
    }

    static String text(byte[] octets) {
        return new String(octets, StandardCharsets.UTF_8);
    }

    @Nested
    class AHeaderStamp {

        @Test
        void namesTheUserAndTheTimeAndEverySizeTheSessionReportsMatchesWhatRetrSends() throws IOException {
            MessageInfo crlf = store.add("alice", PLAIN);
            MessageInfo lf = store.add("alice", "Subject: lf\n\n.dot\nend");
            try (Pop3Server server = start(new ContentHookExamples.RetrievalStamp(Clock.systemUTC()));
                 WireClient client = WireClient.connect(server)) {
                client.greeting();
                String loggedIn = client.login("alice", "s3cret");
                byte[] first = retr(client, 1);
                byte[] second = retr(client, 2);
                assertThat(text(first)).matches("(?s)X-Retrieved-By: alice\r\nX-Retrieved-At: "
                        + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\r\n\\Q" + PLAIN + "\\E");
                assertThat(text(second)).endsWith("Subject: lf\r\n\r\n.dot\r\nend\r\n");
                long total = first.length + second.length;
                assertThat(loggedIn).isEqualTo("+OK maildrop has 2 messages (" + total + " octets)");
                assertThat(client.send("STAT")).isEqualTo("+OK 2 " + total);
                assertThat(client.send("LIST")).startsWith("+OK 2 messages (" + total + " octets)");
                assertThat(client.lines()).containsExactly("1 " + first.length, "2 " + second.length);
                assertThat(client.send("LIST 2")).isEqualTo("+OK 2 " + second.length);
                assertThat(first.length - crlf.size()).isEqualTo(second.length - lf.size());
                assertThat(client.send("TOP 2 0")).startsWith("+OK");
                assertThat(client.lines()).hasSize(4).startsWith("X-Retrieved-By: alice").endsWith("");
            }
        }

        private byte[] retr(WireClient client, int number) throws IOException {
            String status = client.send("RETR " + number);
            byte[] body = client.body();
            assertThat(status).isEqualTo("+OK " + body.length + " octets");
            return body;
        }
    }

    @Nested
    class ARefusal {

        final ContentHook hook = new ContentHookExamples.ConfidentialMail(Set.of("alice"));

        @Test
        void withholdsConfidentialMailFromUsersOutsideTheGroupAndTheSessionGoesOn() throws IOException {
            MessageInfo confidential = store.add("bob", CONFIDENTIAL);
            MessageInfo plain = store.add("bob", PLAIN);
            try (Pop3Server server = start(hook);
                 WireClient client = WireClient.loggedIn(server, "bob", "hunter2")) {
                String refusal = "-ERR [SYS/PERM] message withheld by company policy";
                assertThat(client.send("RETR 1")).isEqualTo(refusal);
                assertThat(client.send("TOP 1 0")).isEqualTo(refusal);
                assertThat(client.send("RETR 2")).startsWith("+OK");
                assertThat(text(client.body())).isEqualTo(PLAIN);
                assertThat(client.send("QUIT")).startsWith("+OK");
            }
            assertThat(store.firstRetrieved("bob", confidential.uid())).as("not retrieved").isEmpty();
            assertThat(store.firstRetrieved("bob", plain.uid())).isPresent();
            assertThat(store.messages("bob")).hasSize(2);
        }

        @Test
        void letsUsersInTheGroupRetrieveIt() throws IOException {
            store.add("alice", CONFIDENTIAL);
            try (Pop3Server server = start(hook);
                 WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("RETR 1")).startsWith("+OK");
                assertThat(text(client.body())).isEqualTo(CONFIDENTIAL.replace("\n", "\r\n"));
            }
        }

        @Test
        void withholdsAMessageWhoseHeaderIsLongerThanTheReadAhead() throws IOException {
            store.add("bob", "X-Padding: " + "p".repeat(MessageHeader.LIMIT) + "\r\n\r\nbody\r\n");
            try (Pop3Server server = start(hook);
                 WireClient client = WireClient.loggedIn(server, "bob", "hunter2")) {
                assertThat(client.send("RETR 1")).startsWith("-ERR [SYS/PERM]");
            }
        }

        @Test
        void putsAFileBackAtItsStartForTheMessagesItPasses(@TempDir Path dir) throws IOException {
            byte[] octets = BandwidthWireTest.message(200 * 1024);
            Path file = Files.write(dir.resolve("message"), octets);
            try (Pop3Server server = TestServers.start(Pop3Server.builder()
                    .store(new BandwidthWireTest.FileStore(file, octets.length))
                    .authenticator((c, i) -> AuthResult.accept(c.username())).contentHook(hook));
                 WireClient client = WireClient.loggedIn(server, "bob", "x")) {
                assertThat(client.send("RETR 1")).isEqualTo("+OK " + octets.length + " octets");
                assertThat(client.body()).isEqualTo(octets);
            }
        }
    }

    @Nested
    class ATransform {

        @Test
        void seesTheMessageInBoundedChunksAndItsDeclaredSizeMatches() throws IOException {
            StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
            while (body.length() < 1024 * 1024) {
                body.append("a line of text\r\n");
            }
            store.add("alice", body.toString());
            String trailer = "-- retrieved by alice\r\n";
            AtomicInteger largestRead = new AtomicInteger();
            ContentHook watermark = new ContentHook() {
                @Override
                public Decision decide(Request request) {
                    return Decision.transform(in -> Channels.newChannel(new SequenceInputStream(
                            Channels.newInputStream(Intercept.before(ReadableByteChannel.class, in, (method, args) -> {
                                if (method.equals("read")) {
                                    largestRead.accumulateAndGet(((ByteBuffer) args[0]).remaining(), Math::max);
                                }
                            })),
                            new ByteArrayInputStream(trailer.getBytes(StandardCharsets.US_ASCII)))));
                }

                @Override
                public long sizeChange(Recipient recipient, MessageInfo message) {
                    return trailer.length();
                }
            };
            try (Pop3Server server = start(watermark);
                 WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("LIST 1")).isEqualTo("+OK 1 " + (body.length() + trailer.length()));
                String status = client.send("RETR 1");
                byte[] received = client.body();
                assertThat(status).isEqualTo("+OK " + received.length + " octets");
                assertThat(text(received)).isEqualTo(body + trailer);
                assertThat(largestRead.get()).isPositive().isLessThanOrEqualTo(64 * 1024);
                assertThat(server.metrics().peakQueuedWriteOctets()).isLessThan(1024 * 1024);
            }
        }
    }

    @Test
    void aHookThatFailsIsAnsweredWithSysTempAndTheSessionGoesOn() throws IOException {
        store.add("alice", PLAIN);
        try (Pop3Server server = start(request -> {
            throw new IllegalStateException("directory down");
        }); WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            assertThat(client.send("RETR 1")).isEqualTo("-ERR [SYS/TEMP] internal server error");
            assertThat(client.send("NOOP")).isEqualTo("+OK");
        }
    }

    @Test
    void aHookThatMayBlockRunsOnAWorkerAndOneThatMayNotOnTheNetworkThread() throws IOException {
        store.add("alice", PLAIN);
        assertThat(decidingThread(true)).contains("worker");
        assertThat(decidingThread(false)).startsWith("IoThreadProcessor");
    }

    private String decidingThread(boolean mayBlock) throws IOException {
        ThreadRecorder hook = new ThreadRecorder(new AtomicReference<>(), mayBlock);
        try (Pop3Server server = start(hook); WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
            assertThat(client.send("RETR 1")).startsWith("+OK");
            client.body();
            assertThat(client.send("QUIT")).startsWith("+OK");
        }
        return hook.thread().get();
    }

    /** Passes every message, noting the thread it decided on. */
    record ThreadRecorder(AtomicReference<String> thread, boolean mayBlock) implements ContentHook {
        @Override
        public Decision decide(Request request) {
            thread.set(Thread.currentThread().getName());
            return Decision.pass();
        }
    }
}
