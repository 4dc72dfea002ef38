package dev.poplar.pop3.server;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 2449 PIPELINING promises any number of commands in one write: each is answered, in order, and the server's
 * memory stays bounded while the client writes faster than it reads.
 */
class PipeliningWireTest {

    static final int COMMANDS = 100_000;
    static final String MESSAGE = "Subject: hi\r\n\r\n.dot\r\nbody\r\n";

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Writes all commands at once from another thread, as a pipelining client does; returns when written. */
    static CompletableFuture<Void> writeAll(OutputStream out, String prefix, String command) {
        return CompletableFuture.runAsync(() -> {
            StringBuilder all = new StringBuilder(prefix);
            for (int i = 0; i < COMMANDS; i++) {
                all.append(command).append("\r\n");
            }
            try {
                out.write(all.toString().getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Reads one reply per command and checks that each is exactly the expected octets. */
    static void expectRepeated(WireClient client, String reply) throws IOException {
        // A loaded 2-core machine may be slow to move 100,000 replies; a stall is still caught.
        client.timeout(60_000);
        byte[] expected = reply.getBytes(StandardCharsets.US_ASCII);
        byte[] actual = new byte[expected.length];
        for (int i = 0; i < COMMANDS; i++) {
            int n = client.input().readNBytes(actual, 0, actual.length);
            if (n != actual.length || !java.util.Arrays.equals(actual, expected)) {
                assertThat(new String(actual, 0, n, StandardCharsets.US_ASCII)).as("reply %d", i).isEqualTo(reply);
            }
        }
    }

    void assertBounded() {
        assertThat(server.metrics().peakQueuedWriteOctets()).as("octets queued for one connection at most")
                .isLessThan(1024 * 1024);
    }

    @Nested
    class Plain {
        @Test
        void beforeLoginEveryCapaIsAnswered() throws Exception {
            server = TestServers.start(TestServers.builder(store).loginTimeout(Duration.ofMinutes(10)));
            try (WireClient client = WireClient.connect(server)) {
                client.timeout(60_000);
                client.greeting();
                assertThat(client.send("CAPA")).isEqualTo("+OK capability list follows");
                String capa = "+OK capability list follows\r\n" + String.join("\r\n", client.lines()) + "\r\n.\r\n";
                assertThat(capa).contains("PIPELINING");
                CompletableFuture<Void> written = writeAll(client.socket().getOutputStream(), "", "CAPA");
                expectRepeated(client, capa);
                written.get(30, TimeUnit.SECONDS);
                assertThat(client.send("NOOP")).isEqualTo("-ERR command not valid in this state");
            }
            assertBounded();
        }

        @Test
        void afterLoginEveryCommandIsAnsweredInOrder() throws Exception {
            store.add("alice", MESSAGE);
            store.add("alice", MESSAGE + MESSAGE);
            server = TestServers.start(TestServers.builder(store));
            try (WireClient client = WireClient.connect(server)) {
                client.timeout(60_000);
                client.greeting();
                CompletableFuture<Void> written = writeAll(client.socket().getOutputStream(),
                        "USER alice\r\nPASS s3cret\r\n", "LIST 2\r\nUIDL");
                assertThat(client.line()).isEqualTo("+OK send PASS");
                assertThat(client.line()).startsWith("+OK maildrop has 2 messages");
                String uidl = "+OK 2 messages (" + 3 * MESSAGE.length() + " octets)\r\n1 "
                        + store.messages("alice").get(0).uid() + "\r\n2 " + store.messages("alice").get(1).uid()
                        + "\r\n.\r\n";
                expectRepeated(client, "+OK 2 " + 2 * MESSAGE.length() + "\r\n" + uidl);
                written.get(30, TimeUnit.SECONDS);
                assertThat(client.send("QUIT")).startsWith("+OK");
            }
            assertBounded();
        }
    }

    @Nested
    class BehindLargeReplies {
        @Test
        void aCommandPipelinedBehindAMultiChunkRetrIsAnswered() throws Exception {
            String big = "Subject: big\r\n\r\n" + "x".repeat(998) .concat("\r\n").repeat(1000);
            store.add("alice", big);
            server = TestServers.start(TestServers.builder(store));
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                client.login("alice", "s3cret");
                client.write("RETR 1\r\nNOOP\r\nRETR 1\r\nSTAT\r\n");
                assertThat(client.line()).isEqualTo("+OK " + big.length() + " octets");
                assertThat(client.body()).hasSize(big.length());
                assertThat(client.line()).isEqualTo("+OK");
                assertThat(client.line()).isEqualTo("+OK " + big.length() + " octets");
                assertThat(client.body()).hasSize(big.length());
                assertThat(client.line()).isEqualTo("+OK 1 " + big.length());
            }
        }
    }

    @Nested
    class OverTls {
        final TestTls tls = TestTls.create();

        @AfterEach
        void closeTls() {
            tls.server().close();
        }

        @Test
        void everyPipelinedRetrIsAnsweredInOrder() throws Exception {
            store.add("alice", MESSAGE);
            server = TestServers.start(TestServers.builder(store).tls(tls.server().sslContext())
                    .listener(Listener.implicitTls("127.0.0.1", 0)));
            try (SSLSocket socket = tls.connectTls(server.localAddress());
                 WireClient client = new WireClient(socket)) {
                client.timeout(60_000);
                client.greeting();
                CompletableFuture<Void> written = writeAll(socket.getOutputStream(),
                        "USER alice\r\nPASS s3cret\r\n", "RETR 1");
                assertThat(client.line()).isEqualTo("+OK send PASS");
                assertThat(client.line()).startsWith("+OK maildrop has 1 message");
                // Dot-stuffed on the wire: ".dot" goes out as "..dot".
                expectRepeated(client, "+OK " + MESSAGE.length() + " octets\r\n" + MESSAGE.replace("\n.", "\n..")
                        + ".\r\n");
                written.get(60, TimeUnit.SECONDS);
                assertThat(client.send("QUIT")).startsWith("+OK");
            }
            assertBounded();
        }
    }

}
