package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.UpdateResult;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Bandwidth limits as a real client sees them: the time a RETR takes. The limits are a floor on that time (the server
 * never sends faster than a tenth of a second's burst plus the rate allows); the ceilings are loose, for busy machines.
 */
class BandwidthWireTest {

    static final int KIB = 1024;

    /** A message of about {@code octets} octets, CRLF line ends, no line starting with a dot. */
    static byte[] message(int octets) {
        StringBuilder text = new StringBuilder("Subject: large\r\n\r\n");
        while (text.length() < octets) {
            text.append("0123456789".repeat(7)).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The least time {@code octets} can take at a rate, after a burst of a tenth of a second's worth. */
    static Duration floor(long octets, long octetsPerSecond) {
        return Duration.ofNanos((long) ((octets - octetsPerSecond / 10.0) / octetsPerSecond * 0.97 * 1e9));
    }

    /** Sends RETR and reads the whole reply; returns how long it took. */
    static Duration timedRetr(WireClient client, byte[] expected) throws IOException {
        long start = System.nanoTime();
        assertThat(client.send("RETR 1")).startsWith("+OK " + expected.length + " octets");
        assertThat(client.body()).isEqualTo(expected);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Nested
    class PerSession {

        @Test
        void aRetrOf256KibAt128KibPerSecondTakesAboutTwoSeconds() throws IOException {
            InMemoryMailboxStore store = new InMemoryMailboxStore();
            byte[] octets = message(256 * KIB);
            store.add("alice", octets);
            assertRetrTakesItsTime(TestServers.builder(store).bandwidthPerSession(128 * KIB), octets, 128 * KIB);
        }

        @Test
        void aWireReadyFileIsCountedLikeAnyContent(@TempDir Path dir) throws IOException {
            byte[] octets = message(64 * KIB);
            Path file = Files.write(dir.resolve("message"), octets);
            assertRetrTakesItsTime(Pop3Server.builder().store(new FileStore(file, octets.length))
                    .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret"))).bandwidthPerSession(32 * KIB),
                    octets, 32 * KIB);
        }

        private void assertRetrTakesItsTime(Pop3Server.Builder builder, byte[] octets, long octetsPerSecond)
                throws IOException {
            try (Pop3Server server = TestServers.start(builder);
                 WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                assertThat(timedRetr(client, octets)).isGreaterThanOrEqualTo(floor(octets.length, octetsPerSecond))
                        .isLessThan(Duration.ofSeconds(6));
            }
        }

        @Test
        void commandsPipelinedBehindALimitedReplyAreAnsweredAfterItInOrder() throws IOException {
            InMemoryMailboxStore store = new InMemoryMailboxStore();
            byte[] octets = message(8 * KIB);
            store.add("alice", octets);
            try (Pop3Server server = TestServers.start(TestServers.builder(store).bandwidthPerSession(16 * KIB));
                 WireClient client = WireClient.loggedIn(server, "alice", "s3cret")) {
                client.write("RETR 1\r\nNOOP\r\nLIST\r\n");
                assertThat(client.line()).startsWith("+OK " + octets.length);
                assertThat(client.body()).isEqualTo(octets);
                assertThat(client.line()).isEqualTo("+OK");
                assertThat(client.line()).startsWith("+OK 1 messages");
                assertThat(client.lines()).containsExactly("1 " + octets.length);
            }
        }
    }

    @Nested
    class PerUser {

        @Test
        void twoSessionsOfOneUserShareTheUsersRate() throws Exception {
            InMemoryMailboxStore store = new InMemoryMailboxStore();
            byte[] octets = message(128 * KIB);
            store.add("alice-phone", octets);
            store.add("alice-laptop", octets);
            // One user, one mailbox per device: the password names the device.
            try (Pop3Server server = TestServers.start(Pop3Server.builder().store(store)
                    .authenticator((c, i) -> AuthResult.accept(c.username() + "-"
                            + ((Credentials.Password) c).password()))
                    .bandwidthPerUser(128 * KIB))) {
                CompletableFuture<long[]> phone = CompletableFuture.supplyAsync(() -> retrAs(server, "phone",
                        octets));
                CompletableFuture<long[]> laptop = CompletableFuture.supplyAsync(() -> retrAs(server, "laptop",
                        octets));
                long[] phoneTook = phone.get(20, TimeUnit.SECONDS);
                long[] laptopTook = laptop.get(20, TimeUnit.SECONDS);
                // Together 256 KiB at 128 KiB/s: about two seconds from the first RETR to the last octet, however
                // the two start; each alone would have taken one.
                Duration together = Duration.ofNanos(Math.max(phoneTook[1], laptopTook[1])
                        - Math.min(phoneTook[0], laptopTook[0]));
                assertThat(together).isGreaterThanOrEqualTo(floor(2L * octets.length, 128 * KIB))
                        .isLessThan(Duration.ofSeconds(8));
                Duration shorter = Duration.ofNanos(Math.min(phoneTook[1] - phoneTook[0],
                        laptopTook[1] - laptopTook[0]));
                assertThat(shorter).as("both progress together").isGreaterThan(Duration.ofMillis(1300));
            }
        }

        /** Logs in as the device and retrieves message 1; returns when the RETR started and ended (nanoTime). */
        private long[] retrAs(Pop3Server server, String device, byte[] octets) {
            try (WireClient client = WireClient.loggedIn(server, "alice", device)) {
                long start = System.nanoTime();
                Duration took = timedRetr(client, octets);
                return new long[] {start, start + took.toNanos()};
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Test
        void theUsersRateDoesNotApplyBeforeLogin() throws IOException {
            try (Pop3Server server = TestServers.start(TestServers.builder(new InMemoryMailboxStore())
                    .bandwidthPerUser(1024));
                 WireClient client = WireClient.connect(server)) {
                client.greeting();
                long start = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    assertThat(client.send("CAPA")).startsWith("+OK");
                    client.lines();
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            }
        }
    }

    @Test
    void limitsBelowOneKibPerSecondNameTheSetting() {
        assertThatIllegalStateException().isThrownBy(() -> BuilderTest.valid().bandwidthPerSession(1000).build())
                .withMessageContaining("bandwidthPerSession").withMessageContaining("1024");
        assertThatIllegalStateException().isThrownBy(() -> BuilderTest.valid().bandwidthPerUser(-1).build())
                .withMessageContaining("bandwidthPerUser");
        BuilderTest.valid().bandwidthPerSession(0).bandwidthPerUser(50_000).build();
    }

    /** One wire-ready message in a file, served as a file channel: the zero-copy path without a limit. */
    record FileStore(Path file, long size) implements MailboxStore {
        @Override
        public Maildrop open(String mailbox) {
            MessageInfo info = new MessageInfo("file", size);
            return new Maildrop() {
                @Override
                public List<MessageInfo> messages() {
                    return List.of(info);
                }

                @Override
                public MessageContent content(MessageInfo message) throws dev.poplar.pop3.store.StoreException {
                    try {
                        return MessageContent.ofChannel(FileChannel.open(file, StandardOpenOption.READ), true);
                    } catch (IOException e) {
                        throw new dev.poplar.pop3.store.StoreException(
                                dev.poplar.pop3.store.StoreException.Kind.TEMPORARY, "cannot read", e);
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
    }
}
