package dev.poplar.pop3.store.jdbc.internal;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One session's hold on a mailbox in the database: the listing taken at open, content read in chunks, and the update
 * at {@code QUIT} in one transaction.
 *
 * <p>Message times for a retention policy are the {@code delivered} and {@code retrieved} columns, read in one query at
 * the first question (only a server with a retention policy asks); {@code retrieved} is set by the first update that
 * retrieved the message, on the database's clock. {@link #expire} deletes in a transaction that checks the hold
 * first, as the update does.
 *
 * <p>The listing is ordered by row id, so a message is found in it by binary search on its handle. The server calls
 * one maildrop from one session at a time, possibly from different threads; the mutating methods are synchronized for
 * visibility.
 */
public final class JdbcMaildrop implements Maildrop {

    /** How many ids one {@code DELETE} or {@code UPDATE} statement names, so that each stays well within its timeout. */
    static final int BATCH = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(JdbcMaildrop.class);
    private static final Comparator<MessageInfo> BY_ID =
            Comparator.comparingLong(m -> m.handle(StoredMessage.class).id());

    private final Database database;
    private final Sql sql;
    private final Listings listings;
    private final Holds.Hold hold;
    private final long mailboxId;
    private final String mailbox;
    private final List<MessageInfo> messages;
    private Listings.Listing listing;
    private Map<Long, Times> times;
    private boolean expired;
    private boolean updated;

    /** When a message arrived, and when it was first retrieved ({@code null} if never). */
    private record Times(Instant delivered, Instant retrieved) {
    }

    /**
     * Creates the maildrop.
     *
     * @param database the database
     * @param sql the statements
     * @param listings the listings, told what this session removed
     * @param hold the hold this maildrop releases on close
     * @param mailboxId the mailbox's row id
     * @param mailbox its name, for messages
     * @param listing the listing taken at open (messages ordered by row id, with {@link StoredMessage} handles)
     */
    public JdbcMaildrop(Database database, Sql sql, Listings listings, Holds.Hold hold, long mailboxId,
                        String mailbox, Listings.Listing listing) {
        this.database = database;
        this.sql = sql;
        this.listings = listings;
        this.hold = hold;
        this.mailboxId = mailboxId;
        this.mailbox = mailbox;
        this.listing = listing;
        this.messages = listing.messages();
    }

    @Override
    public List<MessageInfo> messages() {
        return messages;
    }

    @Override
    public MessageContent content(MessageInfo message) throws StoreException {
        StoredMessage stored = stored(message);
        String what = "read message " + message.uid() + " of mailbox " + mailbox;
        Deque<byte[]> first = database.call(what, connection -> {
            try {
                return ChunkChannel.firstBatch(connection, sql, stored);
            } catch (IOException e) {
                throw new StoreException(StoreException.Kind.PERMANENT, "cannot " + what + ": " + e.getMessage(), e);
            }
        });
        if (first == null) {
            throw new StoreException(StoreException.Kind.GONE, "message " + message.uid() + " of mailbox " + mailbox
                    + " was removed during the session");
        }
        return MessageContent.ofChannel(new ChunkChannel(database, sql, stored, first), stored.wireReady());
    }

