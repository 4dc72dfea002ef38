package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.james.protocols.netty.NettyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Apache James's POP3 server as the harness builds it, over a small real fixture, through the Java generator. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JamesTest {

    private static final int RETR_SIZE = 8 * 1024;
    private static final int LIST_COUNT = 40;

    private Fixture fixture;
    private EmbeddedServerFactory.EmbeddedServer plain;

    @BeforeAll
    void startJamesOverAFixture(@TempDir Path dir) throws IOException {
        FixtureSpec spec = new FixtureSpec(2, 3, 2, 6, RETR_SIZE, List.of(LIST_COUNT), 512, 0);
        fixture = Fixture.prepare(dir.resolve("fixture"), spec, new Log(System.err, true));
        plain = new JamesEmbedded().start(fixture.maildirRoot(), fixture.usersFile());
    }

    @AfterAll
    void stop() {
        plain.close();
    }

    @Test
    void servesSessionsToTheFixturesUsers() throws InterruptedException {
        SessionLoad.Result result = SessionLoad.run(plain.address(), null,
                List.of(Fixture.sessionUser(0), Fixture.sessionUser(1)), Duration.ofMillis(300));

        assertThat(result.failures().first()).isNull();
        assertThat(result.sessions()).isPositive();
    }

    @Test
    void sendsEveryMessageWithItsCrlfSize() throws InterruptedException {
        RetrLoad.Result result = RetrLoad.run(plain.address(), null, List.of(Fixture.retrUser(0)), 6, RETR_SIZE);

        assertThat(result.failures().first()).isNull();
        assertThat(result.octets()).isEqualTo(6L * RETR_SIZE);
    }

    @Test
    void listsTheWholeMailbox() throws IOException {
        assertThat(ListingLoad.run(plain.address(), Fixture.listUser(LIST_COUNT), LIST_COUNT, Duration.ofSeconds(30)))
                .isPositive();
    }

    @Test
    void refusesAWrongPassword() throws IOException {
        try (Pop3Client client = Pop3Client.connect(plain.address(), null)) {
            client.command("USER " + Fixture.sessionUser(0));
            org.assertj.core.api.Assertions.assertThatIOException()
                    .isThrownBy(() -> client.command("PASS wrong"))
                    .withMessageContaining("-ERR");
        }
    }

    @Nested
    class ImplicitTls {
        @Test
        void servesSessionsWithEitherKindOfCertificate() throws Exception {
            for (TlsKey key : TlsKey.values()) {
                Fixture keyed = fixture.withKey(key);
                NettyServer server = JamesPop3.start(fixture.maildirRoot(), PlainUsers.read(fixture.usersFile()),
                        new InetSocketAddress("127.0.0.1", 0),
                        JamesServer.serverContext(keyed.keyStore(), Fixture.KEYSTORE_PASSWORD));
                try {
                    SessionLoad.Result result = new JavaLoadGenerator().sessions(server.getListenAddresses().get(0),
                            LoadGenerator.ClientSide.trusting(keyed), List.of(Fixture.sessionUser(0)),
                            Duration.ofMillis(300));

                    assertThat(result.failures().first()).as(key.label()).isNull();
                    assertThat(result.sessions()).as(key.label()).isPositive();
                } finally {
                    server.unbind();
                }
            }
        }
    }
}
