package dev.poplar.pop3.store.jdbc.internal;

/**
 * Every statement the store runs, with its tables qualified by the store's schema. The schema name is checked by the
 * builder (lower-case letters, digits and {@code _}), so it needs no quoting.
 *
 * <p>Interval arithmetic takes milliseconds as a parameter: {@code CURRENT_TIMESTAMP + ? * INTERVAL '0.001' SECOND}
 * keeps every lease decision on the database's clock.
 */
public final class Sql {

    /** Finds a mailbox by name. Parameter: name. Result: id. */
    public final String findMailbox;
    /** Creates a mailbox unless it exists. Parameter: name. Result: id, or no row if it existed. */
    public final String createMailbox;
    /**
     * A mailbox's counters and its messages after a given id, in one snapshot, in no particular order. Parameters:
     * the id after which messages are wanted (0 for all), mailbox id. Result: delivered, removed, then id, uid, POP3
     * size, octets, wire ready (all null in the one row of a mailbox without such messages).
     */
    public final String listing;
    /** Counts a delivery. Parameter: mailbox id. */
    public final String countDelivery;
    /** Counts a removal. Parameter: mailbox id. Result: the new removal count. */
    public final String countRemoval;
    /** Starts a message. Parameters: mailbox id, uid. Result: id. */
    public final String insertMessage;
    /** Completes a message. Parameters: POP3 size, octets, wire ready, id. */
    public final String completeMessage;
    /** Stores one chunk. Parameters: message id, seq, data. */
    public final String insertChunk;
    /** Whether a message exists, with its first chunks. Parameters: first seq after the batch, message id. */
    public final String firstChunks;
    /** The next chunks. Parameters: message id, first seq, first seq after the batch. */
    public final String nextChunks;
    /** Removes messages of a mailbox. Parameters: mailbox id, array of message ids. */
    public final String deleteMessages;
    /**
     * When messages arrived and were first retrieved. Parameters: mailbox id, the highest message id wanted. Result:
     * id, delivered, retrieved (null if never).
     */
    public final String messageTimes;
    /** Records retrieval. Parameters: mailbox id, array of message ids. */
    public final String markRetrieved;
    /** Registers a node. Parameters: id, name, lease millis. */
    public final String registerNode;
    /** Renews a node's lease unless it has expired. Parameters: lease millis, id. */
    public final String renewNode;
    /** Removes a node and its holds. Parameter: id. */
    public final String removeNode;
    /** Removes nodes whose lease has expired, and their holds. */
    public final String removeExpiredNodes;
    /** Takes a hold unless a live node has it. Parameters: mailbox id, node id, token. Result: token if taken. */
    public final String acquireHold;
    /** Who holds a mailbox. Parameter: mailbox id. Result: node name, since, node expiry. */
    public final String holder;
    /** Releases a hold. Parameters: mailbox id, node id, token. */
    public final String releaseHold;
    /**
     * Removes holds of a node that no session has. Parameters: node id, the highest token given out when the live
     * ones were noted, the live tokens (a {@code bigint} array).
     */
    public final String removeOrphanedHolds;
    /**
     * Checks and locks a hold inside the deleting transaction (fencing), and limits how long the transaction may then
     * sit idle on the server ({@code idle_in_transaction_session_timeout}, for this transaction only): the locked row
     * must not outlive a node that dies before its {@code COMMIT} by more than that. Parameters: the idle limit (text,
     * e.g. {@code "5000"} ms), mailbox id, node id, token. Result: a row if the hold is still this session's and its
     * node's lease has not expired.
     */
    public final String verifyHold;

