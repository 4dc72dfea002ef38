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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Reload on a real SIGHUP to a server in a child process: new users and certificate, open sessions untouched. */
class ReloadTest {

    private static final Pattern LISTENING = Pattern.compile("(POP3 with STLS|POP3S \\(implicit TLS\\)) on "
            + "127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;
    MaildirFixture fixture;
    DevCertificateAuthority ca;
    Process server;
    final BlockingQueue<String> log = new LinkedBlockingQueue<>();

    @BeforeEach
    void fixture() throws IOException {
        fixture = new MaildirFixture(dir);
        ca = DevCertificateAuthority.create();
        ca.issue("before.example").writePem(dir.resolve("chain.pem"), dir.resolve("key.pem"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
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
        int[] ports = start("--config", config.toString(), "--pid-file", pidFile.toString());
        InetSocketAddress plain = new InetSocketAddress("127.0.0.1", ports[0]);
        assertThat(Files.readString(pidFile).strip()).isEqualTo(Long.toString(server.pid()));
        assertThat(peerNames(ports[1])).contains("before.example");

        try (StandaloneServerTest.Line open = new StandaloneServerTest.Line(plain)) {
            open.send("USER alice");
            assertThat(open.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("+OK");

            String carol = "carol:" + dev.poplar.pop3.auth.passwd.PasswordScheme.SHA512_CRYPT.hash("carol-pass");
            Files.writeString(fixture.users, Files.readString(fixture.users) + carol + "\n");
            ca.issue("after.example").writePem(dir.resolve("chain.pem"), dir.resolve("key.pem"));
            assertThat(login(plain, "carol", "carol-pass")).as("before the signal").startsWith("-ERR");

            hangUp();
            assertThat(awaitLog("Reloaded")).contains("3 users of " + fixture.users, "certificate");

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
        assertThat(awaitLog("Reload failed")).contains("Reload failed; the server goes on as before");
        assertThat(awaitLog("reload_check_interval")).contains(config + ":6:").contains("must be a duration");
        assertThat(login(plain, "carol", "carol-pass")).as("still serving").startsWith("+OK");

        server.destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pidFile).doesNotExist();
    }

    private int[] start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PoplarServer.class.getName()));
        command.addAll(List.of(args));
        server = new ProcessBuilder(command).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(server.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    log.add(line);
                }
            } catch (IOException e) {
                log.add("(log closed: " + e + ")");
            }
        }, "server-log");
        reader.setDaemon(true);
        reader.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
        int[] ports = new int[2];
        for (String line; (line = out.readLine()) != null && !line.contains("Stop with Ctrl-C"); ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                ports[m.group(1).startsWith("POP3S") ? 1 : 0] = Integer.parseInt(m.group(2));
            }
        }
        assertThat(ports).as("listening ports; log: %s", log).doesNotContain(0);
        return ports;
    }

    private void hangUp() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private String awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; System.nanoTime() < deadline; ) {
            line = log.poll(1, TimeUnit.SECONDS);
            if (line != null && line.contains(text)) {
                return line;
            }
        }
        throw new AssertionError("no log line with '" + text + "' within 60 s");
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
}
