package dev.poplar.pop3.store.jdbc.internal;

import dev.poplar.pop3.store.MessageInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mailbox listings, with a bounded cache of the large ones.
 *
 * <p>A listing is read in one statement, so in one snapshot, together with the mailbox's two counters: deliveries and
 * removals (each incremented in the transaction that adds or removes messages). A cached listing is reused as it is
 * while both counters are unchanged; when only deliveries were added, only the messages after the cached listing's last
 * id are read, and added to it if their number is exactly the number of new deliveries (a delivery that committed late
 * with a lower id makes the numbers differ, and the mailbox is listed in full). A removal by this node's own session
 * updates the cached listing ({@link #removed}); any other removal lists in full. So an
 * unchanged mailbox of 100,000 messages opens with a statement that returns one row, and one with new mail with a
 * statement that returns the new messages.
 *
 * <p>Only listings of at least {@value #MIN_CACHED} messages are cached (smaller ones are read in about a millisecond);
 * the cache holds at most a given number of messages in all, dropping the least recently used listings. Listings are
 * immutable and shared. Thread-safe.
 */
public final class Listings {

    /** The smallest listing worth caching. */
    public static final int MIN_CACHED = 1_000;

    private static final Comparator<MessageInfo> BY_ID =
            Comparator.comparingLong(m -> m.handle(StoredMessage.class).id());

    private final Sql sql;
    private final long maxCachedMessages;
    private final LinkedHashMap<Long, Listing> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedMessages;

    /**
     * Creates the listings.
     *
     * @param sql the statements
     * @param maxCachedMessages how many messages the cached listings may hold in all; 0 for no cache
     */
    public Listings(Sql sql, long maxCachedMessages) {
        this.sql = sql;
        this.maxCachedMessages = maxCachedMessages;
    }

    /**
     * One listing, read in one snapshot with the mailbox's counters.
     *
     * @param delivered the mailbox's delivery counter then
     * @param removed its removal counter then
     * @param messages the messages, immutable, ordered by row id
     */
    public record Listing(long delivered, long removed, List<MessageInfo> messages) {
        long lastId() {
            return messages.isEmpty() ? 0 : messages.get(messages.size() - 1).handle(StoredMessage.class).id();
        }
    }

    /**
     * The messages of a mailbox now, ordered by row id. Call it while holding the mailbox, so that no session removes
     * messages meanwhile.
     *
     * @param connection a connection
     * @param mailboxId the mailbox
     * @return the listing; its list is possibly shared with later sessions
     * @throws SQLException if the database fails
     */
    public Listing list(Connection connection, long mailboxId) throws SQLException {
        Listing cached = cached(mailboxId);
        Listing current;
        if (cached == null) {
            current = read(connection, mailboxId, 0, null);
        } else {
            current = read(connection, mailboxId, cached.lastId(), cached);
            if (current == null) {
                current = read(connection, mailboxId, 0, null);
            }
        }
        if (current != cached) {
            remember(mailboxId, current);
        }
        return current;
    }

    /**
     * Tells the cache that a session removed messages from the listing it opened with, in a transaction that has
     * committed and that found the removal counter at {@code removedNow}. If that is the next count after the
     * listing's, nobody else removed anything meanwhile: the listing less the removed messages is the mailbox at the
     * listing's delivery count, and is cached as such (mail that arrived meanwhile is added at the next open, as
     * usual). So a large mailbox from which each session deletes a few messages is not listed in full every time.
     *
     * @param mailboxId the mailbox
     * @param before the listing the session opened with
     * @param removedIds the row ids it removed
     * @param removedNow the removal counter its transaction set
     * @return the listing less the removed messages, at {@code removedNow}, if nobody else removed anything meanwhile
     *     (a later removal by the same session may start from it); {@code null} otherwise
     */
    public Listing removed(long mailboxId, Listing before, Set<Long> removedIds, long removedNow) {
        if (removedNow != before.removed + 1) {
            return null;
        }
        List<MessageInfo> kept = new ArrayList<>(before.messages.size());
        for (MessageInfo message : before.messages) {
            if (!removedIds.contains(message.handle(StoredMessage.class).id())) {
                kept.add(message);
            }
        }
        Listing after = new Listing(before.delivered, removedNow, Collections.unmodifiableList(kept));
        if (kept.size() >= MIN_CACHED) {
            remember(mailboxId, after);
        }
        return after;
    }

    /**
     * Reads the counters and the messages after an id; with a cached listing, returns it (extended if possible), or
     * {@code null} if it cannot be extended.
     */
    private Listing read(Connection connection, long mailboxId, long afterId, Listing cached) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.listing)) {
            statement.setLong(1, afterId);
            statement.setLong(2, mailboxId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("mailbox " + mailboxId + " has disappeared");
                }
                long delivered = rows.getLong(1);
                long removed = rows.getLong(2);
                List<MessageInfo> added = new ArrayList<>();
                boolean ordered = true;
                long previous = afterId;
                do {
                    long id = rows.getLong(3);
                    if (!rows.wasNull()) {
                        StoredMessage stored = new StoredMessage(id, rows.getLong(6), rows.getBoolean(7));
                        added.add(new MessageInfo(rows.getString(4), rows.getLong(5), stored));
                        ordered &= id > previous;
                        previous = id;
                    }
                } while (rows.next());
                if (!ordered) {
                    added.sort(BY_ID);
                }
                if (cached == null) {
                    return new Listing(delivered, removed, Collections.unmodifiableList(added));
                }
                if (removed != cached.removed || added.size() != delivered - cached.delivered) {
                    return null;
                }
                if (added.isEmpty()) {
                    return cached;
                }
                List<MessageInfo> all = new ArrayList<>(cached.messages.size() + added.size());
                all.addAll(cached.messages);
                all.addAll(added);
                return new Listing(delivered, removed, Collections.unmodifiableList(all));
            }
        }
    }

    private synchronized Listing cached(long mailboxId) {
        return cache.get(mailboxId);
    }

    private synchronized void remember(long mailboxId, Listing listing) {
        Listing old = cache.remove(mailboxId);
        if (old != null) {
            cachedMessages -= old.messages.size();
        }
        int size = listing.messages.size();
        if (size < MIN_CACHED || size > maxCachedMessages) {
            return;
        }
        cache.put(mailboxId, listing);
        cachedMessages += size;
        Iterator<Map.Entry<Long, Listing>> eldest = cache.entrySet().iterator();
        while (cachedMessages > maxCachedMessages && eldest.hasNext()) {
            cachedMessages -= eldest.next().getValue().messages.size();
            eldest.remove();
        }
    }
}
