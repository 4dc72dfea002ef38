package dev.poplar.examples;

import dev.poplar.pop3.tls.DevCertificateAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Reload on a real SIGHUP to a server in a child process: new users and certificate, open sessions untouched. */
class ReloadTest {

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

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
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
        server = new ServerProcess(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PoplarServer.class.getName(),
                "--config", config.toString(), "--pid-file", pidFile.toString()), Map.of());
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
}
