package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.StoreException;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.sql.DriverManager;

/**
 * One test's own schema on the shared server: builders of stores on it (each closed when the test ends) and plain SQL
 * on its tables, for checking what the store wrote and for doing what other agents would do.
 */
public final class TestSchema implements AutoCloseable {

    private final PostgresServer server;
    private final String name;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private boolean ownDatabase;

    TestSchema(PostgresServer server) throws SQLException {
        this.server = server;
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        this.name = "t_" + HexFormat.of().formatHex(random);
    }

    /**
     * The server.
     *
     * @return the shared server
     */
    public PostgresServer server() {
        return server;
    }

    /**
     * The schema name.
     *
     * @return a fresh name, created by the first store's migration
     */
    public String name() {
        return name;
    }

    /**
     * A table of this schema, qualified.
     *
     * @param table the table name
     * @return {@code schema.table}
     */
    public String table(String table) {
        return name + "." + table;
    }

    /**
     * Creates a database of this test's own (named like the schema), dropped when the test ends, for tests that must
     * not see the other tests' transactions (a {@code VACUUM} that other tests' open transactions would hold back).
     *
     * @return its JDBC URL, for {@link #builder(String)}
     * @throws SQLException if it cannot be created
     */
    public synchronized String ownDatabase() throws SQLException {
        if (!ownDatabase) {
            server.createDatabase(name);
            ownDatabase = true;
        }
        return server.jdbcUrl(name);
    }

    /**
     * A builder of a store on this schema with its own small pool and time limits long enough for a loaded machine;
     * {@link #build} closes it after the test. Tests of the time limits set their own.
     *
     * @return a builder
     */
    public JdbcMailboxStore.Builder builder() {
        return builder(server.jdbcUrl("postgres"));
    }

    /**
     * As {@link #builder()}, on another URL (a proxy in front of the server).
     *
     * @param jdbcUrl the URL
     * @return a builder
     */
    public JdbcMailboxStore.Builder builder(String jdbcUrl) {
        return JdbcMailboxStore.builder(jdbcUrl, PostgresServer.SUPERUSER, "")
                .schema(name)
                .poolSize(3)
                .connectionTimeout(Duration.ofSeconds(10))
                .statementTimeout(Duration.ofSeconds(10));
    }

    /**
     * Builds a store and closes it after the test.
     *
     * @param builder a builder of this schema
     * @return the store
     * @throws StoreException if it cannot start
     */
    public JdbcMailboxStore build(JdbcMailboxStore.Builder builder) throws StoreException {
        return closeAfter(builder.build());
    }

    /**
     * A store with the test defaults, closed after the test.
     *
     * @return the store
     * @throws StoreException if it cannot start
     */
    public JdbcMailboxStore store() throws StoreException {
        return build(builder());
    }

    /**
     * Closes something after the test, before the schema is dropped.
     *
     * @param closeable what to close
     * @param <T> its type
     * @return it
     */
    public synchronized <T extends AutoCloseable> T closeAfter(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /**
     * Runs a statement.
     *
     * @param sql the statement; {@code %s} stands for the schema name
     * @param parameters its parameters
     * @return the update count
     * @throws SQLException if it fails
     */
    public int execute(String sql, Object... parameters) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement statement = connection.prepareStatement(sql.replace("%s", name))) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }

    /**
     * Runs a query that returns one number.
     *
     * @param sql the query; {@code %s} stands for the schema name
     * @param parameters its parameters
     * @return the number in the first column of the first row
     * @throws SQLException if it fails or returns no row
     */
    public long number(String sql, Object... parameters) throws SQLException {
        return queryOne(sql, parameters) instanceof Number n ? n.longValue() : -1;
    }

    /**
     * Runs a query that returns one value.
     *
     * @param sql the query; {@code %s} stands for the schema name
     * @param parameters its parameters
     * @return the value in the first column of the first row
     * @throws SQLException if it fails or returns no row
     */
    public Object queryOne(String sql, Object... parameters) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement statement = connection.prepareStatement(sql.replace("%s", name))) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("no row from " + sql);
                }
                return rows.getObject(1);
            }
        }
    }

    /**
     * Opens a connection as the superuser to this test's database ({@code postgres}, or its own).
     *
     * @return a new connection; close it
     * @throws SQLException if the server does not answer
     */
    public synchronized Connection connect() throws SQLException {
        return ownDatabase ? DriverManager.getConnection(server.jdbcUrl(name), PostgresServer.SUPERUSER, "")
                : server.connect();
    }

    /** Closes the stores (newest first) and drops the schema (or the test's own database). */
    @Override
    public synchronized void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (server.running()) {
            try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
                statement.execute(ownDatabase ? "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"
                        : "DROP SCHEMA IF EXISTS " + name + " CASCADE");
            }
        }
    }
}
