package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.server.Retention;
import dev.poplar.pop3.testkit.Pop3Dialog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server over the Maildir store enforces "keep for 14 days after the first retrieval" across a restart: the time
 * recorded at {@code QUIT} is read by a new store and server over the same files.
 */
class MaildirRetentionWireTest {

    @TempDir
    Path root;

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T08:00:00Z"));
    final Clock clock = ((InstantSource) now::get).withZone(ZoneOffset.UTC);

    Pop3Server start(MaildirStore store) throws IOException {
        Pop3Server server = Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))
                .retention(Retention.afterRetrieval(Duration.ofDays(14))).clock(clock)
                .shutdownGracePeriod(Duration.ofMillis(200)).build();
        server.start();
        return server;
    }

    static Pop3Dialog login(Pop3Server server) throws IOException {
        Pop3Dialog client = Pop3Dialog.connect(server.localAddress());
        assertThat(client.greeting()).startsWith("+OK");
        assertThat(client.login("alice", "s3cret")).startsWith("+OK");
        return client;
    }

    @Test
    void aMessageRetrievedBeforeARestartIsRemovedFourteenDaysLaterAndTheOtherStays() throws Exception {
        TestMaildir alice = new TestMaildir(root, "alice");
        String read = alice.deliver("Subject: read\n\nread\n");
        String unread = alice.deliver("Subject: unread\n\nunread\n");
        try (MaildirStore store = MaildirStore.builder(root).clock(clock).build();
             Pop3Server server = start(store);
             Pop3Dialog client = login(server)) {
            assertThat(client.send("CAPA")).startsWith("+OK");
            assertThat(client.readLines()).contains("EXPIRE 14");
            assertThat(client.send("RETR 1")).startsWith("+OK");
            client.readBody();
            assertThat(client.send("QUIT")).startsWith("+OK");
        }
        now.set(now.get().plus(Duration.ofDays(14)).minusSeconds(1));
        try (MaildirStore store = MaildirStore.builder(root).clock(clock).build();
             Pop3Server server = start(store)) {
            try (Pop3Dialog client = login(server)) {
                assertThat(client.send("UIDL")).startsWith("+OK");
                assertThat(client.readLines()).containsExactly("1 " + read, "2 " + unread);
                assertThat(client.send("QUIT")).startsWith("+OK");
            }
            now.set(now.get().plusSeconds(1));
            try (Pop3Dialog client = login(server)) {
                assertThat(client.send("UIDL")).startsWith("+OK");
                assertThat(client.readLines()).containsExactly("1 " + unread);
                assertThat(client.send("QUIT")).startsWith("+OK");
            }
        }
        assertThat(alice.resolve("new/" + read)).doesNotExist();
        assertThat(alice.resolve("new/" + unread)).exists();
    }
}
