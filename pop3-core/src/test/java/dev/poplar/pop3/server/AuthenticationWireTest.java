package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** CAPA, APOP, AUTH PLAIN (RFC 2449, 1939, 5034) and the authenticator's results, over a real socket. */
class AuthenticationWireTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    WireClient connect(Pop3Server.Builder builder) throws IOException {
        server = TestServers.start(builder);
        WireClient client = WireClient.connect(server);
        return client;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Nested
    class Capa {
        @Test
        void listsWhatTheServerOffersBeforeLogin() throws IOException {
            try (WireClient client = connect(TestServers.builder(store))) {
                client.greeting();
                assertThat(client.send("CAPA")).isEqualTo("+OK capability list follows");
                assertThat(client.lines()).containsExactly("TOP", "UIDL", "RESP-CODES", "PIPELINING", "USER",
                        "SASL SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN", "AUTH-RESP-CODE");
            }
        }

        @Test
        void listsTransactionCapabilitiesAfterLoginAndConfiguredOnes() throws IOException {
            try (WireClient client = connect(TestServers.builder(store).expire(Expire.never())
                    .loginDelay(Duration.ofSeconds(900)).implementation("Poplar test"))) {
                client.greeting();
                client.login("alice", "s3cret");
                assertThat(client.send("CAPA")).startsWith("+OK");
                assertThat(client.lines()).containsExactly("TOP", "UIDL", "RESP-CODES", "PIPELINING",
                        "EXPIRE NEVER", "LOGIN-DELAY 900", "IMPLEMENTATION Poplar test");
            }
        }

        @Test
        void neitherUserNorPlainIsOfferedWhereClearTextPasswordsAreRefused() throws IOException {
            try (WireClient client = connect(TestServers.builder(store).plaintextAuth(PlaintextAuth.REQUIRE_TLS)
                    .authenticator(Authenticator.fromMap(java.util.Map.of("alice", "s3cret"))))) {
                client.greeting();
                assertThat(client.send("CAPA")).startsWith("+OK");
                assertThat(client.lines()).contains("TOP", "SASL SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5")
                        .doesNotContain("USER");
                assertThat(client.send("USER alice")).isEqualTo(
                        "-ERR [AUTH] plain-text authentication is not allowed on an insecure connection;"
                                + " use STLS or TLS");
                assertThat(client.send("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("-ERR [AUTH]");
            }
        }
    }

    @Nested
    class AuthPlain {
        @Test
        void initialResponseLogsIn() throws IOException {
            try (WireClient client = connect(TestServers.builder(store))) {
                client.greeting();
                assertThat(client.send("AUTH PLAIN " + b64("\0alice\0s3cret"))).startsWith("+OK maildrop has");
            }
        }

        @Test
        void continuationLogsIn() throws IOException {
            try (WireClient client = connect(TestServers.builder(store))) {
                client.greeting();
                assertThat(client.send("AUTH PLAIN")).isEqualTo("+ ");
                assertThat(client.send(b64("alice\0alice\0s3cret"))).startsWith("+OK");
            }
        }

        @Test
        void anAsteriskAbortsTheExchange() throws IOException {
            try (WireClient client = connect(TestServers.builder(store))) {
                client.greeting();
                assertThat(client.send("AUTH PLAIN")).isEqualTo("+ ");
                assertThat(client.send("*")).isEqualTo("-ERR authentication aborted");
                assertThat(client.send("NOOP")).isEqualTo("-ERR command not valid in this state");
            }
        }

        @Test
        void badBase64IsRejected() throws IOException {
            try (WireClient client = connect(TestServers.builder(store))) {
                client.greeting();
                assertThat(client.send("AUTH PLAIN !!!notbase64")).isEqualTo("-ERR invalid base64 in SASL response");
                assertThat(client.send("AUTH PLAIN")).isEqualTo("+ ");
                assertThat(client.send("%%%")).isEqualTo("-ERR invalid base64 in SASL response");
            }
        }

        @Test
        void wrongPasswordAndMalformedMessagesAreAuthFailures() throws IOException {
            try (WireClient client = connect(TestServers.builder(store).maxAuthFailures(5))) {
                client.greeting();
                assertThat(client.send("AUTH PLAIN " + b64("\0alice\0wrong")))
                        .isEqualTo("-ERR [AUTH] authentication failed");
                assertThat(client.send("AUTH PLAIN " + b64("no separators")))
                        .isEqualTo("-ERR [AUTH] authentication failed");
                assertThat(client.send("AUTH PLAIN =")).isEqualTo("-ERR [AUTH] authentication failed");
            }
        }

        @Test
        void anAuthorizationIdentityOtherThanTheUserIsRefusedByTheMapAuthenticator() throws IOException {
            try (WireClient client = connect(TestServers.builder(store))) {
                client.greeting();
                assertThat(client.send("AUTH PLAIN " + b64("bob\0alice\0s3cret"))).startsWith("-ERR [AUTH]");
            }
        }

        @Test
        void unknownMechanismsAreRefusedAndAuthWithoutArgumentsListsMechanisms() throws IOException {
            try (WireClient client = connect(TestServers.builder(store))) {
                client.greeting();
                assertThat(client.send("AUTH GSSAPI")).isEqualTo("-ERR unsupported authentication mechanism");
                assertThat(client.send("AUTH")).isEqualTo("+OK");
                assertThat(client.lines()).containsExactly("SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN",
                        "LOGIN");
            }
        }

        @Test
        void aLongInitialResponseIsAcceptedBeyondTheCommandLimit() throws IOException {
            String password = "p".repeat(400);
            try (WireClient client = connect(TestServers.builder(store)
                    .authenticator(Authenticator.fromMap(java.util.Map.of("alice", password))))) {
                client.greeting();
                assertThat(client.send("AUTH PLAIN " + b64("\0alice\0" + password))).startsWith("+OK");
            }
        }
    }

    @Nested
    class Apop {
        @Test
        void greetingCarriesAUniqueTimestampAndApopLogsIn() throws Exception {
            try (WireClient client = connect(TestServers.builder(store))) {
                String greeting = client.greeting();
                Matcher m = Pattern.compile("<[^<>@]+@[^<>]+>").matcher(greeting);
                assertThat(m.find()).as(greeting).isTrue();
                String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                        .digest((m.group() + "s3cret").getBytes(StandardCharsets.UTF_8)));
                assertThat(client.send("APOP alice " + digest))
                        .startsWith("+OK maildrop has");
                try (WireClient second = WireClient.connect(server)) {
                    assertThat(second.greeting()).doesNotContain(m.group());
                }
            }
        }

        @Test
        void aWrongDigestIsRejected() throws IOException {
            try (WireClient client = connect(TestServers.builder(store))) {
                client.greeting();
                assertThat(client.send("APOP alice " + HexFormat.of().formatHex(new byte[16])))
                        .isEqualTo("-ERR [AUTH] authentication failed");
                assertThat(client.send("APOP alice")).isEqualTo("-ERR syntax: APOP name digest");
            }
        }

        @Test
        void apopIsNeitherAnnouncedNorAcceptedWhenTheAuthenticatorCannotVerifyIt() throws IOException {
            Authenticator passwordsOnly = (credentials, client) -> AuthResult.reject();
            try (WireClient client = connect(TestServers.builder(store).authenticator(passwordsOnly))) {
                assertThat(client.greeting()).doesNotContain("<");
                assertThat(client.send("APOP alice " + HexFormat.of().formatHex(new byte[16])))
                        .isEqualTo("-ERR unsupported authentication mechanism");
            }
        }
    }

