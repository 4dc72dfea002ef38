package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poplar.pop3.auth.passwd.PasswdFileAuthenticator;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.maildir.MaildirStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakLoadTest {

    private static final Log LOG = new Log(System.err, true);

    /** The soak against Poplar in this JVM (plain and implicit TLS, a Maildir store), for a few seconds. */
    @Nested
    class AgainstPoplar {
        @Test
        void aShortSoakHasNoErrorsAndAccountsForEveryMessage(@TempDir Path dir) throws Exception {
            Fixture certificates = Fixture.prepare(dir.resolve("certificates"), FixtureSpec.startup(), LOG);
            Fixture fixture = certificates.emptyCopy(dir.resolve("soak"));
            SoakLoad.seed(fixture, 2);
            MaildirStore store = MaildirStore.builder(fixture.maildirRoot()).build();
            Listener plain = Listener.plain("127.0.0.1", 0);
            Listener implicitTls = Listener.implicitTls("127.0.0.1", 0);
            try (Pop3Server server = Pop3Server.builder()
                    .store(store)
                    .authenticator(PasswdFileAuthenticator.load(fixture.usersFile()))
                    .tls(serverContext(fixture.keyStore()))
                    .listener(plain)
                    .listener(implicitTls)
                    .shutdownGracePeriod(Duration.ZERO)
                    .build()) {
                server.start();
                Endpoints endpoints = new Endpoints("127.0.0.1", server.localAddress(plain).getPort(),
                        server.localAddress(implicitTls).getPort());

                SoakLoad.Result result = SoakLoad.run(fixture, endpoints, ProcessHandle.current(),
                        new SoakLoad.Settings(Duration.ofSeconds(2), 2, Duration.ofMillis(500)), dir, LOG);

                assertThat(result.errors()).isEmpty();
                assertThat(result.errorCount()).isZero();
                assertThat(result.accounting()).isEmpty();
                assertThat(result.mailSummary()).endsWith("holds");
                assertThat(result.counts()).containsKeys("messages retrieved", "messages delivered",
                        "messages deleted (QUIT confirmed)");
                assertThat(result.counts().keySet()).anyMatch(k -> k.startsWith("wrong passwords: refused"));
                assertThat(result.sessions()).isPositive();
                assertThat(result.samples()).first().extracting(SoakLoad.Sample::phase).isEqualTo("start");
                assertThat(result.samples()).last().extracting(SoakLoad.Sample::phase).isEqualTo("end");
                assertThat(result.samples()).allSatisfy(s -> {
                    assertThat(s.heapKib()).isPositive();
                    assertThat(s.fds()).isPositive();
                    assertThat(s.threads()).isPositive();
                });
                assertThat(result.samples()).last().extracting(SoakLoad.Sample::sessionsInMemory)
                        .as("sessions in memory once every connection has closed").isEqualTo(0L);
                assertThat(result.judged()).isFalse();
                assertThat(result.passed()).isTrue();
                assertThat(SoakLoad.markdown(result, "the command")).contains("**PASSED**", "the command",
                        "| heap after full GC (KiB) |", "not judged");
                // The mailboxes (a name starting with '.' is none: the store keeps its lock owner files there).
                try (var users = Files.list(fixture.maildirRoot())) {
                    assertThat(users.map(p -> p.getFileName().toString()).filter(name -> !name.startsWith(".")))
                            .containsExactlyInAnyOrder("soak0", "soak1", SoakLoad.VICTIM);
                }
            } finally {
                store.close();
            }
        }

        private static SSLContext serverContext(Path keyStore) throws Exception {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                keys.load(in, Fixture.KEYSTORE_PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, Fixture.KEYSTORE_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        }
    }

    @Nested
    class Verdicts {
        @Test
        void growthUpToTheAllowanceIsFlatAndBeyondItIsNot() {
            assertThat(new SoakLoad.Verdict("threads", "", 40, 42, 50, 2).flat()).isTrue();
            assertThat(new SoakLoad.Verdict("threads", "", 40, 43, 50, 2).flat()).isFalse();
            assertThat(new SoakLoad.Verdict("threads", "", 40, 30, 50, 2).flat()).isTrue();
        }

        @Test
        void aLongRunThatGrewFailsAndNamesWhatGrew() {
            SoakLoad.Result result = result(Duration.ofMinutes(10), 0, List.of(),
                    new SoakLoad.Verdict("open file descriptors", "", 23, 40, 60, 2));

            assertThat(result.judged()).isTrue();
            assertThat(result.passed()).isFalse();
            assertThat(SoakLoad.verdictLine(result)).contains("**FAILED**", "NOT FLAT (open file descriptors)");
            assertThat(SoakLoad.markdown(result, "cmd")).contains("| open file descriptors | 23 | 40 | 60 | 2 | NOT FLAT |");
        }

        @Test
        void aShortRunIsNotJudgedOnGrowthButFailsOnErrorsAndLostMessages() {
            SoakLoad.Verdict grew = new SoakLoad.Verdict("threads", "", 40, 60, 60, 2);

            assertThat(result(Duration.ofSeconds(8), 0, List.of(), grew).passed()).isTrue();
            assertThat(result(Duration.ofSeconds(8), 1, List.of(), grew).passed()).isFalse();
            assertThat(result(Duration.ofSeconds(8), 0, List.of("soak0: 1 lost"), grew).passed()).isFalse();
            assertThat(SoakLoad.verdictLine(result(Duration.ofSeconds(8), 0, List.of("soak0: 1 lost"), grew)))
                    .contains("MESSAGES NOT ACCOUNTED FOR");
        }

        private static SoakLoad.Result result(Duration duration, long errors, List<String> accounting,
                                              SoakLoad.Verdict verdict) {
            SoakLoad.Settings settings = new SoakLoad.Settings(duration, 1, Duration.ofSeconds(1));
            return new SoakLoad.Result(settings, List.of(), List.of(verdict), Map.of(), errors,
                    errors > 0 ? List.of("an error") : List.of(), "summary", accounting, settings.judged(), 1);
        }
    }

    @Test
    void sessionsInMemoryAreReadFromTheClassHistogram() {
        String histogram = """
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:        115219       18328992  [B (java.base@17.0.15)
                  18:          2991         287136  dev.poplar.pop3.server.internal.session.ProtocolSession
                  19:             7            168  dev.poplar.pop3.server.internal.session.ProtocolSession$Stats
                """;

        assertThat(SoakLoad.instances(histogram, SoakLoad.SESSION_CLASS)).isEqualTo(2991);
        assertThat(SoakLoad.instances(histogram, "java.lang.Thread")).isZero();
    }

    @Test
    void messagesHaveLfLineEndsAndLinesThatNeedDotStuffing() {
        byte[] message = SoakLoad.message("soak0", 7, 20_000);
        String text = new String(message, StandardCharsets.US_ASCII);

        assertThat(message.length).isBetween(20_000, 20_100);
        assertThat(text).doesNotContain("\r").startsWith("Message-ID: <7.soak0@soak.example.org>\n");
        assertThat(text).contains("\n.\n", "\n..leading dots\n");
        assertThat(SoakLoad.message("soak0", 7, 20_000)).isEqualTo(message);
    }
}
