package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.StoreException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static dev.poplar.pop3.store.jdbc.Contents.failureOf;
import static dev.poplar.pop3.store.jdbc.Contents.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class JdbcMailboxStoreBuilderTest {

    @Nested
    class Settings {

        /** Builds with one setting changed; never reaches the database. */
        private void assertRejected(UnaryOperator<JdbcMailboxStore.Builder> setting, String named) {
            JdbcMailboxStore.Builder builder = JdbcMailboxStore.builder("jdbc:postgresql://127.0.0.1:1/none", "u", "p");
            assertThatThrownBy(() -> setting.apply(builder).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
        }

        @Test
        void aSchemaNameThatWouldNeedQuotingIsRejected() {
            for (String schema : List.of("", "Upper", "1digit", "with-dash", "a".repeat(64), "x; DROP TABLE y")) {
                assertRejected(b -> b.schema(schema), "schema");
            }
        }

        @Test
        void durationsMustBePositive() {
            assertRejected(b -> b.statementTimeout(Duration.ZERO), "statementTimeout");
            assertRejected(b -> b.holdLease(Duration.ofSeconds(-1)), "holdLease");
            assertRejected(b -> b.heartbeat(Duration.ZERO), "heartbeat");
            assertRejected(b -> b.connectionTimeout(Duration.ofMillis(249)), "connectionTimeout");
        }

        @Test
        void theHeartbeatMustBeAtMostHalfTheLease() {
            assertRejected(b -> b.holdLease(Duration.ofSeconds(3)).heartbeat(Duration.ofMillis(1_501)), "heartbeat");
        }

        @Test
        void sizesMustBeSensible() {
            assertRejected(b -> b.poolSize(1), "poolSize");
            assertRejected(b -> b.maxMessageSize(0), "maxMessageSize");
            assertRejected(b -> b.listingCache(-1), "listingCache");
            assertRejected(b -> b.nodeName(" "), "nodeName");
            assertRejected(b -> b.nodeName("n".repeat(256)), "nodeName");
        }

        @Test
        void poolSettingsAreRefusedForAnApplicationsDataSource() {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            assertThatThrownBy(() -> JdbcMailboxStore.builder(dataSource).poolSize(4).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poolSize");
            assertThatThrownBy(() -> JdbcMailboxStore.builder(dataSource).connectionTimeout(Duration.ofSeconds(1)).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionTimeout");
        }

        @Test
        void nullsAreRefusedNamingTheSetting() {
            assertThatThrownBy(() -> JdbcMailboxStore.builder("jdbc:postgresql://h/d", "u", null).schema(null).build())
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("schema");
            assertThatThrownBy(() -> JdbcMailboxStore.builder(null, "u", "p"))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("jdbcUrl");
        }
    }

    @Nested
    class Starting {

        @Test
        void aDatabaseThatDoesNotAnswerIsTemporaryWithinTheConnectionTimeout() throws Exception {
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            long start = System.nanoTime();
            assertThat(failureOf(() -> JdbcMailboxStore.builder("jdbc:postgresql://127.0.0.1:" + closedPort + "/x",
                    "u", "p").connectionTimeout(Duration.ofSeconds(1)).build())).isEqualTo(StoreException.Kind.TEMPORARY);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }

        @Test
        void withoutMigrationASchemaThatIsNotThereIsPermanent(TestSchema db) {
            assertThat(failureOf(() -> db.builder().migrate(false).build())).isEqualTo(StoreException.Kind.PERMANENT);
        }

        @Test
        void withoutMigrationACurrentSchemaIsUsedAsItIs(TestSchema db) throws Exception {
            db.store().deliver("alice", text("one\n"));
            JdbcMailboxStore unmigrating = db.build(db.builder().migrate(false));
            try (Maildrop maildrop = unmigrating.open("alice")) {
                assertThat(maildrop.messages()).hasSize(1);
            }
        }

        @Test
        void theMigrationRecordsItsVersionInItsOwnHistoryTableAndRunsOnce(TestSchema db) throws Exception {
            db.store();
            db.store();
            assertThat(db.number("SELECT count(*) FROM %s.poplar_schema_history WHERE version = '1' AND success"))
                    .isEqualTo(1);
            assertThat(db.queryOne("SELECT max(version) FROM %s.poplar_schema_history")).isEqualTo("1");
        }

        @Test
        void nodesStartingTogetherOnANewSchemaAllStart(TestSchema db) throws Exception {
            List<CompletableFuture<JdbcMailboxStore>> starts = List.of(
                    CompletableFuture.supplyAsync(() -> build(db)),
                    CompletableFuture.supplyAsync(() -> build(db)),
                    CompletableFuture.supplyAsync(() -> build(db)));
            for (CompletableFuture<JdbcMailboxStore> start : starts) {
                assertThat(start.get(60, TimeUnit.SECONDS).schema()).isEqualTo(db.name());
            }
            assertThat(db.number("SELECT count(*) FROM %s.store_node")).isEqualTo(3);
        }

        private JdbcMailboxStore build(TestSchema db) {
            try {
                return db.store();
            } catch (StoreException e) {
                throw new IllegalStateException(e);
            }
        }

        @Test
        void aStoreOverTheApplicationsDataSourceLeavesItOpen(TestSchema db) throws Exception {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(db.server().jdbcUrl("postgres"));
            dataSource.setUser(PostgresServer.SUPERUSER);
            try (JdbcMailboxStore store = JdbcMailboxStore.builder(dataSource).schema(db.name()).build()) {
                store.deliver("alice", text("one\n"));
                try (Maildrop maildrop = store.open("alice")) {
                    assertThat(maildrop.messages()).hasSize(1);
                }
            }
            try (var connection = dataSource.getConnection()) {
                assertThat(connection.isValid(1)).isTrue();
            }
            assertThat(db.number("SELECT count(*) FROM %s.store_node")).as("the closed store's lease is gone").isZero();
        }
    }
}