    /**
     * Builds the statements for a schema.
     *
     * @param schema a validated schema name
     */
    public Sql(String schema) {
        String mailbox = schema + ".mailbox";
        String message = schema + ".message";
        String chunk = schema + ".message_chunk";
        String node = schema + ".store_node";
        String hold = schema + ".mailbox_hold";
        String millis = "? * INTERVAL '0.001' SECOND";

        findMailbox = "SELECT id FROM " + mailbox + " WHERE name = ?";
        createMailbox = "INSERT INTO " + mailbox + " (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id";
        listing = "SELECT b.delivered, b.removed, m.id, m.uid, m.pop3_size, m.octets, m.wire_ready FROM " + mailbox
                + " b LEFT JOIN " + message + " m ON m.mailbox_id = b.id AND m.id > ? WHERE b.id = ?";
        countDelivery = "UPDATE " + mailbox + " SET delivered = delivered + 1 WHERE id = ?";
        countRemoval = "UPDATE " + mailbox + " SET removed = removed + 1 WHERE id = ? RETURNING removed";
        insertMessage = "INSERT INTO " + message + " (mailbox_id, uid, pop3_size, octets, wire_ready)"
                + " VALUES (?, ?, 0, 0, FALSE) RETURNING id";
        completeMessage = "UPDATE " + message + " SET pop3_size = ?, octets = ?, wire_ready = ? WHERE id = ?";
        insertChunk = "INSERT INTO " + chunk + " (message_id, seq, data) VALUES (?, ?, ?)";
        firstChunks = "SELECT c.seq, c.data FROM " + message + " m LEFT JOIN " + chunk
                + " c ON c.message_id = m.id AND c.seq < ? WHERE m.id = ? ORDER BY c.seq";
        nextChunks = "SELECT seq, data FROM " + chunk + " WHERE message_id = ? AND seq >= ? AND seq < ? ORDER BY seq";
        deleteMessages = "DELETE FROM " + message + " WHERE mailbox_id = ? AND id = ANY (?)";
        messageTimes = "SELECT id, delivered, retrieved FROM " + message + " WHERE mailbox_id = ? AND id <= ?";
        markRetrieved = "UPDATE " + message + " SET retrieved = CURRENT_TIMESTAMP"
                + " WHERE mailbox_id = ? AND id = ANY (?) AND retrieved IS NULL";
        registerNode = "INSERT INTO " + node + " (id, name, expires) VALUES (?, ?, CURRENT_TIMESTAMP + " + millis + ")";
        renewNode = "UPDATE " + node + " SET expires = CURRENT_TIMESTAMP + " + millis
                + " WHERE id = ? AND expires > CURRENT_TIMESTAMP";
        removeNode = "DELETE FROM " + node + " WHERE id = ?";
        removeExpiredNodes = "DELETE FROM " + node + " WHERE expires <= CURRENT_TIMESTAMP";
        acquireHold = "INSERT INTO " + hold + " AS h (mailbox_id, node_id, token) VALUES (?, ?, ?)"
                + " ON CONFLICT (mailbox_id) DO UPDATE"
                + " SET node_id = EXCLUDED.node_id, token = EXCLUDED.token, since = CURRENT_TIMESTAMP"
                + " WHERE NOT EXISTS (SELECT 1 FROM " + node + " n"
                + " WHERE n.id = h.node_id AND n.expires > CURRENT_TIMESTAMP)"
                + " RETURNING token";
        holder = "SELECT n.name, h.since, n.expires FROM " + hold + " h JOIN " + node + " n ON n.id = h.node_id"
                + " WHERE h.mailbox_id = ?";
        releaseHold = "DELETE FROM " + hold + " WHERE mailbox_id = ? AND node_id = ? AND token = ?";
        removeOrphanedHolds = "DELETE FROM " + hold + " WHERE node_id = ? AND token <= ? AND NOT (token = ANY (?))";
        verifyHold = "SELECT h.token, set_config('idle_in_transaction_session_timeout', ?, true) FROM " + hold
                + " h JOIN " + node + " n ON n.id = h.node_id"
                + " WHERE h.mailbox_id = ? AND h.node_id = ? AND h.token = ? AND n.expires > CURRENT_TIMESTAMP"
                + " FOR UPDATE OF h";
    }
}
