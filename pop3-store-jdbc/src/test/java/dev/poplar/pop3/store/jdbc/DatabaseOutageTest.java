package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.io.ByteArrayInputStream;

import static dev.poplar.pop3.store.jdbc.Contents.failureOf;
import static dev.poplar.pop3.store.jdbc.Contents.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The database server stops in the middle of a session and comes back. Runs on a server of its own, since it stops it.
 */
class DatabaseOutageTest {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseOutageTest.class);
    private static final Duration LIMIT = Duration.ofSeconds(10);

    static PostgresServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void everyOperationIsTemporaryWhileTheDatabaseIsDownAndTheSessionCarriesOnWhenItIsBack() throws Exception {
        try (JdbcMailboxStore store = JdbcMailboxStore.builder(server.jdbcUrl("postgres"), PostgresServer.SUPERUSER, "")
                .poolSize(2)
                .connectionTimeout(Duration.ofSeconds(1))
                .statementTimeout(Duration.ofSeconds(2))
                .holdLease(Duration.ofSeconds(20))
                .heartbeat(Duration.ofMillis(500))
                .build()) {
            byte[] big = Contents.patterned(10 * 65_536, 4);
            MessageInfo large = store.deliver("alice", new ByteArrayInputStream(big));
            MessageInfo small = store.deliver("alice", text("small\n"));
            try (Maildrop maildrop = store.open("alice")) {
                MessageContent reading = maildrop.content(large);
                ReadableByteChannel channel = reading.channel();
                assertThat(channel.read(ByteBuffer.allocate(65_536))).isPositive();

                long stopped = System.nanoTime();
                server.stop();
                assertTemporaryInTime(() -> maildrop.content(small));
                assertTemporaryInTime(() -> maildrop.update(Set.of(small), Set.of()));
                assertTemporaryInTime(() -> store.open("bob"));
                assertTemporaryInTime(() -> store.deliver("alice", text("lost?\n")));
                assertThatThrownBy(() -> {
                    while (channel.read(ByteBuffer.allocate(65_536)) >= 0) {
                        // reads what was fetched, then fails to fetch more
                    }
                }).isInstanceOf(IOException.class);
                reading.close();

                server.startAgain();
                MessageContent again = JdbcMailboxStoreTest.eventually(() -> maildrop.content(large));
                LOG.info("The store served again {} ms after the database stopped (outage included)",
                        Duration.ofNanos(System.nanoTime() - stopped).toMillis());
                assertThat(Contents.read(again, 65_536)).isEqualTo(big);
                assertThat(Contents.read(maildrop.content(small), 64)).isEqualTo("small\n".getBytes(StandardCharsets.UTF_8));
            }
            try (Maildrop next = store.open("alice")) {
                assertThat(next.messages()).containsExactly(large, small);
                assertThat(next.update(Set.of(large), Set.of()).isComplete()).isTrue();
            }
            try (Maildrop last = store.open("alice")) {
                assertThat(last.messages()).containsExactly(small);
            }
        }
    }

    private static void assertTemporaryInTime(Contents.StoreCall call) {
        long start = System.nanoTime();
        assertThat(failureOf(call)).isEqualTo(StoreException.Kind.TEMPORARY);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a time limit, not a hang").isLessThan(LIMIT);
    }
}
