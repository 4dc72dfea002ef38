package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C load generator, compiled from its source with gcc (OpenSSL headers needed), against GreenMail in this JVM
 * (a real server) and the canned-reply server (implicit TLS and STLS with the RSA certificate; the ECDSA one, not
 * the server's, is refused).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CLoadGeneratorTest {

    private static final int RETR_SIZE = 8 * 1024;

    private Path dir;
    private Fixture fixture;
    private CLoadGenerator generator;
    private EmbeddedServerFactory.EmbeddedServer greenMail;
    private Process canned;
    private Endpoints cannedEndpoints;

    @BeforeAll
    void compileAndStartServers(@TempDir Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        Path load = compile("pop3-load");
        Path cannedBinary = compile("pop3-canned");
        fixture = Fixture.prepare(dir.resolve("fixture"), new FixtureSpec(2, 3, 2, 5, RETR_SIZE, List.of(), 512, 0),
                new Log(System.err, true));
        generator = new CLoadGenerator(load, dir);
        greenMail = new GreenMailEmbedded().start(fixture.maildirRoot(), fixture.usersFile());
        cannedEndpoints = Endpoints.free();
        canned = new ProcessBuilder(cannedBinary.toString(), "--bind", cannedEndpoints.host(),
                "--port", Integer.toString(cannedEndpoints.plain()), "--tls-port", Integer.toString(cannedEndpoints.tls()),
                "--mailboxes", fixture.mailboxesFile().toString(), "--cert", fixture.certificate().toString(),
                "--key", fixture.privateKey().toString(), "--threads", "1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("canned.log").toFile()).start();
        awaitGreeting(cannedEndpoints.plainAddress());
    }

    @AfterAll
    void stop() throws InterruptedException {
        greenMail.close();
        canned.destroy();
        canned.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void countsSessionsAgainstARealServerAndReportsItsOwnCpu() throws IOException {
        SessionLoad.Result result = generator.sessions(greenMail.address(), null,
                List.of(Fixture.sessionUser(0), Fixture.sessionUser(1)), Duration.ofMillis(300));

        assertThat(result.failures().first()).isNull();
        assertThat(result.sessions()).isPositive();
        assertThat(result.seconds()).isBetween(0.3, 5.0);
        assertThat(result.generatorCpuSeconds()).isPositive().isLessThan(result.seconds() * 2 + 0.1);
        assertThat(result.resumed()).isZero();
    }

    @Test
    void downloadsEveryMessageAndChecksItsSize() throws IOException {
        RetrLoad.Result result = generator.retr(greenMail.address(), null,
                List.of(Fixture.retrUser(0), Fixture.retrUser(1)), 5, RETR_SIZE);

        assertThat(result.failures().first()).isNull();
        assertThat(result.messages()).isEqualTo(10);
        assertThat(result.octets()).isEqualTo(10L * RETR_SIZE);
    }

    @Test
    void reportsAMessageOfTheWrongSizeAsAFailedClient() throws IOException {
        RetrLoad.Result result = generator.retr(greenMail.address(), null, List.of(Fixture.retrUser(1)), 5, 1000);

        assertThat(result.failures().count()).isEqualTo(1);
        assertThat(result.failures().first()).contains("sent " + RETR_SIZE + " octets");
        assertThat(result.messages()).isZero();
    }

    @Test
    void countsRefusedLoginsAsFailures() throws IOException {
        SessionLoad.Result result = generator.sessions(greenMail.address(), null, List.of("nobody"),
                Duration.ofMillis(100));

        assertThat(result.sessions()).isZero();
        assertThat(result.failures().count()).isPositive();
        assertThat(result.failures().first()).startsWith("reply to USER nobody: -ERR");
    }

    @Nested
    class Tls {
        @Test
        void makesAFullHandshakeForEverySession() throws IOException {
            SessionLoad.Result result = generator.sessions(cannedEndpoints.tlsAddress(),
                    LoadGenerator.ClientSide.trusting(fixture), List.of(Fixture.sessionUser(0)), Duration.ofMillis(300));

            assertThat(result.failures().first()).isNull();
            assertThat(result.sessions()).isGreaterThan(1);
            assertThat(result.resumed()).isZero();
        }

        @Test
        void resumesThePreviousSessionWhenAsked() throws IOException {
            SessionLoad.Result result = generator.sessions(cannedEndpoints.tlsAddress(),
                    LoadGenerator.ClientSide.trusting(fixture).resuming(), List.of(Fixture.sessionUser(0)),
                    Duration.ofMillis(300));

            assertThat(result.failures().first()).isNull();
            assertThat(result.sessions()).isGreaterThan(2);
            // Every handshake but the client's first one resumes.
            assertThat(result.resumed()).isEqualTo(result.sessions() - 1);
        }

        @Test
        void refusesACertificateItDoesNotTrust() throws IOException {
            SessionLoad.Result result = generator.sessions(cannedEndpoints.tlsAddress(),
                    LoadGenerator.ClientSide.trusting(fixture.withKey(TlsKey.ECDSA)), List.of(Fixture.sessionUser(0)),
                    Duration.ofMillis(100));

            assertThat(result.sessions()).isZero();
            assertThat(result.failures().first()).contains("certificate verify failed");
        }

        @Test
        void downloadsOverImplicitTls() throws IOException {
            RetrLoad.Result result = generator.retr(cannedEndpoints.tlsAddress(),
                    LoadGenerator.ClientSide.trusting(fixture), List.of(Fixture.retrUser(0)), 5, RETR_SIZE);

            assertThat(result.failures().first()).isNull();
            assertThat(result.octets()).isEqualTo(5L * RETR_SIZE);
        }

        @Test
        void startsTlsWithStls() throws IOException {
            String output = Processes.run(List.of(dir.resolve("pop3-load").toString(), "--mode", "sessions",
                    "--host", cannedEndpoints.host(), "--port", Integer.toString(cannedEndpoints.plain()),
                    "--users", Fixture.sessionUser(0), "--password", Fixture.PASSWORD, "--tls", "stls",
                    "--ca", fixture.certificate().toString(), "--seconds", "0.2"), dir);

            assertThat(CLoadGenerator.parse(output)).containsEntry("failures", "0").doesNotContainEntry("sessions", "0");
        }
    }

    @Test
    void aBadCommandLineIsAnErrorNamingTheProblem() {
        assertThatIOException().isThrownBy(() -> Processes.run(List.of(dir.resolve("pop3-load").toString(),
                        "--mode", "sessions", "--host", "127.0.0.1", "--port", "0", "--users", "a",
                        "--password", "b"), dir))
                .withMessageContaining("--port must be from 1 to 65535");
    }

    @Test
    void outputWithoutAFigureIsAnError() {
        assertThatIOException().isThrownBy(() -> CLoadGenerator.parse("sessions 1\nseconds 1.0\n"))
                .withMessageContaining("no 'resumed'");
    }

    private Path compile(String program) throws IOException {
        Path binary = dir.resolve(program);
        Processes.run(List.of("gcc", "-O2", "-Wall", "-o", binary.toString(),
                Path.of("src/main/c", program + ".c").toAbsolutePath().toString(), "-lssl", "-lcrypto", "-lpthread"),
                dir);
        return binary;
    }

    private static void awaitGreeting(InetSocketAddress address) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Pop3Client client = Pop3Client.connect(address, null)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(10);
            }
        }
    }
}
