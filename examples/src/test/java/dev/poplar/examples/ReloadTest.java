package dev.poplar.examples;

import dev.poplar.pop3.tls.DevCertificateAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reload on a real SIGHUP to a server in a child process: new users, certificate and access rules, open sessions
 * untouched; with a listener behind a balancer that sends the PROXY protocol, the Prometheus endpoint scraped over
 * HTTP, and the audit trail in its own file, read back as JSON lines.
 */
class ReloadTest {

    private static final Pattern BALANCED = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+) \\(balanced\\)");
    private static final Pattern METRICS = Pattern.compile("Metrics for Prometheus on (http://\\S+)");

    @TempDir
    Path dir;
    MaildirFixture fixture;
    DevCertificateAuthority ca;
    ServerProcess server;

    @BeforeEach
    void fixture() throws IOException {
        fixture = new MaildirFixture(dir);
        ca = DevCertificateAuthority.create();
        ca.issue("before.example").writePem(dir.resolve("chain.pem"), dir.resolve("key.pem"));
    }

    /** The standalone server in a JVM of its own, on this test's class path. */
    static List<String> standalone(String... arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), PoplarServer.class.getName()));
        command.addAll(List.of(arguments));
        return command;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aServerStartedWithSighupIgnoredSaysThatTheSignalWillNotReloadIt() throws Exception {
        Path config = dir.resolve("poplar.yaml");
        Files.writeString(config, String.join("\n",
                "listeners:",
                "  - {address: 127.0.0.1, port: 0}",
                "  - {address: 127.0.0.1, port: 0, implicit_tls: true}",
                "tls: {certificate: chain.pem, key: key.pem}",
                "store: {maildir: {root: mail}}",
                "auth: {users_file: users}",
                ""));
        server = new ServerProcess(standalone("--config", config.toString()), Map.of(), true);

        assertThat(server.awaitLog("SIGHUP will not reload")).contains("ignored when this process started", "nohup");
    }

    @Test
    void sighupAppliesTheNewUsersFileAndCertificateWhileAnOpenSessionGoesOn() throws Exception {
        Path config = dir.resolve("poplar.yaml");
        // Files are not watched (reload_check_interval 1h, reload_interval 0): only the signal can apply a change.
        Files.writeString(config, String.join("\n",
                "listeners:",
                "  - {address: 127.0.0.1, port: 0}",
                "  - {address: 127.0.0.1, port: 0, implicit_tls: true}",
                "tls: {certificate: chain.pem, key: key.pem, reload_interval: 0}",
                "store: {maildir: {root: mail}}",
                "auth: {users_file: users, reload_check_interval: 1h}",
                "limits: {auth_failure_delay: {initial: 0s, max: 0s}}",
                ""));
        Path pidFile = dir.resolve("poplar.pid");
        server = new ServerProcess(standalone("--config", config.toString(), "--pid-file", pidFile.toString()),
                Map.of());
        int[] ports = server.ports;
        InetSocketAddress plain = new InetSocketAddress("127.0.0.1", ports[0]);
        assertThat(Files.readString(pidFile).strip()).isEqualTo(Long.toString(server.process.pid()));
        assertThat(peerNames(ports[1])).contains("before.example");

        try (StandaloneServerTest.Line open = new StandaloneServerTest.Line(plain)) {
            open.send("USER alice");
            assertThat(open.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("+OK");

            String carol = "carol:" + dev.poplar.pop3.auth.passwd.PasswordScheme.SHA512_CRYPT.hash("carol-pass");
            Files.writeString(fixture.users, Files.readString(fixture.users) + carol + "\n");
            ca.issue("after.example").writePem(dir.resolve("chain.pem"), dir.resolve("key.pem"));
            assertThat(login(plain, "carol", "carol-pass")).as("before the signal").startsWith("-ERR");

            hangUp();
            assertThat(server.awaitLog("Reloaded")).contains("3 users of " + fixture.users, "certificate");

            assertThat(login(plain, "carol", "carol-pass")).startsWith("+OK");
            assertThat(peerNames(ports[1])).contains("after.example").doesNotContain("before.example");
            assertThat(open.send("STAT")).startsWith("+OK " + fixture.alice.size() + " ");
            assertThat(open.send("RETR 1")).startsWith("+OK");
            open.lines();
            assertThat(open.send("QUIT")).startsWith("+OK");
        }

        Files.writeString(config, Files.readString(config).replace("reload_check_interval: 1h",
                "reload_check_interval: soon"));
        hangUp();
        assertThat(server.awaitLog("Reload failed")).contains("Reload failed; the server goes on as before");
        assertThat(server.awaitLog("reload_check_interval")).contains(config + ":6:").contains("must be a duration");
        assertThat(login(plain, "carol", "carol-pass")).as("still serving").startsWith("+OK");

        // A setting the server took at start: the reload says it needs a restart instead of claiming success.
        Files.writeString(config, Files.readString(config).replace("reload_check_interval: soon",
                "reload_check_interval: 1h, plaintext_auth: require_tls"));
        hangUp();
        assertThat(server.awaitLog("need a restart")).contains("auth.plaintext_auth");

        assertThat(server.stop()).isTrue();
        assertThat(pidFile).doesNotExist();
    }


    private void hangUp() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.process.pid())).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }


    private static String login(InetSocketAddress address, String user, String password) throws IOException {
        try (StandaloneServerTest.Line session = new StandaloneServerTest.Line(address)) {
            session.send("USER " + user);
            return session.send("PASS " + password);
        }
    }

    private List<String> peerNames(int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) ca.clientSslContext().getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            X509Certificate certificate = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            List<String> names = new ArrayList<>();
            names.add(certificate.getSubjectX500Principal().getName());
            if (certificate.getSubjectAlternativeNames() != null) {
                certificate.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
            }
            return names.stream().flatMap(n -> List.of(n, n.replace("CN=", "")).stream()).toList();
        }
    }

    @Test
    void sighupAppliesNewAccessRulesToABalancedListenerWhileMetricsAndTheAuditFileRecordIt() throws Exception {
        Path config = dir.resolve("poplar.yaml");
        String denied = "    - deny 203.0.113.0/24 on balanced\n";
        Files.writeString(config, String.join("\n",
                "listeners:",
                "  - {address: 127.0.0.1, port: 0}",
                "  - {address: 127.0.0.1, port: 0, implicit_tls: true}",
                "  - name: balanced",
                "    address: 127.0.0.1",
                "    port: 0",
                "    behind_proxy: {trust: [127.0.0.1/32], header_timeout: 5s}",
                "tls: {development_ca: {ca_file: ca.pem}}",
                "store: {maildir: {root: mail}}",
                "auth: {users_file: users, reload_check_interval: 1h}",
                "limits: {auth_failure_delay: {initial: 0s, max: 0s}}",
                "access:",
                "  rules:",
                denied + "  trusted_networks: [198.51.100.0/24]   # the office: passwords in clear, no penalty",
                "metrics: {address: 127.0.0.1, port: 0}",
                "audit: {file: logs/audit.log, max_file_size: 10MB, max_history: 7}",
                ""));
        Files.createDirectory(dir.resolve("logs"));
        server = new ServerProcess(standalone("--config", config.toString()), Map.of());
        InetSocketAddress balanced = new InetSocketAddress("127.0.0.1", Integer.parseInt(find(BALANCED)));

        try (Proxied session = new Proxied(balanced, "198.51.100.7", 40000)) {
            assertThat(session.greeting).startsWith("+OK");
            assertThat(session.send("USER alice")).as("plain text from a trusted network").startsWith("+OK");
            assertThat(session.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("+OK");
            assertThat(session.send("QUIT")).startsWith("+OK");
        }
        try (Proxied refused = new Proxied(balanced, "203.0.113.9", 40001)) {
            assertThat(refused.greeting).startsWith("-ERR");
        }

        Files.writeString(config, Files.readString(config).replace(denied, "    - allow all\n"));
        hangUp();
        assertThat(server.awaitLog("Reloaded")).contains("access rules (2)");
        try (Proxied admitted = new Proxied(balanced, "203.0.113.9", 40002)) {
            assertThat(admitted.greeting).startsWith("+OK");
        }

        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                find(METRICS))).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("pop3_logins_total{mechanism=\"USER\",outcome=\"success\"} 1.0",
                "pop3_connections_refused_total{reason=\"access_denied\"} 1.0");

        assertThat(server.stop()).isTrue();
        List<String> audit = Files.readAllLines(dir.resolve("logs/audit.log"));
        assertThat(audit).anySatisfy(line -> assertThat(line).startsWith("{\"time\":\"")
                .contains("\"event\":\"login.success\"", "\"listener\":\"balanced\"", "\"client_ip\":\"198.51.100.7\"",
                        "\"client_port\":40000", "\"user\":\"alice\"", "\"mechanism\":\"USER\"").endsWith("}"));
        assertThat(audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"connection.refused\"",
                "\"client_ip\":\"203.0.113.9\"", "\"reason\":\"access_denied\""));
        assertThat(audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"session.end\"",
                "\"user\":\"alice\"", "\"end\":\"quit\""));
        assertThat(String.join("\n", audit)).doesNotContain(MaildirFixture.ALICE_PASSWORD);
    }

    private String find(Pattern pattern) {
        for (String line : server.started) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("not in what the server printed: " + pattern + "\n" + server.started);
    }

    /** A connection through a balancer: the PROXY protocol v1 header first, then POP3. */
    private static final class Proxied implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;
        final String greeting;

        Proxied(InetSocketAddress server, String client, int clientPort) throws IOException {
            socket = new Socket(server.getAddress(), server.getPort());
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
            out.write(("PROXY TCP4 " + client + " 127.0.0.1 " + clientPort + " " + server.getPort() + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            greeting = in.readLine();
        }

        String send(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