    @Nested
    class AuthenticatorResults {
        @Test
        void delayedBecomesLoginDelay() throws IOException {
            try (WireClient client = connect(TestServers.builder(store)
                    .authenticator((c, i) -> AuthResult.delay(Duration.ofMinutes(5))))) {
                client.greeting();
                assertThat(client.login("alice", "x")).isEqualTo(
                        "-ERR [LOGIN-DELAY] minimum time between logins not reached");
            }
        }

        @Test
        void unavailableAndAThrowingAuthenticatorBecomeSysTempWithoutExceptionText() throws IOException {
            try (WireClient client = connect(TestServers.builder(store)
                    .authenticator((c, i) -> {
                        throw new IllegalStateException("database password is hunter2");
                    }))) {
                client.greeting();
                String reply = client.login("alice", "x");
                assertThat(reply).isEqualTo("-ERR [SYS/TEMP] authentication temporarily unavailable, try again later");
                assertThat(reply).doesNotContain("hunter2");
            }
        }

        @Test
        void acceptedOpensTheMailboxTheAuthenticatorNames() throws IOException {
            store.add("shared", "Subject: s\r\n\r\nshared\r\n");
            try (WireClient client = connect(TestServers.builder(store)
                    .authenticator((c, i) -> AuthResult.accept("shared")))) {
                client.greeting();
                assertThat(client.login("anyone", "x")).isEqualTo("+OK maildrop has 1 message (22 octets)");
            }
        }

        @Test
        void theAuthenticatorSeesTheClientConnection() throws IOException {
            List<ClientInfo> seen = new CopyOnWriteArrayList<>();
            List<Credentials> given = new CopyOnWriteArrayList<>();
            try (WireClient client = connect(TestServers.builder(store).authenticator((c, i) -> {
                seen.add(i);
                given.add(c);
                return AuthResult.accept(c.username());
            }))) {
                client.greeting();
                client.login("alice", "pw");
                assertThat(seen).singleElement().satisfies(info -> {
                    assertThat(info.isLoopback()).isTrue();
                    assertThat(info.secure()).isFalse();
                    assertThat(info.localAddress().getPort()).isEqualTo(server.localAddress().getPort());
                    assertThat(info.remoteAddress().getPort()).isEqualTo(client.socket().getLocalPort());
                });
                assertThat(given).singleElement().isEqualTo(new Credentials.Password("alice", "pw"));
                assertThat(given.get(0).toString()).doesNotContain("pw]").contains("***");
            }
        }
    }
}
