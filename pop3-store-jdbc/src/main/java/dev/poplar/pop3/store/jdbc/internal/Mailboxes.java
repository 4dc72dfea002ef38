package dev.poplar.pop3.store.jdbc.internal;

import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Mailboxes in the database: finding or creating them, opening them under a hold, and delivering into them.
 * Thread-safe.
 */
public final class Mailboxes {

    private final Database database;
    private final Sql sql;
    private final Holds holds;
    private final Listings listings;
    private final Uids uids = new Uids();
    private final boolean createMissing;
    private final long maxMessageSize;

    /**
     * Creates the helper.
     *
     * @param database the database
     * @param sql the statements
     * @param holds the holds of this node
     * @param listings the listings
     * @param createMissing whether a mailbox is created at its first open or delivery
     * @param maxMessageSize the most octets a delivered message may have
     */
    public Mailboxes(Database database, Sql sql, Holds holds, Listings listings, boolean createMissing,
                     long maxMessageSize) {
        this.database = database;
        this.sql = sql;
        this.holds = holds;
        this.listings = listings;
        this.createMissing = createMissing;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Takes the hold on a mailbox and lists it.
     *
     * @param mailbox a valid mailbox name
     * @return the maildrop
     * @throws StoreException {@link StoreException.Kind#IN_USE} if held, {@link StoreException.Kind#PERMANENT} if the
     *     mailbox does not exist and may not be created, {@link StoreException.Kind#TEMPORARY} if the database fails
     */
    public Maildrop open(String mailbox) throws StoreException {
        return database.call("open mailbox " + mailbox, connection -> {
            long mailboxId = id(connection, mailbox);
            Holds.Hold hold = holds.acquire(connection, mailboxId, mailbox);
            try {
                return new JdbcMaildrop(database, sql, listings, hold, mailboxId, mailbox,
                        listings.list(connection, mailboxId));
            } catch (SQLException | RuntimeException e) {
                hold.release();
                throw e;
            }
        });
    }

    /**
     * Delivers one message in one transaction: the message row, its chunks as the stream is read, then its size.
     *
     * @param mailbox a valid mailbox name
     * @param message the octets, read to the end
     * @return the new message
     * @throws IOException if reading the message fails; nothing is delivered
     * @throws StoreException {@link StoreException.Kind#PERMANENT} if the mailbox does not exist and may not be
     *     created or the message is too large, {@link StoreException.Kind#TEMPORARY} if the database fails; nothing
     *     is delivered
     */
    public MessageInfo deliver(String mailbox, InputStream message) throws IOException, StoreException {
        String what = "deliver to mailbox " + mailbox;
        try {
            return database.call(what, connection -> {
                // In auto-commit first: a new mailbox must not stay locked by this delivery's long transaction.
                long mailboxId = id(connection, mailbox);
                return Database.inTransaction(connection, c -> store(c, mailboxId, message));
            });
        } catch (Chunks.DatabaseFailure e) {
            throw Database.failure(what, e.sqlException());
        } catch (Chunks.TooLarge e) {
            throw new StoreException(StoreException.Kind.PERMANENT, "cannot " + what + ": " + e.getMessage(), e);
        }
    }

    private MessageInfo store(Connection connection, long mailboxId, InputStream message)
            throws SQLException, IOException {
        String uid = uids.next();
        long messageId;
        try (PreparedStatement insert = connection.prepareStatement(sql.insertMessage)) {
            insert.setLong(1, mailboxId);
            insert.setString(2, uid);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                messageId = row.getLong(1);
            }
        }
        ContentFacts facts;
        long octets;
        try (PreparedStatement insert = connection.prepareStatement(sql.insertChunk)) {
            Chunks chunks = new Chunks(insert, messageId, maxMessageSize);
            facts = ContentFacts.copy(message, chunks);
            octets = chunks.finish();
        }
        try (PreparedStatement complete = connection.prepareStatement(sql.completeMessage)) {
            complete.setLong(1, facts.size());
            complete.setLong(2, octets);
            complete.setBoolean(3, facts.wireReady());
            complete.setLong(4, messageId);
            complete.executeUpdate();
        }
        // Last, so that concurrent deliveries to the mailbox wait for each other only while committing.
        try (PreparedStatement count = connection.prepareStatement(sql.countDelivery)) {
            count.setLong(1, mailboxId);
            count.executeUpdate();
        }
        return new MessageInfo(uid, facts.size(), new StoredMessage(messageId, octets, facts.wireReady()));
    }

    /** The id of a mailbox, created if missing and allowed. */
    private long id(Connection connection, String mailbox) throws SQLException, StoreException {
        Long id = find(connection, sql.findMailbox, mailbox);
        if (id == null && createMissing) {
            id = find(connection, sql.createMailbox, mailbox);
            if (id == null) {
                id = find(connection, sql.findMailbox, mailbox);
            }
        }
        if (id == null) {
            throw new StoreException(StoreException.Kind.PERMANENT, "mailbox " + mailbox + " does not exist");
        }
        return id;
    }

    private static Long find(Connection connection, String query, String mailbox) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setString(1, mailbox);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getLong(1) : null;
            }
        }
    }
}
