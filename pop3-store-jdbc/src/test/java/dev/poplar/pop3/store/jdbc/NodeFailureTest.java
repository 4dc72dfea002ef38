package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.io.UncheckedIOException;

import static dev.poplar.pop3.store.jdbc.Contents.failureOf;
import static dev.poplar.pop3.store.jdbc.Contents.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Nodes that die, stall or lose the database: the holds they had, and that they never delete under another's hold. */
@ExtendWith(PostgresExtension.class)
class NodeFailureTest {

    private static final Logger LOG = LoggerFactory.getLogger(NodeFailureTest.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Opens a mailbox as soon as its hold is free; empty while another node holds it. */
    static Optional<Maildrop> openWhenFree(JdbcMailboxStore store, String mailbox) throws StoreException {
        try {
            return Optional.of(store.open(mailbox));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.IN_USE || e.kind() == StoreException.Kind.TEMPORARY) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Nested
    class ANodeKilledWithSigkill {

        @Test
        void releasesItsHoldWhenItsLeaseExpiresAndLosesNoMail(TestSchema db) throws Exception {
            Duration lease = Duration.ofSeconds(4);
            Duration heartbeat = Duration.ofMillis(500);
            JdbcMailboxStore survivor = db.store();
            List<MessageInfo> mail = List.of(survivor.deliver("alice", text("one\n")),
                    survivor.deliver("alice", text("two\n")));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process holder = new ProcessBuilder(java, "-Xmx64m", "-cp", TestClassPath.full(),
                    HolderMain.class.getName(), db.server().jdbcUrl("postgres"), db.name(), "alice",
                    Long.toString(lease.toMillis()), Long.toString(heartbeat.toMillis()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line).isEqualTo("HELD 2");
                assertThat(failureOf(() -> survivor.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);

                long killed = System.nanoTime();
                holder.destroyForcibly();
                assertThat(holder.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                try (Maildrop taken = Poll.until(TIMEOUT, () -> openWhenFree(survivor, "alice"))) {
                    Duration released = Duration.ofNanos(System.nanoTime() - killed);
                    LOG.info("The hold of a node killed with SIGKILL was released after {} ms (lease {} ms,"
                            + " heartbeat {} ms)", released.toMillis(), lease.toMillis(), heartbeat.toMillis());
                    assertThat(released).as("not before the lease could have expired")
                            .isGreaterThanOrEqualTo(lease.minus(heartbeat).minusMillis(200));
                    assertThat(released).as("within the lease and a little").isLessThan(lease.plusSeconds(4));
                    assertThat(taken.messages()).containsExactlyElementsOf(mail);
                }
            } finally {
                holder.destroyForcibly();
            }
        }
    }

    @Nested
    class ANodeCutOffFromTheDatabase {

        /** A node that reaches the database through a link the test can cut, with short time limits. */
        private JdbcMailboxStore nodeBehind(TcpProxy link, TestSchema db, Duration lease, Duration heartbeat)
                throws StoreException {
            return db.build(db.builder("jdbc:postgresql://127.0.0.1:" + link.port() + "/postgres")
                    .statementTimeout(Duration.ofSeconds(1))
                    .connectionTimeout(Duration.ofSeconds(3))
                    .holdLease(lease)
                    .heartbeat(heartbeat));
        }

        @Test
        void failsFastLosesItsHoldAfterTheLeaseAndCannotDeleteWhenItComesBack(TestSchema db) throws Exception {
            JdbcMailboxStore other = db.store();
            MessageInfo first = other.deliver("alice", text("first\n"));
            MessageInfo second = other.deliver("alice", text("second\n"));
            try (TcpProxy link = new TcpProxy(db.server().port())) {
                JdbcMailboxStore cutOff = nodeBehind(link, db, Duration.ofSeconds(2), Duration.ofMillis(400));
                Maildrop stranded = cutOff.open("alice");

                link.partition();
                long start = System.nanoTime();
                assertThat(failureOf(() -> stranded.content(first))).isEqualTo(StoreException.Kind.TEMPORARY);
                Duration failed = Duration.ofNanos(System.nanoTime() - start);
                LOG.info("A read from a node cut off from the database failed after {} ms", failed.toMillis());
                assertThat(failed).as("a time limit, not a hang").isLessThan(Duration.ofSeconds(10));
                assertThat(failureOf(() -> cutOff.open("bob"))).isEqualTo(StoreException.Kind.TEMPORARY);

                long cut = System.nanoTime();
                try (Maildrop taken = Poll.until(TIMEOUT, () -> openWhenFree(other, "alice"))) {
                    LOG.info("The hold of a node cut off from the database was taken over after {} ms (lease 2000 ms)",
                            Duration.ofNanos(System.nanoTime() - cut).toMillis());
                    assertThat(taken.update(Set.of(first), Set.of()).isComplete()).isTrue();
                }

                link.heal();
                assertThat(failureOf(() -> stranded.update(Set.of(second), Set.of())))
                        .as("the stranded session must not delete under another's hold")
                        .isEqualTo(StoreException.Kind.TEMPORARY);
                stranded.close();
                try (Maildrop after = other.open("alice")) {
                    assertThat(after.messages()).containsExactly(second);
                }
                try (Maildrop recovered = Poll.until(TIMEOUT, () -> openWhenFree(cutOff, "alice"))) {
                    assertThat(recovered.messages()).containsExactly(second);
                }
            }
        }

        @Test
        void releasesAHoldItCouldNotReleaseAtCloseAsSoonAsTheDatabaseIsBack(TestSchema db) throws Exception {
            JdbcMailboxStore other = db.store();
            try (TcpProxy link = new TcpProxy(db.server().port())) {
                Duration lease = Duration.ofSeconds(60);
                JdbcMailboxStore node = nodeBehind(link, db, lease, Duration.ofMillis(300));
                Maildrop maildrop = node.open("alice");
                link.partition();
                maildrop.close();
                assertThat(failureOf(() -> other.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                link.heal();
                long healed = System.nanoTime();
                try (Maildrop taken = Poll.until(TIMEOUT, () -> openWhenFree(other, "alice"))) {
                    Duration released = Duration.ofNanos(System.nanoTime() - healed);
                    LOG.info("A hold whose release failed was released {} ms after the database was back",
                            released.toMillis());
                    assertThat(released).as("by a heartbeat, long before the lease ends").isLessThan(lease.dividedBy(3));
                    assertThat(taken.messages()).isEmpty();
                }
            }
        }

        @Test
        void forLessThanItsLeaseKeepsItsHoldAndCarriesOn(TestSchema db) throws Exception {
            JdbcMailboxStore other = db.store();
            MessageInfo first = other.deliver("alice", text("first\n"));
            try (TcpProxy link = new TcpProxy(db.server().port())) {
                JdbcMailboxStore blinking = nodeBehind(link, db, Duration.ofSeconds(10), Duration.ofMillis(500));
                try (Maildrop maildrop = blinking.open("alice")) {
                    link.partition();
                    assertThat(failureOf(() -> maildrop.content(first))).isEqualTo(StoreException.Kind.TEMPORARY);
                    assertThat(failureOf(() -> other.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                    link.heal();
                    assertThat(Contents.read(JdbcMailboxStoreTest.eventually(() -> maildrop.content(first)), 64))
                            .isEqualTo("first\n".getBytes(StandardCharsets.UTF_8));
                    assertThat(failureOf(() -> other.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                    assertThat(JdbcMailboxStoreTest.eventually(() -> maildrop.update(Set.of(first), Set.of()))
                            .isComplete()).isTrue();
                }
            }
            try (Maildrop after = other.open("alice")) {
                assertThat(after.messages()).isEmpty();
            }
        }
    }

    @Nested
    class ANodeThatGaveUpWaitingForTheDatabase {

        /**
         * An application's data source whose role has no {@code statement_timeout}: when the client stops waiting (its
         * network timeout), the server goes on, and may take the hold for a session that was told the open failed.
         * Nobody would release that hold, and the node's heartbeats would keep it alive; the heartbeat removes it.
         */
        @Test
        void releasesAHoldTheServerTookAfterTheOpenFailed(TestSchema db) throws Exception {
            PGSimpleDataSource source = new PGSimpleDataSource();
            source.setUrl(db.server().jdbcUrl("postgres"));
            source.setUser(PostgresServer.SUPERUSER);
            JdbcMailboxStore store = db.build(JdbcMailboxStore.builder(source).schema(db.name())
                    .statementTimeout(Duration.ofSeconds(1)).heartbeat(Duration.ofMillis(200)));
            store.open("alice").close();

            try (Connection locker = db.connect()) {
                locker.setAutoCommit(false);
                try (Statement lock = locker.createStatement()) {
                    lock.execute("SELECT id FROM " + db.table("mailbox") + " WHERE name = 'alice' FOR UPDATE");
                }
                assertThat(Contents.failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.TEMPORARY);
                locker.rollback();
            }

            try (Maildrop maildrop = Poll.until(TIMEOUT, () -> openWhenFree(store, "alice"))) {
                assertThat(maildrop.messages()).isEmpty();
            }
        }
    }
}
