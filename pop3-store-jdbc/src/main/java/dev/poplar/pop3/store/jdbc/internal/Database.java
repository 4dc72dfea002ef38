package dev.poplar.pop3.store.jdbc.internal;

import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Borrows connections with a time limit on every network read, and maps database failures to
 * {@link StoreException.Kind#TEMPORARY}.
 *
 * <p>Each borrowed connection gets a network timeout ({@link Connection#setNetworkTimeout}) of the statement timeout
 * plus {@link #NETWORK_GRACE}: a statement that the server does not answer in time (a dead server, a partition, a
 * stalled proxy) fails instead of hanging, whatever the {@link DataSource}. The server-side {@code statement_timeout}
 * (set by the store's own pool) ends the statement on the server first, so the connection normally survives.
 *
 * <p>Thread-safe.
 */
public final class Database {

    /** How much longer than the statement timeout the client waits for the server's answer. */
    public static final Duration NETWORK_GRACE = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final Executor DIRECT = Runnable::run;

    private final DataSource dataSource;
    private final long statementTimeoutMillis;
    private final int networkTimeoutMillis;

    /**
     * Creates the helper.
     *
     * @param dataSource where connections come from
     * @param statementTimeout the longest a statement may run
     */
    public Database(DataSource dataSource, Duration statementTimeout) {
        this.dataSource = dataSource;
        this.statementTimeoutMillis = statementTimeout.toMillis();
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, statementTimeout.plus(NETWORK_GRACE).toMillis());
    }

    /** @return the longest a statement may run, in milliseconds */
    public long statementTimeoutMillis() {
        return statementTimeoutMillis;
    }

    /**
     * Borrows a connection in auto-commit mode with the network timeout set. The caller closes it.
     *
     * @return an open connection
     * @throws SQLException if none can be had in time
     */
    public Connection connection() throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setNetworkTimeout(DIRECT, networkTimeoutMillis);
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Work on a borrowed connection.
     *
     * @param <T> the result type
     * @param <X> a further exception the work may throw ({@link RuntimeException} if none)
     */
    @FunctionalInterface
    public interface Work<T, X extends Exception> {
        /**
         * Does the work.
         *
         * @param connection the borrowed connection, in auto-commit mode unless the work changes it
         * @return the result
         * @throws SQLException if the database fails
         * @throws StoreException for failures the work decides itself
         * @throws X the work's own failure
         */
        T apply(Connection connection) throws SQLException, StoreException, X;
    }

    /**
     * Runs work on a borrowed connection in auto-commit mode.
     *
     * @param what what the work does, for the log and the exception ("open mailbox alice")
     * @param work the work
     * @param <T> the result type
     * @param <X> the work's own exception
     * @return the work's result
     * @throws StoreException {@link StoreException.Kind#TEMPORARY} if the database fails, or what the work throws
     * @throws X what the work throws
     */
    public <T, X extends Exception> T call(String what, Work<T, X> work) throws StoreException, X {
        try (Connection connection = connection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs work in one transaction on a borrowed connection: committed if the work returns, rolled back if it throws.
     *
     * @param what what the work does, for the log and the exception
     * @param work the work
     * @param <T> the result type
     * @param <X> the work's own exception
     * @return the work's result
     * @throws StoreException {@link StoreException.Kind#TEMPORARY} if the database fails (nothing is committed), or
     *     what the work throws (nothing is committed)
     * @throws X what the work throws (nothing is committed)
     */
    public <T, X extends Exception> T transaction(String what, Work<T, X> work) throws StoreException, X {
        return call(what, connection -> inTransaction(connection, work));
    }

    /**
     * Runs work in one transaction on a connection the caller holds, then puts it back in auto-commit mode.
     *
     * @param connection a connection in auto-commit mode
     * @param work the work
     * @param <T> the result type
     * @param <X> the work's own exception
     * @return the work's result
     * @throws SQLException if the database fails; nothing is committed
     * @throws StoreException what the work throws; nothing is committed
     * @throws X what the work throws; nothing is committed
     */
    public static <T, X extends Exception> T inTransaction(Connection connection, Work<T, X> work)
            throws SQLException, StoreException, X {
        connection.setAutoCommit(false);
        boolean committed = false;
        try {
            T result = work.apply(connection);
            connection.commit();
            committed = true;
            return result;
        } finally {
            try {
                if (!committed) {
                    connection.rollback();
                }
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                // The connection is broken; the pool discards it. The work's own outcome is what counts.
                LOG.debug("Cannot end the transaction cleanly: {}", e.toString());
            }
        }
    }

    /**
     * The exception for a database failure, logged once here.
     *
     * @param what what failed
     * @param e the database's exception
     * @return a {@link StoreException.Kind#TEMPORARY} exception
     */
    public static StoreException failure(String what, SQLException e) {
        LOG.warn("Cannot {}: {} (SQL state {})", what, e.getMessage(), e.getSQLState());
        return new StoreException(StoreException.Kind.TEMPORARY, "cannot " + what + ": " + e.getMessage(), e);
    }
}