    @Override
    public synchronized UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
            throws StoreException {
        if (updated) {
            throw new IllegalStateException("update was already called on this maildrop of " + mailbox);
        }
        updated = true;
        List<Long> deleteIds = ids(deleted);
        List<Long> retrievedIds = new ArrayList<>();
        for (MessageInfo message : retrieved) {
            long id = stored(message).id();
            if (!deleted.contains(message)) {
                retrievedIds.add(id);
            }
        }
        if (deleteIds.isEmpty() && retrievedIds.isEmpty()) {
            return UpdateResult.complete();
        }
        hold.checkNotLost();
        long removedNow = database.transaction("update mailbox " + mailbox + " (" + deleteIds.size() + " deleted)",
                connection -> {
                    hold.verify(connection);
                    // A message someone else removed meanwhile is gone, as the client asked: it counts as removed.
                    inBatches(connection, sql.deleteMessages, deleteIds);
                    inBatches(connection, sql.markRetrieved, retrievedIds);
                    return deleteIds.isEmpty() ? -1 : countRemoval(connection);
                });
        if (removedNow >= 0 && listing != null) {
            listings.removed(mailboxId, listing, Set.copyOf(deleteIds), removedNow);
        }
        return UpdateResult.complete();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Deletes the messages in one transaction that first checks and locks this session's hold: all or nothing.
     */
    @Override
    public synchronized UpdateResult expire(Set<MessageInfo> expire) throws StoreException {
        if (expired || updated) {
            throw new IllegalStateException("expire is called once, before update, on a maildrop of " + mailbox);
        }
        expired = true;
        List<Long> ids = ids(expire);
        if (ids.isEmpty()) {
            return UpdateResult.complete();
        }
        hold.checkNotLost();
        long removedNow = database.transaction("expire " + ids.size() + " messages of mailbox " + mailbox,
                connection -> {
                    hold.verify(connection);
                    inBatches(connection, sql.deleteMessages, ids);
                    return countRemoval(connection);
                });
        // The update, if any, removes from what is left: its listing for the cache starts from this one.
        listing = listings.removed(mailboxId, listing, Set.copyOf(ids), removedNow);
        return UpdateResult.complete();
    }

    /**
     * {@inheritDoc}
     *
     * @return the {@code delivered} column
     */
    @Override
    public synchronized Optional<Instant> arrived(MessageInfo message) {
        Times known = times().get(stored(message).id());
        return known == null ? Optional.empty() : Optional.of(known.delivered());
    }

    /**
     * {@inheritDoc}
     *
     * @return the {@code retrieved} column
     */
    @Override
    public synchronized Optional<Instant> firstRetrieved(MessageInfo message) {
        Times known = times().get(stored(message).id());
        return known == null ? Optional.empty() : Optional.ofNullable(known.retrieved());
    }

    /** The times of the listed messages, read once; none if the database fails (then nothing expires now). */
    private Map<Long, Times> times() {
        if (times == null) {
            try {
                times = database.call("read the message times of mailbox " + mailbox, this::readTimes);
            } catch (StoreException e) {
                LOG.warn("No message of mailbox {} expires in this session: {}", mailbox, e.getMessage());
                times = Map.of();
            }
        }
        return times;
    }

    private Map<Long, Times> readTimes(Connection connection) throws SQLException {
        Map<Long, Times> read = new HashMap<>();
        if (messages.isEmpty()) {
            return read;
        }
        long lastId = stored(messages.get(messages.size() - 1)).id();
        try (PreparedStatement statement = connection.prepareStatement(sql.messageTimes)) {
            statement.setLong(1, mailboxId);
            statement.setLong(2, lastId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    OffsetDateTime retrieved = rows.getObject(3, OffsetDateTime.class);
                    read.put(rows.getLong(1), new Times(rows.getObject(2, OffsetDateTime.class).toInstant(),
                            retrieved == null ? null : retrieved.toInstant()));
                }
            }
        }
        return read;
    }

    private long countRemoval(Connection connection) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement(sql.countRemoval)) {
            count.setLong(1, mailboxId);
            try (ResultSet row = count.executeQuery()) {
                if (!row.next()) {
                    throw new SQLException("mailbox " + mailbox + " has disappeared");
                }
                return row.getLong(1);
            }
        }
    }

    private void inBatches(Connection connection, String statementSql, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(statementSql)) {
            for (int from = 0; from < ids.size(); from += BATCH) {
                Collection<Long> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
                Array array = connection.createArrayOf("bigint", batch.toArray());
                try {
                    statement.setLong(1, mailboxId);
                    statement.setArray(2, array);
                    statement.executeUpdate();
                } finally {
                    array.free();
                }
            }
        }
    }

    private List<Long> ids(Set<MessageInfo> infos) {
        List<Long> ids = new ArrayList<>(infos.size());
        for (MessageInfo info : infos) {
            ids.add(stored(info).id());
        }
        return ids;
    }

    /** The handle of one of this maildrop's messages. */
    private StoredMessage stored(MessageInfo message) {
        if (message.handle() instanceof StoredMessage) {
            int index = Collections.binarySearch(messages, message, BY_ID);
            if (index >= 0 && messages.get(index).equals(message)) {
                return message.handle(StoredMessage.class);
            }
        }
        throw new IllegalArgumentException("message " + message.uid() + " is not one of this maildrop's");
    }

    @Override
    public void close() {
        hold.release();
    }
}
