package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import dev.poplar.pop3.auth.passwd.PasswordScheme;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The loads against a real server (GreenMail, in this JVM, on a free port) over a small real fixture. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadsTest {

    private static final int RETR_SIZE = 8 * 1024;
    private static final int LIST_COUNT = 30;
    private static final int IDLE_USERS = 20;

    private Fixture fixture;
    private EmbeddedServerFactory.EmbeddedServer server;

    @BeforeAll
    void startGreenMailOverAFixture(@TempDir Path dir) throws IOException {
        FixtureSpec spec = new FixtureSpec(2, 3, 2, 5, RETR_SIZE, List.of(LIST_COUNT), 512, IDLE_USERS);
        fixture = Fixture.prepare(dir.resolve("fixture"), spec, new Log(System.err, true));
        server = new GreenMailEmbedded().start(fixture.maildirRoot(), fixture.usersFile());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void fixtureMessagesHaveTheNamedCrlfSizeAndDovecotStyleNames() throws IOException {
        try (var files = Files.list(fixture.maildirRoot().resolve(Fixture.retrUser(0)).resolve("cur"))) {
            List<Path> messages = files.toList();
            assertThat(messages).hasSize(5);
            for (Path message : messages) {
                byte[] lf = Files.readAllBytes(message);
                assertThat(GreenMailServer.toCrlf(lf)).hasSize(RETR_SIZE);
                assertThat(message.getFileName().toString()).endsWith(",S=" + lf.length + ",W=" + RETR_SIZE + ":2,");
            }
        }
        assertThat(Files.readAllLines(fixture.usersFile())).contains("sess0:{PLAIN}" + Fixture.PASSWORD)
                .hasSize(2 + 2 + 1 + IDLE_USERS);
    }

    @Test
    void sessionLoadCompletesSessionsWithoutFailures() throws InterruptedException {
        SessionLoad.Result result = SessionLoad.run(server.address(), null,
                List.of(Fixture.sessionUser(0), Fixture.sessionUser(1)), Duration.ofMillis(300));

        assertThat(result.failures().first()).isNull();
        assertThat(result.sessions()).isPositive();
        assertThat(result.perSecond()).isPositive();
    }

    @Test
    void theHashedUsersFileHasEveryUserWithASha512CryptEntryOfThePassword() throws IOException {
        Fixture hashed = fixture.withHashedPasswords();
        List<String> plain = Files.readAllLines(fixture.usersFile());
        List<String> lines = Files.readAllLines(hashed.usersFile());

        assertThat(hashed.usersFile()).isNotEqualTo(fixture.usersFile());
        assertThat(lines).extracting(line -> line.substring(0, line.indexOf(':')))
                .containsExactlyElementsOf(plain.stream().map(line -> line.substring(0, line.indexOf(':'))).toList());
        for (String line : List.of(lines.get(0), lines.get(lines.size() - 1))) {
            String entry = line.substring(line.indexOf(':') + 1);
            assertThat(entry).startsWith("{SHA512-CRYPT}$6$");
            assertThat(PasswordScheme.verify(entry, Fixture.PASSWORD)).isTrue();
        }
    }

    @Test
    void sessionsWithHashedPasswordsLogInToPoplar() throws Exception {
        try (EmbeddedServerFactory.EmbeddedServer poplar = new PoplarEmbedded().start(fixture.maildirRoot(),
                fixture.withHashedPasswords().usersFile())) {
            SessionLoad.Result result = SessionLoad.run(poplar.address(), null,
                    List.of(Fixture.sessionUser(0), Fixture.sessionUser(1)), Duration.ofMillis(300));

            assertThat(result.failures().first()).isNull();
            assertThat(result.sessions()).isPositive();
        }
    }

    @Test
    void retrLoadDownloadsEveryMessageAndChecksItsSize() throws InterruptedException {
        RetrLoad.Result result = RetrLoad.run(server.address(), null, List.of(Fixture.retrUser(0)), 5, RETR_SIZE);

        assertThat(result.failures().first()).isNull();
        assertThat(result.messages()).isEqualTo(5);
        assertThat(result.octets()).isEqualTo(5L * RETR_SIZE);
    }

    @Test
    void retrLoadReportsAMessageOfTheWrongSize() throws InterruptedException {
        RetrLoad.Result result = RetrLoad.run(server.address(), null, List.of(Fixture.retrUser(1)), 5, 1000);

        assertThat(result.failures().count()).isEqualTo(1);
        assertThat(result.failures().first()).contains("sent " + RETR_SIZE + " octets");
        assertThat(result.messages()).isZero();
    }

    @Test
    void listingLoadTimesACompleteUidlAndList() throws IOException {
        double millis = ListingLoad.run(server.address(), Fixture.listUser(LIST_COUNT), LIST_COUNT,
                Duration.ofSeconds(30));

        assertThat(millis).isPositive();
    }

    @Test
    void listingLoadRejectsAListingOfTheWrongLength() {
        assertThatIOException()
                .isThrownBy(() -> ListingLoad.run(server.address(), Fixture.listUser(LIST_COUNT), LIST_COUNT + 1,
                        Duration.ofSeconds(30)))
                .withMessageContaining("UIDL listed " + LIST_COUNT);
    }

    @Test
    void idleLoadHoldsEverySessionWhileMeasuringAndThenServesNoop() throws IOException {
        AtomicInteger measured = new AtomicInteger();
        List<String> users = IntStream.range(0, IDLE_USERS).mapToObj(Fixture::idleUser).toList();

        IdleLoad.Result result = IdleLoad.run(server.address(), users, 4, Duration.ofSeconds(30),
                measured::incrementAndGet);

        assertThat(result.failures().first()).isNull();
        assertThat(measured).hasValue(1);
        assertThat(result.loggedIn()).isEqualTo(IDLE_USERS);
        assertThat(result.served()).isEqualTo(IDLE_USERS);
    }

    @Test
    void idleLoadCountsSessionsThatCannotLogIn() throws IOException {
        IdleLoad.Result result = IdleLoad.run(server.address(), List.of(Fixture.idleUser(0), "nobody"), 2,
                Duration.ofSeconds(30), () -> { });

        assertThat(result.loggedIn()).isEqualTo(1);
        assertThat(result.served()).isEqualTo(1);
        assertThat(result.failures().first()).contains("nobody");
    }

    @Test
    void aSharedClientContextResumesTlsSessionsAndTheClientSaysSo() throws Exception {
        try (OkResponder responder = OkResponder.tls(fixture)) {
            SSLContext shared = ClientTls.trusting(fixture.certificate());
            boolean[] resumed = new boolean[3];
            for (int i = 0; i < resumed.length; i++) {
                try (Pop3Client client = Pop3Client.connect(responder.address(), shared)) {
                    client.quit();
                    resumed[i] = client.resumed();
                }
            }
            boolean withFreshContext;
            try (Pop3Client client = Pop3Client.connect(responder.address(),
                    ClientTls.trusting(fixture.certificate()))) {
                client.quit();
                withFreshContext = client.resumed();
            }

            assertThat(resumed).containsExactly(false, true, true);
            assertThat(withFreshContext).isFalse();
        }
    }

    @Test
    void listingLoadCutsOffAServerThatNeverEndsItsListing() throws Exception {
        try (OkResponder responder = new OkResponder(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))) {
            assertThatExceptionOfType(ListingLoad.LimitExceeded.class)
                    .isThrownBy(() -> ListingLoad.run(responder.address(), "anyone", 10, Duration.ofMillis(300)))
                    .withMessage("not complete within 300 ms");
        }
    }

    /** A server that greets, answers one line of +OK to every command (never ending a listing) and closes after QUIT. */
    private static final class OkResponder implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread acceptor;

        OkResponder(ServerSocket socket) {
            this.socket = socket;
            acceptor = new Thread(this::accept, "ok-responder");
            acceptor.start();
        }

        static OkResponder tls(Fixture fixture) throws Exception {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(fixture.keyStore())) {
                keys.load(in, Fixture.KEYSTORE_PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, Fixture.KEYSTORE_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return new OkResponder(context.getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        }

        InetSocketAddress address() {
            return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
        }

        private void accept() {
            while (!socket.isClosed()) {
                try (Socket client = socket.accept()) {
                    OutputStream out = client.getOutputStream();
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                    out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        if (line.equals("QUIT")) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    // a failed connection shows in the client's assertions; closing the socket ends the loop
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join();
        }
    }
}
