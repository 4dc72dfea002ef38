package dev.poplar.pop3.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.jdbc.internal.Database;
import dev.poplar.pop3.store.jdbc.internal.Holds;
import dev.poplar.pop3.store.jdbc.internal.Listings;
import dev.poplar.pop3.store.jdbc.internal.Mailboxes;
import dev.poplar.pop3.store.jdbc.internal.Migrations;
import dev.poplar.pop3.store.jdbc.internal.Sql;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@link MailboxStore} and {@link Delivery} over PostgreSQL, shared by any number of server nodes.
 *
 * <p><b>Schema.</b> Tables live in one schema ({@link Builder#schema(String)}, default {@code poplar}), created and
 * migrated by {@link #builder(DataSource) build()} with versioned scripts (Flyway, history table
 * {@code poplar_schema_history}), unless {@link Builder#migrate(boolean)} is off for operators who apply them
 * themselves (the scripts are on the class path under {@code dev/poplar/pop3/store/jdbc/migration}).
 *
 * <p><b>Messages.</b> A message is a row (unique id, POP3 size, stored length, whether it is in wire form) and its
 * content is rows of at most 64 KiB chunks. {@link #deliver(String, InputStream)} streams the content in, chunk by
 * chunk, inside one transaction: the message appears whole or not at all, and at most one chunk of it is in memory.
 * Content is read back four chunks per query, each on a connection borrowed for that query alone, so a slow client
 * holds no database connection and at most 256 KiB of a message is in memory. Unique ids are 22 random characters,
 * assigned at delivery and never changed. Content that is already in wire form (CRLF line ends, no line starting with
 * {@code .}) is marked so and skips the server's encoder.
 *
 * <p><b>Listings.</b> Opening a mailbox reads its listing from one index (an index-only scan). Listings of large
 * mailboxes are cached ({@link Builder#listingCache(long)}) and checked at every open against two counters of the
 * mailbox row, of the transactions that delivered and that removed messages: an unchanged mailbox of 100,000 messages
 * opens in a few milliseconds, and one with new mail reads only the new messages. Anything else that adds or removes
 * messages in these tables must increment {@code mailbox.delivered} or {@code mailbox.removed} in the same transaction.
 *
 * <p><b>Hold.</b> {@link #open(String)} takes a hold that is exclusive across every store instance on the same
 * database: a row per held mailbox, owned by this instance's <em>node</em>, whose lease a heartbeat renews every
 * {@link Builder#heartbeat(Duration)} for {@link Builder#holdLease(Duration)}. A second open of a held mailbox, from
 * any node, is {@link StoreException.Kind#IN_USE}. The holds of a node that dies (or loses the database for longer than
 * the lease) become stale when its lease expires, judged by the database's clock, and are taken over by the next open.
 * A session deletes only in a transaction that checks and locks its own hold first, so a node that was cut off and
 * comes back cannot delete under another's hold: its update is {@link StoreException.Kind#TEMPORARY}. Closing the store
 * releases its holds at once.
 *
 * <p><b>Update.</b> {@link Maildrop#update} deletes every marked message and records the retrieved ones in one
 * transaction: all or nothing. A message removed by someone else during the session reads as
 * {@link StoreException.Kind#GONE} and counts as removed.
 *
 * <p><b>Retention.</b> The store reports when each message was delivered and first retrieved (columns of
 * {@code message}, on the database's clock, seen by every node), so a server's retention policy works with it;
 * {@code Maildrop.expire} deletes in one transaction under the session's verified hold, as the update does.
 *
 * <p><b>Failures.</b> Every database failure is {@link StoreException.Kind#TEMPORARY}, never a hang: waiting for a
 * connection is bounded by {@link Builder#connectionTimeout(Duration)} (the store's own pool) and every statement by
 * {@link Builder#statementTimeout(Duration)} (on the server for the store's own pool, and on every connection as a
 * network timeout). When the database is back, the store recovers by itself.
 *
 * <p><b>Threading.</b> Thread-safe; every operation may block on the database ({@link #mayBlock} is {@code true}).
 * Close the store after the server has stopped.
 */
public final class JdbcMailboxStore implements MailboxStore, Delivery, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcMailboxStore.class);
    private static final int MAX_NAME_LENGTH = 255;

    private final String schema;
    private final String nodeName;
    private final Holds holds;
    private final Mailboxes mailboxes;
    private final HikariDataSource ownPool;
    private volatile boolean closed;

    private JdbcMailboxStore(String schema, String nodeName, Holds holds, Mailboxes mailboxes,
                             HikariDataSource ownPool) {
        this.schema = schema;
        this.nodeName = nodeName;
        this.holds = holds;
        this.mailboxes = mailboxes;
        this.ownPool = ownPool;
    }

    /**
     * Starts building a store over a {@link DataSource} of the application's (typically its own connection pool). The
     * store borrows a connection per operation and never closes the data source.
     *
     * <p>Bound the wait for a connection in the pool's own settings, and set {@code statement_timeout} for the database
     * role (the store still sets a network timeout on each connection it borrows).
     *
     * @param dataSource where connections come from
     * @return a builder with the defaults
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null, null, null);
    }

    /**
     * Starts building a store with a connection pool of its own (HikariCP), which {@link #close()} closes.
     *
     * @param jdbcUrl the database, e.g. {@code jdbc:postgresql://db.example.org:5432/mail}
     * @param user the database user
     * @param password its password, or {@code null} for none
     * @return a builder with the defaults
     * @throws NullPointerException if {@code jdbcUrl} or {@code user} is null
     */
    public static Builder builder(String jdbcUrl, String user, String password) {
        return new Builder(null, Objects.requireNonNull(jdbcUrl, "jdbcUrl"), Objects.requireNonNull(user, "user"),
                password);
    }

    /**
     * The schema that holds the store's tables.
     *
     * @return the schema name
     */
    public String schema() {
        return schema;
    }

    /**
     * This node's name: the one its holds show to other nodes (an {@link StoreException.Kind#IN_USE} names it) and its
     * log lines carry.
     *
     * @return {@link Builder#nodeName(String)}, or the default made of the host name and process id
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Three short statements on one connection: find (or create) the mailbox, take the hold, read the listing.
     *
     * @throws StoreException also {@link StoreException.Kind#PERMANENT} for a name that is empty, longer than 255
     *     characters or holds control characters, and for a mailbox that does not exist when
     *     {@link Builder#createMissingMailboxes(boolean)} is off
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public Maildrop open(String mailbox) throws StoreException {
        checkName(Objects.requireNonNull(mailbox, "mailbox"));
        checkOpen();
        return mailboxes.open(mailbox);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Holds one database connection and one transaction while the message is read; a chunk of 64 KiB at most is in
     * memory. Creates the mailbox if it does not exist (unless {@link Builder#createMissingMailboxes(boolean)} is
     * off). If the connection breaks while the transaction commits, the message may or may not have been delivered:
     * the exception says {@link StoreException.Kind#TEMPORARY} and a retry may deliver it twice, never lose it.
     *
     * @throws StoreException also {@link StoreException.Kind#PERMANENT} for an invalid mailbox name (see
     *     {@link #open(String)}) and for a message larger than {@link Builder#maxMessageSize(long)}
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public MessageInfo deliver(String mailbox, InputStream message) throws IOException, StoreException {
        checkName(Objects.requireNonNull(mailbox, "mailbox"));
        Objects.requireNonNull(message, "message");
        checkOpen();
        return mailboxes.deliver(mailbox, message);
    }

    /**
     * {@inheritDoc}
     *
     * @return both: when a message was delivered ({@code message.delivered}) and first retrieved
     *     ({@code message.retrieved}, set by the first update that retrieved it), on the database's clock
     */
    @Override
    public Set<MessageTime> messageTimes() {
        return Set.of(MessageTime.ARRIVAL, MessageTime.FIRST_RETRIEVAL);
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code true}: every operation waits on the database
     */
    @Override
    public boolean mayBlock(Operation operation) {
        return true;
    }

    /**
     * Stops the heartbeat, releases every hold this store still has (their sessions can then no longer delete) and
     * closes the store's own connection pool, if it has one. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        holds.close();
        if (ownPool != null) {
            ownPool.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the JDBC store on schema " + schema + " is closed");
        }
    }

    private static void checkName(String mailbox) throws StoreException {
        String problem = null;
        if (mailbox.isEmpty()) {
            problem = "is empty";
        } else if (mailbox.length() > MAX_NAME_LENGTH) {
            problem = "is longer than " + MAX_NAME_LENGTH + " characters";
        } else {
            for (int i = 0; i < mailbox.length() && problem == null; i++) {
                char c = mailbox.charAt(i);
                if (c < 0x20 || c == 0x7F) {
                    problem = "contains a control character";
                } else if (Character.isHighSurrogate(c) && i + 1 < mailbox.length()
                        && Character.isLowSurrogate(mailbox.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    problem = "is not valid Unicode";
                }
            }
        }
        if (problem != null) {
            throw new StoreException(StoreException.Kind.PERMANENT, "mailbox name " + problem);
        }
    }

    /**
     * Builds a {@link JdbcMailboxStore}. Not thread-safe; {@link #build()} checks every setting, naming the one that
     * is wrong, then connects.
     */
    public static final class Builder {
        private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

        private final DataSource dataSource;
        private final String jdbcUrl;
        private final String user;
        private final String password;
        private String schema = "poplar";
        private boolean migrate = true;
        private boolean createMissingMailboxes = true;
        private Duration connectionTimeout;
        private Duration statementTimeout = Duration.ofSeconds(5);
        private Integer poolSize;
        private Duration holdLease = Duration.ofSeconds(10);
        private Duration heartbeat = Duration.ofSeconds(2);
        private String nodeName;
        private long maxMessageSize = 100L * 1024 * 1024;
        private long listingCache = 200_000;

        private Builder(DataSource dataSource, String jdbcUrl, String user, String password) {
            this.dataSource = dataSource;
            this.jdbcUrl = jdbcUrl;
            this.user = user;
            this.password = password;
        }

        /**
         * The schema for the store's tables. Default {@code poplar}. Created by the migration if missing.
         *
         * @param schema lower-case letters, digits and {@code _}, not starting with a digit, at most 63 characters
         * @return this builder
         */
        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        /**
         * Whether {@link #build()} creates and migrates the schema. Default {@code true}. Turn it off when the
         * operator applies the migration scripts with privileges the store's database user does not have; the store
         * then expects the schema to be current.
         *
         * @param migrate {@code false} to leave the schema alone
         * @return this builder
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /**
         * Whether a mailbox that does not exist is created at its first open or delivery. Default {@code true}; with
         * {@code false} such a mailbox is {@link StoreException.Kind#PERMANENT} (mailboxes are then rows an
         * administrator inserts into {@code mailbox}).
         *
         * @param createMissingMailboxes {@code true} to create them
         * @return this builder
         */
        public Builder createMissingMailboxes(boolean createMissingMailboxes) {
            this.createMissingMailboxes = createMissingMailboxes;
            return this;
        }

        /**
         * The longest wait for a connection from the store's own pool. Default five seconds; at least 250 ms. Only
         * for {@link #builder(String, String, String)}: a {@link DataSource} of the application's has its own.
         *
         * @param connectionTimeout a duration of at least 250 ms
         * @return this builder
         */
        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
            return this;
        }

        /**
         * The longest a statement may run. Default five seconds. The store's own pool sets it as the server's
         * {@code statement_timeout}; every connection the store borrows also gets it (plus two seconds) as a network
         * timeout, so that an unreachable server fails a statement instead of hanging it.
         *
         * @param statementTimeout a positive duration
         * @return this builder
         */
        public Builder statementTimeout(Duration statementTimeout) {
            this.statementTimeout = statementTimeout;
            return this;
        }

        /**
         * How many connections the store's own pool keeps. Default 10; at least 2. Sessions hold no connection
         * between commands, so this bounds the database work done at once, not the number of sessions. Only for
         * {@link #builder(String, String, String)}.
         *
         * @param poolSize 2 or more
         * @return this builder
         */
        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        /**
         * How long this node's holds outlive its last heartbeat: the longest a mailbox stays held after its node died
         * or lost the database. Default ten seconds.
         *
         * @param holdLease at least twice {@link #heartbeat(Duration)}
         * @return this builder
         */
        public Builder holdLease(Duration holdLease) {
            this.holdLease = holdLease;
            return this;
        }

        /**
         * How often this node renews its lease: one short statement per interval for all its holds. Default two
         * seconds.
         *
         * @param heartbeat a positive duration, at most half of {@link #holdLease(Duration)}
         * @return this builder
         */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = heartbeat;
            return this;
        }

        /**
         * The node's name in the database ({@code store_node.name}), shown in logs when a mailbox is in use. Default:
         * the host name and process id.
         *
         * @param nodeName 1 to 255 characters
         * @return this builder
         */
        public Builder nodeName(String nodeName) {
            this.nodeName = nodeName;
            return this;
        }

        /**
         * The largest message {@link #deliver(String, InputStream)} takes, in stored octets. Default 100 MiB. A larger
         * one is {@link StoreException.Kind#PERMANENT} (the mail transfer agent bounces it) and leaves nothing behind.
         *
         * @param maxMessageSize a positive number of octets
         * @return this builder
         */
        public Builder maxMessageSize(long maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /**
         * How many messages the cached listings of large mailboxes (1,000 messages or more) may hold in all, about 150
         * bytes of heap each. Default 200,000; 0 turns the cache off. A cached listing is checked against the
         * mailbox's counters at every open (one statement returning one row), and extended with the new messages when
         * mail has only been added.
         *
         * @param listingCache zero or more messages
         * @return this builder
         */
        public Builder listingCache(long listingCache) {
            this.listingCache = listingCache;
            return this;
        }

        /**
         * Checks the settings, connects, migrates the schema (unless turned off), registers this node and starts its
         * heartbeat.
         *
         * @return the store; close it when done
         * @throws IllegalArgumentException naming the setting, if the schema name is not allowed, a duration is not
         *     positive (or {@code connectionTimeout} is under 250 ms), {@code heartbeat} is more than half of
         *     {@code holdLease}, {@code poolSize} is under 2, {@code maxMessageSize} is not positive,
         *     {@code listingCache} is negative, {@code nodeName} is blank or too long, or
         *     {@code connectionTimeout} or {@code poolSize} was set for an application's {@link DataSource}
         * @throws NullPointerException if a setting was set to null
         * @throws StoreException {@link StoreException.Kind#TEMPORARY} if the database cannot be reached,
         *     {@link StoreException.Kind#PERMANENT} if the schema cannot be migrated or is not there; nothing is left
         *     open
         */
        public JdbcMailboxStore build() throws StoreException {
            check();
            String name = nodeName != null ? nodeName : defaultNodeName();
            HikariDataSource pool = dataSource == null ? pool() : null;
            DataSource source = pool != null ? pool : dataSource;
            Holds holds = null;
            boolean started = false;
            try {
                if (migrate) {
                    Migrations.apply(source, schema);
                }
                Database database = new Database(source, statementTimeout);
                Sql sql = new Sql(schema);
                holds = new Holds(database, sql, name, holdLease, heartbeat);
                holds.start();
                LOG.info("JDBC store on schema {} started as node {} ({})", schema, name, holds.nodeId());
                JdbcMailboxStore store = new JdbcMailboxStore(schema, name, holds,
                        new Mailboxes(database, sql, holds, new Listings(sql, listingCache), createMissingMailboxes,
                                maxMessageSize), pool);
                started = true;
                return store;
            } catch (SQLException | FlywayException e) {
                throw startFailure(e);
            } finally {
                if (!started) {
                    if (holds != null) {
                        holds.close();
                    }
                    if (pool != null) {
                        pool.close();
                    }
                }
            }
        }

        private void check() {
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(statementTimeout, "statementTimeout");
            Objects.requireNonNull(holdLease, "holdLease");
            Objects.requireNonNull(heartbeat, "heartbeat");
            if (!SCHEMA.matcher(schema).matches()) {
                throw new IllegalArgumentException("schema must be lower-case letters, digits and _, not starting"
                        + " with a digit, at most 63 characters: \"" + schema + "\"");
            }
            positive("statementTimeout", statementTimeout);
            positive("holdLease", holdLease);
            positive("heartbeat", heartbeat);
            if (heartbeat.multipliedBy(2).compareTo(holdLease) > 0) {
                throw new IllegalArgumentException("heartbeat (" + heartbeat + ") must be at most half of holdLease ("
                        + holdLease + ")");
            }
            if (dataSource != null && connectionTimeout != null) {
                throw new IllegalArgumentException("connectionTimeout applies to the store's own pool only; set it in"
                        + " the pool behind the DataSource");
            }
            if (dataSource != null && poolSize != null) {
                throw new IllegalArgumentException("poolSize applies to the store's own pool only; set it in the pool"
                        + " behind the DataSource");
            }
            if (connectionTimeout != null && connectionTimeout.compareTo(Duration.ofMillis(250)) < 0) {
                throw new IllegalArgumentException("connectionTimeout must be at least 250 ms: " + connectionTimeout);
            }
            if (poolSize != null && poolSize < 2) {
                throw new IllegalArgumentException("poolSize must be at least 2: " + poolSize);
            }
            if (listingCache < 0) {
                throw new IllegalArgumentException("listingCache must not be negative: " + listingCache);
            }
            if (maxMessageSize <= 0) {
                throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
            }
            if (nodeName != null && (nodeName.isBlank() || nodeName.length() > MAX_NAME_LENGTH)) {
                throw new IllegalArgumentException("nodeName must have 1 to 255 characters and not be blank: \""
                        + nodeName + "\"");
            }
        }

        private static void positive(String setting, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(setting + " must be positive: " + value);
            }
        }

        private HikariDataSource pool() {
            HikariConfig config = new HikariConfig();
            config.setPoolName("poplar-jdbc-" + schema);
            config.setJdbcUrl(jdbcUrl);
            config.setUsername(user);
            config.setPassword(password);
            int size = poolSize != null ? poolSize : 10;
            config.setMaximumPoolSize(size);
            config.setMinimumIdle(size);
            long connectMillis = (connectionTimeout != null ? connectionTimeout : Duration.ofSeconds(5)).toMillis();
            config.setConnectionTimeout(connectMillis);
            config.setValidationTimeout(Math.min(connectMillis, 1_000));
            // Do not fail here: build() reports an unreachable database itself, after closing the pool.
            config.setInitializationFailTimeout(-1);
            long statementMillis = statementTimeout.toMillis();
            config.addDataSourceProperty("options", "-c statement_timeout=" + statementMillis);
            config.addDataSourceProperty("connectTimeout", seconds(connectMillis));
            config.addDataSourceProperty("socketTimeout",
                    seconds(statementMillis + Database.NETWORK_GRACE.toMillis()));
            config.addDataSourceProperty("tcpKeepAlive", "true");
            config.addDataSourceProperty("ApplicationName", "poplar");
            return new HikariDataSource(config);
        }

        private static String seconds(long millis) {
            return Long.toString(Math.max(1, (millis + 999) / 1000));
        }

        private StoreException startFailure(Exception e) {
            boolean unreachable = transientFailure(e);
            String message = "cannot start the JDBC store on schema " + schema + ": " + e.getMessage();
            LOG.error("{}", message);
            return new StoreException(unreachable ? StoreException.Kind.TEMPORARY : StoreException.Kind.PERMANENT,
                    message, e);
        }

        private static boolean transientFailure(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && sql.getSQLState() != null
                        && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P")
                                || sql.getSQLState().equals("57014"))) {
                    return true;
                }
                if (t instanceof SQLTransientConnectionException) {
                    return true;
                }
            }
            return false;
        }

        private static String defaultNodeName() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "unknown-host";
            }
            String name = host + "/" + ProcessHandle.current().pid();
            return name.length() <= MAX_NAME_LENGTH ? name : name.substring(name.length() - MAX_NAME_LENGTH);
        }
    }
}
