package dev.poplar.pop3.server;

import dev.poplar.pop3.server.internal.Engine;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RFC 1939 section 3 autologout after login, over a real socket: a session idle after {@code DELE} ends without
 * UPDATE. The builder allows no less than 10 minutes, so the server here runs a copy of its configuration with one
 * second.
 */
class IdleTimeoutWireTest {

    @Test
    void aSessionIdleAfterDeleIsLoggedOutAndDeletesNothing() throws Exception {
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        store.add("alice", "Subject: one\r\n\r\none\r\n");
        store.add("alice", "Subject: two\r\n\r\ntwo\r\n");
        List<MessageInfo> before = store.messages("alice");
        BlockingQueue<Pop3Event> events = new LinkedBlockingQueue<>();
        Engine engine = new Engine(ConfigCopies.withIdleTimeout(
                TestServers.builder(store).observer(events::add).config(), Duration.ofSeconds(1)));
        engine.start();
        try (WireClient client = new WireClient(engine.localAddresses().get(0))) {
            client.greeting();
            assertThat(client.login("alice", "s3cret")).startsWith("+OK maildrop has 2 messages");
            assertThat(client.send("DELE 1")).isEqualTo("+OK message 1 deleted");
            assertThat(client.send("DELE 2")).isEqualTo("+OK message 2 deleted");
            long idleFrom = System.nanoTime();
            assertThat(client.line()).isEqualTo("-ERR autologout: idle for too long");
            assertThat(Duration.ofNanos(System.nanoTime() - idleFrom)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(client.closedByServer()).isTrue();
        } finally {
            engine.close();
        }
        SessionSummary summary = null;
        for (Pop3Event event; summary == null && (event = events.poll(10, TimeUnit.SECONDS)) != null; ) {
            if (event instanceof Pop3Event.ConnectionClosed closed) {
                summary = closed.summary();
            }
        }
        assertThat(summary).isNotNull();
        assertThat(summary.end()).isEqualTo(SessionSummary.EndReason.IDLE_TIMEOUT);
        assertThat(summary.deleted()).isZero();
        assertThat(store.messages("alice")).isEqualTo(before);
        assertThat(store.isLocked("alice")).isFalse();
    }
}
