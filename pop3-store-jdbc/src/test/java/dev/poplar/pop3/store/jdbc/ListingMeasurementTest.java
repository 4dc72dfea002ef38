package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.jdbc.internal.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opening and listing a mailbox of 100,000 messages in a table of 200,000: the plan must be an index-only scan; the
 * time is logged, not asserted (the machine is shared).
 */
@ExtendWith(PostgresExtension.class)
class ListingMeasurementTest {

    private static final Logger LOG = LoggerFactory.getLogger(ListingMeasurementTest.class);
    private static final int MESSAGES = 100_000;
    private static final int RUNS = 9;

    @Test
    void aMailboxOf100000MessagesAmong200000IsListedFromTheIndexAlone(TestSchema db) throws Exception {
        String database = db.ownDatabase();
        JdbcMailboxStore store = db.build(db.builder(database));
        store.open("big").close();
        long mailboxId = db.number("SELECT id FROM %s.mailbox WHERE name = 'big'");
        db.execute("INSERT INTO %s.message (mailbox_id, uid, pop3_size, octets, wire_ready)"
                + " SELECT ?, substr(md5(g::text), 1, 22), 2000 + g % 5000, 1950 + g % 5000, g % 3 = 0"
                + " FROM generate_series(1, ?) g", mailboxId, MESSAGES);
        // Other mailboxes in the same table, interleaved as deliveries would be, so that the plan is a real one.
        db.execute("INSERT INTO %s.mailbox (name) SELECT 'other-' || g FROM generate_series(1, 1000) g");
        db.execute("INSERT INTO %s.message (mailbox_id, uid, pop3_size, octets, wire_ready)"
                + " SELECT m.id, substr(md5(m.id || '-' || g), 1, 22), 3000, 2950, FALSE"
                + " FROM generate_series(1, 100) g, %s.mailbox m WHERE m.name LIKE 'other-%'");
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            statement.execute("VACUUM ANALYZE " + db.table("message"));
        }
        String plan = plan(db, mailboxId);
        LOG.info("Plan of the listing:\n{}", plan);
        assertThat(plan).contains("Index Only Scan using message_listing").contains("Heap Fetches: 0");

        JdbcMailboxStore uncached = db.build(db.builder(database).listingCache(0));
        long[] full = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            full[i] = openAndList(uncached, MESSAGES);
        }
        long[] cached = new long[RUNS];
        long[] newMail = new long[RUNS];
        openAndList(store, MESSAGES);
        for (int i = 0; i < RUNS; i++) {
            cached[i] = openAndList(store, MESSAGES + i);
            store.deliver("big", new ByteArrayInputStream(("Subject: " + i + "\n\nnew mail\n").getBytes(StandardCharsets.UTF_8)));
            newMail[i] = openAndList(store, MESSAGES + i + 1);
        }
        LOG.info("Open + listing of {} messages (median of {}, min..max): full listing {}, unchanged (cached) {},"
                + " one new message since the cached listing {}", MESSAGES, RUNS, millis(full), millis(cached),
                millis(newMail));
    }

    private static long openAndList(JdbcMailboxStore store, int expected) throws Exception {
        long start = System.nanoTime();
        Maildrop maildrop = store.open("big");
        int count = maildrop.messages().size();
        long elapsed = System.nanoTime() - start;
        maildrop.close();
        assertThat(count).isEqualTo(expected);
        return elapsed;
    }

    private static String millis(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("%.1f ms (%.1f..%.1f)", sorted[sorted.length / 2] / 1e6, sorted[0] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    private static String plan(TestSchema db, long mailboxId) throws Exception {
        try (Connection connection = db.connect();
             PreparedStatement explain = connection.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF) "
                     + new Sql(db.name()).listing)) {
            explain.setLong(1, 0);
            explain.setLong(2, mailboxId);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }
}
