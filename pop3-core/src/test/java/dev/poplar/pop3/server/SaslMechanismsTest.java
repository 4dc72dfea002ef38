package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.poplar.pop3.server.ScramClient.b64;
import static dev.poplar.pop3.server.ScramClient.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every SASL mechanism without a socket: the exchange that logs in, wrong credentials, malformed messages and
 * aborted exchanges, and when each is offered.
 */
class SaslMechanismsTest {

    static final String LOGGED_IN = "+OK maildrop has 0 messages (0 octets)\r\n";
    static final String FAILED = "-ERR [AUTH] authentication failed\r\n";
    static final String ABORTED = "-ERR authentication aborted\r\n";

    final EveryKind authenticator = EveryKind.standard();

    Pop3Server.Builder server() {
        return Pop3Server.builder().store(new InMemoryMailboxStore()).authenticator(authenticator)
                .authFailureDelay(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1)).maxAuthFailures(10);
    }

    SessionHarness session() {
        return SessionHarness.of(server());
    }

    /** @return the base64 of a challenge line */
    static String challenge(String reply) {
        assertThat(reply).startsWith("+ ").endsWith("\r\n").doesNotContain("\r\n+");
        return reply.substring(2, reply.length() - 2);
    }

    static String hmacMd5(String key, String challenge) throws Exception {
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
        return HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
    }

    @Nested
    class Offered {
        @Test
        void capaListsEveryMechanismTheAuthenticatorSupportsOnAPlainLoopbackConnection() {
            assertThat(session().send("CAPA")).contains(
                    "SASL SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2\r\n");
        }

        @Test
        void clearTextMechanismsAndBearerTokensFollowThePlaintextPolicy() {
            SessionHarness remote = new SessionHarness.Server(server()).connect("192.0.2.7");
            assertThat(remote.send("CAPA")).contains("SASL SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5\r\n")
                    .doesNotContain("USER");
            assertThat(remote.send("AUTH LOGIN", "AUTH XOAUTH2", "AUTH OAUTHBEARER")).isEqualTo(
                    ("-ERR [AUTH] plain-text authentication is not allowed on an insecure connection; use STLS or"
                            + " TLS\r\n").repeat(3));
            assertThat(remote.send("AUTH SCRAM-SHA-256-PLUS", "AUTH EXTERNAL", "AUTH GSSAPI"))
                    .isEqualTo("-ERR unsupported authentication mechanism\r\n".repeat(3));
        }

        @Test
        void aTrustedNetworkMaySendPasswordsInClearAsLoopbackMay() {
            SessionHarness trusted = new SessionHarness.Server(server()
                    .accessRules(AccessRules.builder().trust("192.0.2.0/24").build())).connect("192.0.2.7");
            assertThat(trusted.send("CAPA")).contains("USER\r\n", " PLAIN LOGIN OAUTHBEARER XOAUTH2\r\n");
        }

        @Test
        void anAuthenticatorOfPasswordsOnlyGetsPlainAndLogin() {
            SessionHarness session = SessionHarness.of(server().authenticator((c, i) -> AuthResult.reject()));
            assertThat(session.send("CAPA")).contains("SASL PLAIN LOGIN\r\n");
            assertThat(session.send("AUTH CRAM-MD5")).isEqualTo("-ERR unsupported authentication mechanism\r\n");
        }

        @Test
        void overTlsWithChannelBindingThePlusVariantsAndExternalAreOffered() {
            X509Certificate certificate = DevCertificateAuthority.create().issueClient("alice").certificate();
            SessionHarness session = new SessionHarness.Server(server())
                    .connectSecure("192.0.2.7", List.of(certificate), new byte[32]);
            assertThat(session.send("CAPA")).contains("SASL EXTERNAL SCRAM-SHA-256-PLUS SCRAM-SHA-256 "
                    + "SCRAM-SHA-1-PLUS SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2\r\n");
        }
    }

    @Nested
    class Login {
        @Test
        void asksForTheUserNameThenThePassword() {
            SessionHarness session = session();
            assertThat(text(challenge(session.send("AUTH LOGIN")))).isEqualTo("Username:");
            assertThat(text(challenge(session.send(b64("alice"))))).isEqualTo("Password:");
            assertThat(session.send(b64("s3cret"))).isEqualTo(LOGGED_IN);
            assertThat(authenticator.seen).containsExactly(new Credentials.Password("alice", "s3cret"));
        }

        @Test
        void takesTheUserNameAsInitialResponse() {
            SessionHarness session = session();
            assertThat(text(challenge(session.send("AUTH LOGIN " + b64("alice"))))).isEqualTo("Password:");
            assertThat(session.send(b64("s3cret"))).isEqualTo(LOGGED_IN);
        }

        @Test
        void aWrongPasswordAnEmptyNameAndAnAbortFail() {
            SessionHarness session = session();
            session.send("AUTH LOGIN " + b64("alice"));
            assertThat(session.send(b64("wrong"))).isEqualTo(FAILED);
            session.send("AUTH LOGIN");
            assertThat(session.send("=")).startsWith("-ERR");
            session.send("AUTH LOGIN");
            assertThat(session.send("")).isEqualTo(FAILED);
            session.send("AUTH LOGIN", b64("alice"));
            assertThat(session.send("*")).isEqualTo(ABORTED);
            assertThat(session.send("AUTH LOGIN", b64("alice"), "!!")).endsWith(
                    "-ERR invalid base64 in SASL response\r\n");
        }
    }

    @Nested
    class CramMd5 {
        @Test
        void theDigestOfTheChallengeLogsIn() throws Exception {
            SessionHarness session = session();
            String challenge = text(challenge(session.send("AUTH CRAM-MD5")));
            assertThat(challenge).matches("<[0-9a-f]{16}\\.\\d+@127\\.0\\.0\\.1>");
            assertThat(session.send(b64("alice " + hmacMd5("s3cret", challenge)))).isEqualTo(LOGGED_IN);
        }

        @Test
        void everyExchangeHasItsOwnChallenge() {
            String first = challenge(session().send("AUTH CRAM-MD5"));
            String second = challenge(session().send("AUTH CRAM-MD5"));
            assertThat(first).isNotEqualTo(second);
        }

        @Test
        void aWrongDigestAMalformedAnswerAndAnInitialResponseFail() throws Exception {
            SessionHarness session = session();
            String challenge = text(challenge(session.send("AUTH CRAM-MD5")));
            assertThat(session.send(b64("alice " + hmacMd5("wrong", challenge)))).isEqualTo(FAILED);
            session.send("AUTH CRAM-MD5");
            assertThat(session.send(b64("alice"))).isEqualTo(FAILED);
            session.send("AUTH CRAM-MD5");
            assertThat(session.send(b64("alice not-hex-not-hex-not-hex-not-he"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH CRAM-MD5 " + b64("alice"))).isEqualTo(FAILED);
            session.send("AUTH CRAM-MD5");
            assertThat(session.send("*")).isEqualTo(ABORTED);
        }
    }

    @Nested
    class Scram {
        @ParameterizedTest
        @EnumSource(ScramSecret.Algorithm.class)
        void theClientProvesThePasswordAndTheServerProvesTheKeys(ScramSecret.Algorithm algorithm) {
            SessionHarness session = session();
            ScramClient client = ScramClient.of(algorithm, "alice");
            String serverFirst = challenge(session.send("AUTH " + algorithm.mechanism() + " " + client.first()));
            assertThat(text(serverFirst)).matches("r=fyko\\+d2lbbFgONRv9qkxdawL\\S+,s=\\S+,i=4096");
            String serverFinal = challenge(session.send(client.last(serverFirst, "s3cret")));
            assertThat(client.verifies(serverFinal)).isTrue();
            assertThat(authenticator.seen).isEmpty();
            assertThat(session.send("")).isEqualTo(LOGGED_IN);
            assertThat(authenticator.seen).containsExactly(new Credentials.Scram("alice", "", algorithm, false));
        }

        @Test
        void theFirstMessageMayFollowAnEmptyChallenge() {
            SessionHarness session = session();
            ScramClient client = ScramClient.of(ScramSecret.Algorithm.SHA_256, "alice");
            assertThat(session.send("AUTH SCRAM-SHA-256")).isEqualTo("+ \r\n");
            String serverFirst = challenge(session.send(client.first()));
            assertThat(client.verifies(challenge(session.send(client.last(serverFirst, "s3cret"))))).isTrue();
            assertThat(session.send("")).isEqualTo(LOGGED_IN);
        }

        @ParameterizedTest
        @CsvSource({"alice, wrong", "mallory, anything"})
        void aWrongPasswordOrAnUnknownUserFailsAlikeAndTheAuthenticatorIsNotAsked(String user, String password) {
            SessionHarness session = session();
            ScramClient client = ScramClient.of(ScramSecret.Algorithm.SHA_256, user);
            String serverFirst = challenge(session.send("AUTH SCRAM-SHA-256 " + client.first()));
            assertThat(session.send(client.last(serverFirst, password))).isEqualTo(FAILED);
            assertThat(authenticator.seen).isEmpty();
        }

        Map<String, String> serverFirst(SessionHarness.Server server, String user) {
            return ScramClient.attributes(text(challenge(server.connect("127.0.0.1").send("AUTH SCRAM-SHA-1 "
                    + ScramClient.of(ScramSecret.Algorithm.SHA_1, user).first()))));
        }

        @Test
        void anUnknownUserGetsAStableMadeUpSaltShapedLikeTheRealOnes() {
            Authenticator unusual = new EveryKind(Map.of(), Map.of()) {
                @Override
                public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
                    return username.equals("alice")
                            ? Optional.of(ScramSecret.derive(algorithm, "s3cret", new byte[24], 5000))
                            : Optional.empty();
                }
            };
            SessionHarness.Server server = new SessionHarness.Server(server().authenticator(unusual));
            Map<String, String> alice = serverFirst(server, "alice");
            assertThat(alice.get("i")).isEqualTo("5000");
            Map<String, String> mallory = serverFirst(server, "mallory");
            assertThat(mallory.get("i")).isEqualTo("5000");
            assertThat(Base64.getDecoder().decode(mallory.get("s"))).hasSize(24);
            assertThat(serverFirst(server, "mallory").get("s")).isEqualTo(mallory.get("s"));
            assertThat(serverFirst(server, "trudy").get("s")).isNotEqualTo(mallory.get("s"));
        }

        @Test
        void malformedMessagesFail() {
            SessionHarness session = session();
            assertThat(session.send("AUTH SCRAM-SHA-256 " + b64("n,,r=nonce-without-user"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH SCRAM-SHA-256 " + b64("x,,n=alice,r=abc"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH SCRAM-SHA-256 " + b64("n,,m=ext,n=alice,r=abc"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH SCRAM-SHA-256 " + b64("n,,n=al=ice,r=abc"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH SCRAM-SHA-256 " + b64("p=tls-server-end-point,,n=alice,r=abc")))
                    .isEqualTo(FAILED);
            ScramClient client = ScramClient.of(ScramSecret.Algorithm.SHA_256, "alice");
            String serverFirst = challenge(session.send("AUTH SCRAM-SHA-256 " + client.first()));
            assertThat(session.send(b64("c=biws,r=not-the-nonce,p=AAAA"))).isEqualTo(FAILED);
            serverFirst = challenge(session.send("AUTH SCRAM-SHA-256 " + client.first()));
            String serverFinal = challenge(session.send(client.last(serverFirst, "s3cret")));
            assertThat(client.verifies(serverFinal)).isTrue();
            assertThat(session.send(b64("not empty"))).isEqualTo(FAILED);
        }

        @Test
        void anAbortAfterTheServersFirstMessageEndsTheExchange() {
            SessionHarness session = session();
            challenge(session.send("AUTH SCRAM-SHA-1 " + ScramClient.of(ScramSecret.Algorithm.SHA_1, "alice")
                    .first()));
            assertThat(session.send("*")).isEqualTo(ABORTED);
            assertThat(session.send("NOOP")).isEqualTo("-ERR command not valid in this state\r\n");
        }

        @Test
        void aLookupThatFailsIsTemporary() {
            Authenticator broken = new EveryKind(Map.of("alice", "s3cret"), Map.of()) {
                @Override
                public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
                    throw new IllegalStateException("directory down");
                }
            };
            SessionHarness session = SessionHarness.of(server().authenticator(broken));
            assertThat(session.send("AUTH SCRAM-SHA-256 " + ScramClient.of(ScramSecret.Algorithm.SHA_256, "alice")
                    .first())).isEqualTo("-ERR [SYS/TEMP] authentication temporarily unavailable, try again later\r\n");
            assertThat(session.send("NOOP")).isEqualTo("-ERR command not valid in this state\r\n");
        }
    }

    @Nested
    class ScramPlus {
        final byte[] binding = HexFormat.of().parseHex("8f1f6c5a0e0d1c2b3a49586776859483"
                + "a2b1c0dfeefd0c1b2a3948576675849f");

        SessionHarness overTls() {
            return new SessionHarness.Server(server()).connectSecure("192.0.2.7", List.of(), binding);
        }

        @Test
        void theExchangeIsBoundToTheTlsServerCertificate() {
            SessionHarness session = overTls();
            ScramClient client = new ScramClient(ScramSecret.Algorithm.SHA_256, "alice", "p=tls-server-end-point,,",
                    binding, "rOprNGfwEbeRWgbNEkqO");
            String serverFirst = challenge(session.send("AUTH SCRAM-SHA-256-PLUS " + client.first()));
            assertThat(client.verifies(challenge(session.send(client.last(serverFirst, "s3cret"))))).isTrue();
            assertThat(session.send("")).isEqualTo(LOGGED_IN);
            assertThat(authenticator.seen).containsExactly(new Credentials.Scram("alice", "",
                    ScramSecret.Algorithm.SHA_256, true));
        }

        @Test
        void otherBindingDataFails() {
            SessionHarness session = overTls();
            ScramClient client = new ScramClient(ScramSecret.Algorithm.SHA_256, "alice", "p=tls-server-end-point,,",
                    new byte[32], "rOprNGfwEbeRWgbNEkqO");
            String serverFirst = challenge(session.send("AUTH SCRAM-SHA-256-PLUS " + client.first()));
            assertThat(session.send(client.last(serverFirst, "s3cret"))).isEqualTo(FAILED);
        }

        @Test
        void otherBindingTypesAndTheDowngradeFlagFail() {
            SessionHarness session = overTls();
            assertThat(session.send("AUTH SCRAM-SHA-256-PLUS " + b64("p=tls-unique,,n=alice,r=abc")))
                    .isEqualTo(FAILED);
            assertThat(session.send("AUTH SCRAM-SHA-256-PLUS " + b64("n,,n=alice,r=abc"))).isEqualTo(FAILED);
            // RFC 5802 section 6: "y" says the client thinks the server cannot bind; here it can.
            assertThat(session.send("AUTH SCRAM-SHA-256 " + b64("y,,n=alice,r=abc"))).isEqualTo(FAILED);
        }

        @Test
        void withoutPlusOfferedTheFlagYIsAccepted() {
            SessionHarness session = session();
            ScramClient client = new ScramClient(ScramSecret.Algorithm.SHA_1, "alice", "y,,", new byte[0], "abc");
            String serverFirst = challenge(session.send("AUTH SCRAM-SHA-1 " + client.first()));
            assertThat(client.verifies(challenge(session.send(client.last(serverFirst, "s3cret"))))).isTrue();
        }
    }

    @Nested
    class OAuthBearer {
        static String message(String user, String token) {
            return b64("n," + (user.isEmpty() ? "" : "a=" + user) + ",\u0001host=mail.example.com\u0001port=110"
                    + "\u0001auth=Bearer " + token + "\u0001\u0001");
        }

        @Test
        void aValidTokenLogsIn() {
            SessionHarness session = session();
            assertThat(session.send("AUTH OAUTHBEARER " + message("alice", "ya29.alice-token"))).isEqualTo(LOGGED_IN);
            assertThat(authenticator.seen).containsExactly(new Credentials.Bearer("alice", "ya29.alice-token",
                    "OAUTHBEARER"));
        }

        @Test
        void theUserMayBeLeftToTheToken() {
            SessionHarness session = session();
            assertThat(session.send("AUTH OAUTHBEARER")).isEqualTo("+ \r\n");
            assertThat(session.send(message("", "ya29.alice-token"))).isEqualTo(LOGGED_IN);
        }

        @Test
        void aRefusedTokenGetsTheJsonErrorThenFailsOnTheDummyResponse() {
            SessionHarness session = SessionHarness.of(server().oauthErrorDetails(Optional.of("mail.pop"),
                    Optional.of(URI.create("https://login.example.com/.well-known/openid-configuration"))));
            String error = text(challenge(session.send("AUTH OAUTHBEARER " + message("alice", "expired"))));
            assertThat(error).isEqualTo("{\"status\":\"invalid_token\",\"scope\":\"mail.pop\","
                    + "\"openid-configuration\":\"https://login.example.com/.well-known/openid-configuration\"}");
            assertThat(session.send(b64("\u0001"))).isEqualTo(FAILED);
            assertThat(session.send("NOOP")).isEqualTo("-ERR command not valid in this state\r\n");
        }

        @Test
        void withoutDetailsTheErrorHasTheStatusOnly() {
            SessionHarness session = session();
            assertThat(text(challenge(session.send("AUTH OAUTHBEARER " + message("alice", "expired")))))
                    .isEqualTo("{\"status\":\"invalid_token\"}");
        }

        @Test
        void anAbortAfterTheErrorStillCountsAsAFailedLogin() {
            SessionHarness session = SessionHarness.of(server().maxAuthFailures(2).maxBadCommands(10));
            session.send("AUTH OAUTHBEARER " + message("alice", "guess-1"));
            assertThat(session.send("*")).isEqualTo(FAILED);
            session.send("AUTH OAUTHBEARER " + message("alice", "guess-2"));
            assertThat(session.send("*")).isEqualTo(FAILED);
            assertThat(session.closedWith).isEqualTo(EndReason.TOO_MANY_ERRORS);
        }

        @Test
        void malformedMessagesFail() {
            SessionHarness session = session();
            assertThat(session.send("AUTH OAUTHBEARER " + b64("\u0001"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH OAUTHBEARER " + b64("n,,\u0001auth=Basic YWxpY2U6czNjcmV0\u0001\u0001")))
                    .isEqualTo(FAILED);
            assertThat(session.send("AUTH OAUTHBEARER " + b64("p=tls-unique,,\u0001auth=Bearer x\u0001\u0001")))
                    .isEqualTo(FAILED);
            assertThat(session.send("AUTH OAUTHBEARER " + b64("n,,\u0001auth=Bearer x\u0001"))).isEqualTo(FAILED);
        }
    }

    @Nested
    class XOAuth2 {
        static String message(String user, String token) {
            return b64("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001");
        }

        @Test
        void aValidTokenLogsInInOneLineOrTwo() {
            assertThat(session().send("AUTH XOAUTH2 " + message("alice", "ya29.alice-token"))).isEqualTo(LOGGED_IN);
            SessionHarness twoLines = session();
            assertThat(twoLines.send("AUTH XOAUTH2")).isEqualTo("+ \r\n");
            assertThat(twoLines.send(message("alice", "ya29.alice-token"))).isEqualTo(LOGGED_IN);
        }

        @Test
        void aRefusedTokenGetsGooglesJsonErrorThenFails() {
            SessionHarness session = SessionHarness.of(server().oauthErrorDetails(
                    Optional.of("https://mail.example.com/"), Optional.empty()));
            String error = text(challenge(session.send("AUTH XOAUTH2 " + message("bob", "ya29.alice-token"))));
            assertThat(error).isEqualTo("{\"status\":\"401\",\"schemes\":\"bearer\","
                    + "\"scope\":\"https://mail.example.com/\"}");
            assertThat(session.send("")).isEqualTo(FAILED);
        }

        @Test
        void aMessageWithoutUserOrTokenFails() {
            SessionHarness session = session();
            assertThat(session.send("AUTH XOAUTH2 " + b64("auth=Bearer x\u0001\u0001"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH XOAUTH2 " + b64("user=alice\u0001\u0001"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH XOAUTH2 " + b64("user=alice\u0001auth=Bearer \u0001\u0001")))
                    .isEqualTo(FAILED);
        }
    }

    @Nested
    class External {
        final X509Certificate alice = DevCertificateAuthority.create().issueClient("alice").certificate();

        SessionHarness withCertificate() {
            return new SessionHarness.Server(server()).connectSecure("192.0.2.7", List.of(alice), null);
        }

        @Test
        void theCertificateLogsIn() {
            assertThat(withCertificate().send("AUTH EXTERNAL =")).isEqualTo(LOGGED_IN);
            assertThat(authenticator.seen).containsExactly(new Credentials.External(""));
        }

        @Test
        void anAuthorizationIdentityIsPassedOn() {
            SessionHarness session = withCertificate();
            assertThat(session.send("AUTH EXTERNAL")).isEqualTo("+ \r\n");
            assertThat(session.send(b64("bob"))).isEqualTo(FAILED);
            assertThat(session.send("AUTH EXTERNAL " + b64("alice"))).isEqualTo(LOGGED_IN);
        }

        @Test
        void isNotOfferedWithoutACertificate() {
            SessionHarness session = new SessionHarness.Server(server()).connectSecure("192.0.2.7", List.of(), null);
            assertThat(session.send("AUTH EXTERNAL =")).isEqualTo("-ERR unsupported authentication mechanism\r\n");
        }
    }

    @Test
    void theAuthenticatorSeesTheClientOfTheExchange() {
        List<ClientInfo> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
        Authenticator recording = new EveryKind(Map.of("alice", "s3cret"), Map.of()) {
            @Override
            public AuthResult authenticate(Credentials credentials, ClientInfo client) {
                clients.add(client);
                return super.authenticate(credentials, client);
            }
        };
        SessionHarness session = new SessionHarness.Server(server().authenticator(recording)).connect("127.0.0.9");
        session.send("AUTH LOGIN " + b64("alice"), b64("s3cret"));
        assertThat(clients).singleElement().satisfies(c -> assertThat(c.remoteAddress().getAddress()
                .getHostAddress()).isEqualTo("127.0.0.9"));
    }
}
