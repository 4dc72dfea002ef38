package dev.poplar.pop3.store.jdbc.internal;

import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cluster-wide exclusive holds on mailboxes: rows of {@code mailbox_hold}, each owned by a node whose lease (a row of
 * {@code store_node}) a heartbeat renews.
 *
 * <p><b>Taking a hold</b> is one statement: insert the hold, or take over an existing one whose node's lease has
 * expired; a hold of a live node is {@link StoreException.Kind#IN_USE}. Leases are judged by the database's clock
 * alone ({@code expires > CURRENT_TIMESTAMP}), so clock differences between nodes do not matter.
 *
 * <p><b>The lease</b> of this node is renewed every heartbeat by one statement, whatever the number of holds. A lease
 * that has expired is never renewed: the renewal is conditional on it still being valid. A node that finds its lease
 * expired (it could not reach the database, or it stalled, for longer than the lease) marks its holds lost, removes its
 * old row (which releases the holds the others have not taken yet) and continues as a new node under a new id.
 *
 * <p><b>Fencing.</b> A session deletes only inside a transaction that first locks its hold row and checks that it is
 * still its own and its node's lease is valid ({@link Hold#verify(Connection)}); a node taking a stale hold over waits
 * for that lock. So two sessions never delete from one mailbox at once, even across a partition.
 *
 * <p>A hold that cannot be released (the database is unreachable) is released by a later heartbeat; until then, and at
 * the latest until this node's lease expires, the mailbox stays held. Thread-safe.
 */
public final class Holds implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Holds.class);
    private static final int CLEANUP_EVERY = 10;

    private final Database database;
    private final Sql sql;
    private final String nodeName;
    private final long leaseMillis;
    private final long heartbeatMillis;
    /**
     * The tokens of holds that sessions have or are taking (guarded by itself, with {@link #lastToken}): a hold of this
     * node with a token given out but not among them has no session, and the heartbeat removes it.
     */
    private final Set<Long> live = new HashSet<>();
    private long lastToken;
    private final ScheduledExecutorService heartbeat;
    private volatile Node node;
    private volatile boolean closed;
    private int beats;
    private boolean failing;

    /**
     * Creates the holds of one node; {@link #start()} registers it.
     *
     * @param database the database
     * @param sql the statements
     * @param nodeName the node's name in the database, for people
     * @param lease how long the node's lease lasts after each renewal
     * @param heartbeatEvery how often it is renewed; well below the lease
     */
    public Holds(Database database, Sql sql, String nodeName, Duration lease, Duration heartbeatEvery) {
        this.database = database;
        this.sql = sql;
        this.nodeName = nodeName;
        this.leaseMillis = lease.toMillis();
        this.heartbeatMillis = heartbeatEvery.toMillis();
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "poplar-jdbc-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Registers this node, removes expired nodes and starts the heartbeat.
     *
     * @throws SQLException if the database cannot be reached
     */
    public void start() throws SQLException {
        try (Connection connection = database.connection()) {
            node = register(connection);
            removeExpiredNodes(connection);
        }
        heartbeat.scheduleWithFixedDelay(this::heartbeat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The id of this node's current lease.
     *
     * @return the id in {@code store_node}
     */
    public String nodeId() {
        return node.id;
    }

    /**
     * Takes the hold of a mailbox.
     *
     * @param connection a connection in auto-commit mode
     * @param mailboxId the mailbox
     * @param mailbox its name, for messages
     * @return the hold
     * @throws SQLException if the database fails
     * @throws StoreException {@link StoreException.Kind#IN_USE} if a live node holds the mailbox
     */
    public Hold acquire(Connection connection, long mailboxId, String mailbox) throws SQLException, StoreException {
        Node owner = node;
        long token;
        synchronized (live) {
            token = ++lastToken;
            live.add(token);
        }
        boolean taken = false;
        try (PreparedStatement statement = connection.prepareStatement(sql.acquireHold)) {
            statement.setLong(1, mailboxId);
            statement.setString(2, owner.id);
            statement.setLong(3, token);
            try (ResultSet row = statement.executeQuery()) {
                if (row.next()) {
                    taken = true;
                    return new Hold(owner, mailboxId, mailbox, token);
                }
            }
        } finally {
            if (!taken) {
                // Not this session's. Where the outcome is unknown (a reply lost, a network timeout while the
                // statement went on), the server may still take the hold; the heartbeat removes it then.
                forget(token);
            }
        }
        throw new StoreException(StoreException.Kind.IN_USE, "mailbox " + mailbox + " is held by "
                + holder(connection, mailboxId));
    }

    private String holder(Connection connection, long mailboxId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.holder)) {
            statement.setLong(1, mailboxId);
            try (ResultSet row = statement.executeQuery()) {
                return row.next()
                        ? "node " + row.getString(1) + " since " + row.getObject(2) + " (lease until "
                                + row.getObject(3) + ")"
                        : "a session that has just ended";
            }
        }
    }

    /**
     * Renews this node's lease once, retries releases that failed, and now and then removes expired nodes. Called by
     * the heartbeat thread; never throws.
     */
    void heartbeat() {
        if (closed) {
            return;
        }
        Node current = node;
        try (Connection connection = database.connection()) {
            if (!renew(connection, current)) {
                current.expired = true;
                LOG.warn("The lease of node {} ({}) expired before it could be renewed: the database was unreachable,"
                        + " or this process stalled, for longer than {} ms. Its sessions can no longer delete; it"
                        + " continues as a new node.", nodeName, current.id, leaseMillis);
                remove(connection, current.id);
                node = register(connection);
            }
            // Also the holds whose release could not reach the database: a released hold's token is no longer live.
            removeOrphanedHolds(connection, node);
            if (++beats % CLEANUP_EVERY == 0) {
                removeExpiredNodes(connection);
            }
            if (failing) {
                failing = false;
                LOG.info("Node {} ({}) renews its lease again", nodeName, node.id);
            }
        } catch (SQLException e) {
            if (!failing) {
                failing = true;
                LOG.warn("Cannot renew the lease of node {} ({}); retrying every {} ms: {}", nodeName, current.id,
                        heartbeatMillis, e.toString());
            } else {
                LOG.debug("Cannot renew the lease of node {}: {}", nodeName, e.toString());
            }
        } catch (RuntimeException e) {
            LOG.error("Heartbeat of node {} failed", nodeName, e);
        }
    }

    private void forget(long token) {
        synchronized (live) {
            live.remove(token);
        }
    }

    /**
     * Removes this node's holds that no session has: released while the database could not be reached, or taken on
     * the server for an open whose outcome the node never learned (it failed on a lost reply or a network timeout
     * while the server went on). Tokens given out after the
     * live ones were noted are left alone, as are those of holds being taken now.
     */
    private void removeOrphanedHolds(Connection connection, Node current) throws SQLException {
        long highest;
        Long[] keep;
        synchronized (live) {
            highest = lastToken;
            keep = live.toArray(new Long[0]);
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.removeOrphanedHolds)) {
            statement.setString(1, current.id);
            statement.setLong(2, highest);
            statement.setArray(3, connection.createArrayOf("bigint", keep));
            int removed = statement.executeUpdate();
            if (removed > 0) {
                LOG.info("Removed {} hold(s) of node {} that no session had (released while the database could not be"
                        + " reached, or taken by it after an open had failed)", removed, nodeName);
            }
        }
    }

    private boolean renew(Connection connection, Node current) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.renewNode)) {
            statement.setLong(1, leaseMillis);
            statement.setString(2, current.id);
            return statement.executeUpdate() == 1;
        }
    }

    private Node register(Connection connection) throws SQLException {
        Node fresh = new Node(UUID.randomUUID().toString());
        try (PreparedStatement statement = connection.prepareStatement(sql.registerNode)) {
            statement.setString(1, fresh.id);
            statement.setString(2, nodeName);
            statement.setLong(3, leaseMillis);
            statement.executeUpdate();
        }
        LOG.debug("Registered node {} as {}", nodeName, fresh.id);
        return fresh;
    }

    private void remove(Connection connection, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.removeNode)) {
            statement.setString(1, id);
            statement.executeUpdate();
        }
    }

    private void removeExpiredNodes(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.removeExpiredNodes)) {
            int removed = statement.executeUpdate();
            if (removed > 0) {
                LOG.info("Removed {} expired node(s) and their holds", removed);
            }
        }
    }

    /**
     * Stops the heartbeat and removes this node, which releases every hold it still has at once. Never throws.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        heartbeat.shutdown();
        try {
            if (!heartbeat.awaitTermination(heartbeatMillis + Database.NETWORK_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                heartbeat.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Node current = node;
        if (current == null) {
            return;
        }
        current.expired = true;
        try (Connection connection = database.connection()) {
            remove(connection, current.id);
        } catch (SQLException e) {
            LOG.warn("Cannot remove node {} ({}); its holds end when its lease expires: {}", nodeName, current.id,
                    e.toString());
        }
    }

    /** One lease of this node. */
    private static final class Node {
        private final String id;
        private volatile boolean expired;

        Node(String id) {
            this.id = id;
        }
    }

    /** One session's hold on one mailbox. */
    public final class Hold {
        private final Node owner;
        private final long mailboxId;
        private final String mailbox;
        private final long token;
        private final AtomicBoolean released = new AtomicBoolean();

        private Hold(Node owner, long mailboxId, String mailbox, long token) {
            this.owner = owner;
            this.mailboxId = mailboxId;
            this.mailbox = mailbox;
            this.token = token;
        }

        /**
         * Checks, inside the caller's transaction, that this hold is still this session's and its node's lease is
         * valid, and locks the hold row until the transaction ends, so that no other node can take it over meanwhile.
         *
         * @param connection a connection inside a transaction
         * @throws SQLException if the database fails
         * @throws StoreException {@link StoreException.Kind#TEMPORARY} if the hold has been lost
         */
        public void verify(Connection connection) throws SQLException, StoreException {
            checkNotLost();
            try (PreparedStatement statement = connection.prepareStatement(sql.verifyHold)) {
                // A transaction left open by a node that dies or is cut off before its COMMIT would keep this row
                // locked until the server gives up on the connection (TCP keepalive: hours), blocking the takeover
                // and every node's removal of expired nodes; the server ends such a transaction after this.
                statement.setString(1, Long.toString(database.statementTimeoutMillis()));
                statement.setLong(2, mailboxId);
                statement.setString(3, owner.id);
                statement.setLong(4, token);
                try (ResultSet row = statement.executeQuery()) {
                    if (!row.next()) {
                        throw lost();
                    }
                }
            }
        }

        /**
         * Fails fast, without the database, if this node already knows the hold is gone: its lease expired, the
         * store was closed, or the hold was released.
         *
         * @throws StoreException {@link StoreException.Kind#TEMPORARY} if the hold is known to be lost
         */
        public void checkNotLost() throws StoreException {
            if (owner.expired || released.get()) {
                throw lost();
            }
        }

        private StoreException lost() {
            return new StoreException(StoreException.Kind.TEMPORARY, "the hold on mailbox " + mailbox
                    + " was lost during the session (this node's lease expired or the store was closed)");
        }

        /** Releases the hold; if the database cannot be reached, a later heartbeat does. Never throws. */
        public void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            forget(token);
            if (owner.expired) {
                return;
            }
            try (Connection connection = database.connection()) {
                delete(connection);
            } catch (SQLException e) {
                LOG.warn("Cannot release the hold on mailbox {} now; the heartbeat removes it: {}", mailbox,
                        e.toString());
            }
        }

        private void delete(Connection connection) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(sql.releaseHold)) {
                statement.setLong(1, mailboxId);
                statement.setString(2, owner.id);
                statement.setLong(3, token);
                statement.executeUpdate();
            }
        }
    }
}
