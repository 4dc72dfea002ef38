package dev.poplar.examples;

import dev.poplar.pop3.tls.DevCertificateAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distribution archive as an operator gets it: unpacked with tar, its launcher run with the example
 * configuration (its production paths and ports swapped for test ones), and real clients logging in.
 */
class DistributionIT {

    @TempDir
    Path dir;
    Path home;
    Path cache;
    MaildirFixture fixture;
    ServerProcess server;

    @BeforeEach
    void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("poplar.dist"));
        assertThat(archive).isRegularFile();
        cache = dir.resolve("cache");
        assertThat(run(List.of("tar", "-xzf", archive.toString(), "-C", dir.toString())).exitValue()).isZero();
        home = dir.resolve("poplar-" + System.getProperty("poplar.version"));
        fixture = new MaildirFixture(dir);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theLauncherServesTheExampleConfigurationToCurlAndPoplib() throws Exception {
        assertThat(home.resolve("bin/poplar")).isExecutable();
        assertThat(home.resolve("systemd/poplar.service")).content()
                .contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", "NoNewPrivileges=true", "User=poplar");

        // The users file gets a SHA512-CRYPT entry made by the launcher's own password tool.
        Process pw = run(List.of(home.resolve("bin/poplar").toString(), "pw", "-s", "SHA512-CRYPT", "-p", "carol-pass"));
        String hash = new String(pw.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(pw.exitValue()).as(hash).isZero();
        Files.writeString(fixture.users, Files.readString(fixture.users) + "carol:" + hash + "\n");
        Files.createDirectories(fixture.root.resolve("carol/new"));
        Files.writeString(fixture.root.resolve("carol/new/1700000000.M1P1.test"), "Subject: for carol\n\nhi\n");

        DevCertificateAuthority ca = DevCertificateAuthority.create();
        ca.issue().writePem(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"));
        ca.writeCaPem(dir.resolve("ca.pem"));
        Path config = exampleConfiguration();

        Process check = run(List.of(home.resolve("bin/poplar").toString(), "check-config", config.toString()));
        String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                + new String(check.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.exitValue()).as(checked).isZero();
        assertThat(checked).contains(config + ": OK", "3 users of " + fixture.users);

        Path pidFile = dir.resolve("poplar.pid");
        server = new ServerProcess(List.of(home.resolve("bin/poplar").toString(), "--config", config.toString(),
                "--pid-file", pidFile.toString()), Map.of("POPLAR_CDS_DIR", cache.toString()));
        int[] ports = server.ports;
        assertThat(cacheFiles()).as("class-data archive made at the first start").singleElement().asString()
                .endsWith(".jsa");

        Process curl = run(List.of("curl", "-sS", "--max-time", "30", "--cacert", dir.resolve("ca.pem").toString(),
                "-u", "carol:carol-pass", "pop3s://127.0.0.1:" + ports[1] + "/1"));
        String retrieved = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.exitValue()).as(new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        assertThat(retrieved).contains("Subject: for carol", "hi");

        Path script = dir.resolve("stls.py");
        Files.writeString(script, String.join("\n",
                "import poplib, ssl, sys",
                "p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)",
                "p.stls(ssl.create_default_context(cafile=sys.argv[2]))",
                "p.user('bob'); p.pass_(sys.argv[3])",
                "print(p.stat()[0]); p.quit()",
                ""));
        Process python = run(List.of("python3", script.toString(), Integer.toString(ports[0]),
                dir.resolve("ca.pem").toString(), MaildirFixture.BOB_PASSWORD));
        String stat = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                + new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.exitValue()).as(stat).isZero();
        assertThat(stat.strip()).isEqualTo("1");

        Process reload = run(List.of(home.resolve("bin/poplar").toString(), "reload", "--pid-file",
                pidFile.toString()));
        assertThat(reload.exitValue()).isZero();
        assertThat(server.awaitLog("Reloaded")).contains("3 users of " + fixture.users);

        // The archive is really used: with -Xshare:on the JVM refuses to start if it cannot map it.
        Process shared = run(List.of(home.resolve("bin/poplar").toString(), "check-config", config.toString()),
                Map.of("POPLAR_JAVA_OPTS", "-Xshare:on -Xlog:cds=info"));
        String sharedLog = new String(shared.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shared.exitValue()).as(sharedLog).isZero();
        assertThat(sharedLog).contains("Opened archive " + cache.resolve(cacheFiles().get(0)));

        assertThat(server.stop()).isTrue();
        assertThat(pidFile).doesNotExist();
    }

    /** The shipped example, with its production paths and ports replaced; each replacement must apply. */
    private Path exampleConfiguration() throws IOException {
        String example = Files.readString(home.resolve("conf/poplar.yaml"));
        Map<String, String> replacements = Map.of(
                "/etc/letsencrypt/live/mail.example.org/fullchain.pem", dir.resolve("fullchain.pem").toString(),
                "/etc/letsencrypt/live/mail.example.org/privkey.pem", dir.resolve("privkey.pem").toString(),
                "root: /var/mail/vhosts", "root: " + fixture.root,
                "/etc/poplar/users", fixture.users.toString(),
                "/etc/poplar/app-passwords", dir.resolve("app-passwords").toString(),
                "/var/lib/poplar/app-passwords.last-used", dir.resolve("app-passwords.last-used").toString(),
                "address: 0.0.0.0", "address: 127.0.0.1",
                "port: 110", "port: 0",
                "port: 995", "port: 0");
        String config = example;
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            assertThat(config).as("the example has %s", r.getKey()).contains(r.getKey());
            config = config.replace(r.getKey(), r.getValue());
        }
        Path file = dir.resolve("poplar.yaml");
        Files.writeString(file, config);
        return file;
    }


    private List<String> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    private Process run(List<String> command) throws Exception {
        return run(command, Map.of());
    }

    private Process run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        builder.environment().put("POPLAR_CDS_DIR", cache.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new Finished(process, out, err);
    }


    /** A finished process whose output was read while it ran, so that a full pipe cannot block it. */
    private static final class Finished extends Process {
        private final Process process;
        private final byte[] out;
        private final byte[] err;

        Finished(Process process, byte[] out, byte[] err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        @Override
        public java.io.OutputStream getOutputStream() {
            return java.io.OutputStream.nullOutputStream();
        }

        @Override
        public java.io.InputStream getInputStream() {
            return new java.io.ByteArrayInputStream(out);
        }

        @Override
        public java.io.InputStream getErrorStream() {
            return new java.io.ByteArrayInputStream(err);
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public int exitValue() {
            return process.exitValue();
        }

        @Override
        public void destroy() {
            process.destroy();
        }
    }
}
