package dev.poplar.examples;

import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.jdbc.JdbcMailboxStore;
import dev.poplar.pop3.store.jdbc.Poll;
import dev.poplar.pop3.store.jdbc.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Three standalone server processes (the distribution's launcher, {@code store: jdbc}) on one real PostgreSQL, behind
 * a real HAProxy ({@code send-proxy-v2}, POP3 health checks), reached by a client on 127.0.0.2 while HAProxy connects
 * from 127.0.0.1. The steps run in order on the one cluster: any node serves any user and sees the client's address;
 * the hold holds across nodes; a node killed with SIGKILL in the middle of a session loses nothing, its mailbox is free
 * again within the lease, the others go on and HAProxy takes the dead node out; a database restart under load gives
 * {@code [SYS/TEMP]} and then recovers by itself. A missing {@code haproxy} fails the test (CI installs it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Execution(ExecutionMode.SAME_THREAD)
class ClusterIT {

    /** The nodes' hold lease: how long a dead node's mailboxes stay held at most. */
    static final Duration LEASE = Duration.ofSeconds(4);
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String CLIENT = "127.0.0.2";
    static final List<String> USERS = List.of("alice", "bob", "carol");

    Path dir;
    PostgresServer database;
    JdbcMailboxStore mail;
    final Logs logs = new Logs();
    final Map<String, Node> nodes = new LinkedHashMap<>();
    Process haproxy;
    Path haproxyLog;
    Path statsSocket;
    int frontend;
    final Map<String, Long> timings = new LinkedHashMap<>();

    @BeforeAll
    void startTheCluster() throws Exception {
        long started = System.nanoTime();
        String haproxyBinary = haproxyBinary();
        dir = Files.createTempDirectory("poplar-cluster");
        database = PostgresServer.start();
        database.createDatabase("mail");
        // The schema is created here once, as an operator would before starting the nodes.
        mail = JdbcMailboxStore.builder(database.jdbcUrl("mail"), PostgresServer.SUPERUSER, "")
                .nodeName("test-delivery").build();
        Path home = unpack();
        StringBuilder users = new StringBuilder();
        USERS.forEach(u -> users.append(u).append(":{PLAIN}").append(u).append("-pass\n"));
        Files.writeString(dir.resolve("users"), users);
        timings.put("database and distribution", elapsed(started));

        long nodesStarted = System.nanoTime();
        List<CompletableFuture<Node>> starting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String name = "node-" + i;
            Path config = dir.resolve(name + ".yaml");
            Files.writeString(config, nodeConfig(name));
            ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/poplar").toString(), "--config",
                    config.toString()).redirectErrorStream(true);
            // Credentials come from the environment (or a file), never from the command line.
            builder.environment().put("USER_FOR_DB", PostgresServer.SUPERUSER);
            builder.environment().put("POPLAR_DB_PASSWORD", "trust-ignores-it");
            builder.environment().put("POPLAR_CDS", "off");
            Process process = builder.start();
            process.getOutputStream().close();
            starting.add(CompletableFuture.supplyAsync(() -> new Node(name, process, logs)));
        }
        for (CompletableFuture<Node> node : starting) {
            Node n = node.get(60, TimeUnit.SECONDS);
            nodes.put(n.name, n);
        }
        timings.put("three nodes", elapsed(nodesStarted));

        frontend = freePort();
        statsSocket = dir.resolve("haproxy.sock");
        haproxyLog = dir.resolve("haproxy.log");
        Path haproxyConfig = dir.resolve("haproxy.cfg");
        Files.writeString(haproxyConfig, haproxyConfig());
        haproxy = new ProcessBuilder(haproxyBinary, "-db", "-f", haproxyConfig.toString())
                .redirectErrorStream(true).redirectOutput(haproxyLog.toFile()).start();
        Poll.until(TIMEOUT, () -> {
            if (!haproxy.isAlive()) {
                fail("haproxy ended: " + Files.readString(haproxyLog));
            }
            return Optional.of(serverStates()).filter(s -> s.size() == 3 && s.values().stream()
                    .allMatch(state -> state.equals("UP")));
        });
        timings.put("cluster up", elapsed(started));
    }

    @AfterAll
    void stopTheCluster() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        }
        for (Node node : nodes.values()) {
            node.stop();
        }
        if (mail != null) {
            mail.close();
        }
        if (database != null) {
            database.close();
        }
        System.out.println("Cluster test timings (ms): " + timings);
        if (dir != null) {
            try (Stream<Path> tree = Files.walk(dir)) {
                tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    String nodeConfig(String name) {
        return String.join("\n",
                "listeners:",
                "  - address: 127.0.0.1",
                "    port: 0",
                "    behind_proxy: {trust: [127.0.0.1]}",
                "store:",
                "  jdbc:",
                "    url: " + database.jdbcUrl("mail"),
                "    user: ${env:USER_FOR_DB}",
                "    password: ${env:POPLAR_DB_PASSWORD}",
                "    node_name: " + name,
                "    hold_lease: " + LEASE.toSeconds() + "s",
                "    heartbeat: 1s",
                "    connection_timeout: 1s",
                "    statement_timeout: 2s",
                "    pool_size: 4",
                "auth: {users_file: users}",
                "limits: {auth_failure_delay: {initial: 0s, max: 0s}}",
                "server: {shutdown_grace_period: 1s}",
                "");
    }

    /** The HAProxy configuration of the README's cluster section, on this test's ports. */
    String haproxyConfig() {
        List<String> lines = new ArrayList<>(List.of(
                "global",
                "    maxconn 1000",
                "    stats socket " + statsSocket + " mode 600 level admin",
                "defaults",
                "    mode tcp",
                "    timeout connect 2s",
                "    timeout client 10m",
                "    timeout server 10m",
                "    timeout check 2s",
                "    retries 2",
                "    option redispatch 1",
                "frontend pop3",
                "    bind 127.0.0.1:" + frontend,
                "    default_backend poplar",
                "backend poplar",
                "    balance roundrobin",
                "    option tcp-check",
                "    tcp-check expect string +OK",
                "    tcp-check send QUIT\\r\\n",
                "    tcp-check expect string +OK",
                "    default-server send-proxy-v2 check inter 300ms fall 2 rise 2"));
        for (Node node : nodes.values()) {
            lines.add("    server " + node.name + " 127.0.0.1:" + node.port);
        }
        lines.add("");
        return String.join("\n", lines);
    }

    @Test
    @Order(1)
    void anyNodeServesAnyUserAndSeesTheClientsOwnAddress() throws Exception {
        for (String user : USERS) {
            mail.deliver(user, text("Subject: for " + user + "\n\nhello " + user + "\n"));
        }
        for (String user : USERS) {
            Set<String> servedBy = new HashSet<>();
            // Round robin gives three sessions in a row three nodes; a few more in case a health check reorders it.
            for (int i = 0; i < 9 && servedBy.size() < nodes.size(); i++) {
                int port;
                try (Pop3Client client = new Pop3Client(frontend)) {
                    port = client.localPort();
                    assertThat(client.login(user)).startsWith("+OK");
                    assertThat(client.send("RETR 1")).startsWith("+OK");
                    assertThat(client.lines()).contains("hello " + user);
                    assertThat(client.send("QUIT")).startsWith("+OK");
                }
                // HAProxy connects from 127.0.0.1; 127.0.0.2 can only come from the PROXY header.
                servedBy.add(logs.await(line -> line.contains("closed from /" + CLIENT + ":" + port + ":")
                        && line.contains(" user=" + user + " ")).node);
            }
            assertThat(servedBy).as("the nodes that served %s", user).containsExactlyInAnyOrderElementsOf(
                    nodes.keySet());
        }
    }

    @Test
    @Order(2)
    void aMailboxOpenOnOneNodeIsInUseOnTheOthersWhichNameTheHolder() throws Exception {
        try (Pop3Client holder = new Pop3Client(frontend)) {
            assertThat(holder.login("alice")).startsWith("+OK");
            for (int i = 0; i < 2; i++) {
                try (Pop3Client other = new Pop3Client(frontend)) {
                    assertThat(other.login("alice")).startsWith("-ERR [IN-USE]");
                }
            }
            List<Logs.Entry> refusals = List.of(logs.await(l -> l.contains("mailbox alice is held by node node-")),
                    logs.await(l -> l.contains("mailbox alice is held by node node-")));
            String holdingNode = holdingNode(refusals.get(0).line);
            assertThat(refusals).extracting(r -> r.node).doesNotContain(holdingNode).doesNotHaveDuplicates();
            assertThat(holder.send("QUIT")).startsWith("+OK");
        }
        try (Pop3Client again = new Pop3Client(frontend)) {
            assertThat(again.login("alice")).as("released at QUIT").startsWith("+OK");
        }
    }

    @Test
    @Order(3)
    void aNodeKilledInTheMiddleOfASessionLosesNothingAndItsMailboxIsFreeWithinTheLease() throws Exception {
        mail.deliver("carol", text("Subject: two\n\nsecond\n"));
        mail.deliver("carol", text("Subject: three\n\nthird\n"));
        List<String> uidsBefore;
        try (Pop3Client victimSession = new Pop3Client(frontend)) {
            assertThat(victimSession.login("carol")).startsWith("+OK");
            assertThat(victimSession.send("UIDL")).startsWith("+OK");
            uidsBefore = victimSession.lines();
            assertThat(uidsBefore).hasSize(3);
            assertThat(victimSession.send("RETR 1")).startsWith("+OK");
            victimSession.lines();
            assertThat(victimSession.send("DELE 1")).startsWith("+OK");
            assertThat(victimSession.send("DELE 2")).startsWith("+OK");
            try (Pop3Client probe = new Pop3Client(frontend)) {
                assertThat(probe.login("carol")).startsWith("-ERR [IN-USE]");
            }
            Node victim = nodes.get(holdingNode(
                    logs.await(l -> l.contains("mailbox carol is held by node node-")).line));

            long killed = System.nanoTime();
            victim.process.destroyForcibly();
            assertThat(victim.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(victim.process.exitValue()).as("SIGKILL").isEqualTo(137);
            assertThatThrownBy(() -> victimSession.send("NOOP")).as("the session died with its node")
                    .isInstanceOf(IOException.class);

            // The other nodes go on at once: HAProxy sends what it tried on the dead node to another.
            for (int i = 0; i < 4; i++) {
                try (Pop3Client bob = new Pop3Client(frontend)) {
                    assertThat(bob.login("bob")).startsWith("+OK");
                    assertThat(bob.send("QUIT")).startsWith("+OK");
                }
            }
            Poll.until(TIMEOUT, () -> Optional.ofNullable(serverStates().get(victim.name))
                    .filter(state -> state.startsWith("DOWN")));
            timings.put("HAProxy marks the node down", elapsed(killed));
            assertThat(serverStates()).containsValue("UP").hasSize(3);
            List<String> uidsAfter = Poll.until(TIMEOUT, () -> {
                try (Pop3Client carol = new Pop3Client(frontend)) {
                    String reply = carol.login("carol");
                    if (reply.startsWith("-ERR [IN-USE]")) {
                        return Optional.empty();
                    }
                    assertThat(reply).startsWith("+OK");
                    carol.send("UIDL");
                    List<String> uids = carol.lines();
                    carol.send("QUIT");
                    return Optional.of(uids);
                }
            });
            long freeAfter = elapsed(killed);
            timings.put("mailbox free after kill -9", freeAfter);
            assertThat(uidsAfter).as("nothing deleted without QUIT").isEqualTo(uidsBefore);
            assertThat(Duration.ofMillis(freeAfter)).isLessThanOrEqualTo(LEASE.plusSeconds(2));

            nodes.remove(victim.name);
        }
    }

    @Test
    @Order(4)
    void aDatabaseRestartUnderLoadGivesSysTempForAWhileThenRecoversByItself() throws Exception {
        List<String> replies = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            while (running.get()) {
                try (Pop3Client bob = new Pop3Client(frontend)) {
                    String reply = bob.login("bob");
                    if (reply.startsWith("+OK")) {
                        reply = bob.send("STAT");
                        bob.send("QUIT");
                    }
                    replies.add(reply);
                } catch (IOException e) {
                    replies.add("failed: " + e);
                }
            }
        });
        try {
            Poll.until(TIMEOUT, () -> Optional.of(replies.size()).filter(n -> n >= 5));
            long stopped = System.nanoTime();
            database.stop();
            int before = replies.size();
            Poll.until(TIMEOUT, () -> replies.subList(before, replies.size()).stream()
                    .filter(r -> r.startsWith("-ERR [SYS/TEMP]")).findFirst());
            timings.put("first [SYS/TEMP] after the database stopped", elapsed(stopped));
            database.startAgain();
            long restarted = System.nanoTime();
            int during = replies.size();
            Poll.until(TIMEOUT, () -> replies.subList(during, replies.size()).stream()
                    .filter(r -> r.startsWith("+OK 1 ")).findFirst());
            timings.put("recovered after the database restarted", elapsed(restarted));
        } finally {
            running.set(false);
            load.get(30, TimeUnit.SECONDS);
        }
        // A hold whose release failed while the database was away is released by its node's next heartbeat: until
        // then the mailbox is [IN-USE].
        assertThat(replies).as("every session got an answer: STAT, or [SYS/TEMP] while the database was away")
                .allMatch(r -> r.startsWith("+OK 1 ") || r.startsWith("-ERR [SYS/TEMP]")
                        || r.startsWith("-ERR [IN-USE]"));
        try (Pop3Client bob = new Pop3Client(frontend)) {
            assertThat(bob.login("bob")).startsWith("+OK");
            assertThat(bob.send("STAT")).startsWith("+OK 1 ");
        }
    }

    static String holdingNode(String logLine) {
        Matcher m = Pattern.compile("is held by node (node-\\d)").matcher(logLine);
        assertThat(m.find()).as(logLine).isTrue();
        return m.group(1);
    }

    /** Each server's state in HAProxy ({@code UP}, {@code DOWN}, ...), from the stats socket. */
    Map<String, String> serverStates() throws IOException {
        String csv;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(statsSocket));
            channel.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            csv = new String(read(channel), StandardCharsets.US_ASCII);
        } catch (IOException notYet) {
            return Map.of();
        }
        List<String> rows = csv.lines().toList();
        if (rows.isEmpty()) {
            return Map.of();
        }
        List<String> header = List.of(rows.get(0).replaceFirst("^# ", "").split(","));
        int proxy = header.indexOf("pxname");
        int server = header.indexOf("svname");
        int status = header.indexOf("status");
        Map<String, String> states = new LinkedHashMap<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] fields = row.split(",", -1);
            if (fields.length > status && fields[proxy].equals("poplar") && fields[server].startsWith("node-")) {
                states.put(fields[server], fields[status]);
            }
        }
        return states;
    }

    private static byte[] read(SocketChannel channel) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            out.write(buffer.array(), 0, buffer.limit());
            buffer.clear();
        }
        return out.toByteArray();
    }

    Path unpack() throws Exception {
        Path archive = Path.of(System.getProperty("poplar.dist"));
        assertThat(archive).isRegularFile();
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        return dir.resolve("poplar-" + System.getProperty("poplar.version"));
    }

    static String haproxyBinary() {
        for (String candidate : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return fail("haproxy is not installed: apt-get install haproxy (.ci/run installs it)");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    static ByteArrayInputStream text(String message) {
        return new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8));
    }

    static long elapsed(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    /** The log lines of every node, kept, and waited for without consuming them. */
    static final class Logs {
        record Entry(String node, String line) {
        }

        private final List<Entry> entries = new ArrayList<>();
        private final Set<Integer> taken = new HashSet<>();

        synchronized void add(String node, String line) {
            entries.add(new Entry(node, line));
            notifyAll();
        }

        /** The first line not returned before that matches, waiting for it up to {@link #TIMEOUT}. */
        synchronized Entry await(Predicate<String> matching) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            int from = 0;
            while (true) {
                for (int i = from; i < entries.size(); i++) {
                    if (!taken.contains(i) && matching.test(entries.get(i).line)) {
                        taken.add(i);
                        return entries.get(i);
                    }
                }
                from = entries.size();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such log line within " + TIMEOUT + "; the last lines: "
                            + entries.subList(Math.max(0, entries.size() - 20), entries.size()));
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** A server process started with the launcher: its port from what it prints, its output kept in {@link Logs}. */
    static final class Node {
        private static final Pattern LISTENING = Pattern.compile("POP3 \\(no TLS\\) on 127\\.0\\.0\\.1:(\\d+)");

        final String name;
        final Process process;
        final int port;

        Node(String name, Process process, Logs logs) {
            this.name = name;
            this.process = process;
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            List<String> early = new ArrayList<>();
            int found = 0;
            try {
                for (String line; (line = out.readLine()) != null && !line.contains("Stop with Ctrl-C"); ) {
                    early.add(line);
                    logs.add(name, line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        found = Integer.parseInt(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(found).as("%s listening; output: %s", name, early).isPositive();
            assertThat(early).as("%s names its node", name).anyMatch(l -> l.contains("node " + name + ")"));
            port = found;
            Thread drain = new Thread(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        logs.add(name, line);
                    }
                } catch (IOException ended) {
                    logs.add(name, "(output closed: " + ended + ")");
                }
            }, name + "-output");
            drain.setDaemon(true);
            drain.start();
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** A POP3 client connecting from {@link #CLIENT}. */
    static final class Pop3Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Pop3Client(int port) throws IOException {
            socket = new Socket();
            socket.bind(new InetSocketAddress(CLIENT, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
            String greeting = in.readLine();
            if (greeting == null || !greeting.startsWith("+OK")) {
                throw new IOException("greeting: " + greeting);
            }
        }

        int localPort() {
            return socket.getLocalPort();
        }

        String login(String user) throws IOException {
            send("USER " + user);
            return send("PASS " + user + "-pass");
        }

        String send(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = in.readLine();
            if (reply == null) {
                throw new IOException("connection closed after " + command);
            }
            return reply;
        }

        List<String> lines() throws IOException {
            List<String> lines = new ArrayList<>();
            for (String l; !".".equals(l = in.readLine()); ) {
                if (l == null) {
                    throw new IOException("connection closed in a multi-line reply");
                }
                lines.add(l);
            }
            return lines;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
