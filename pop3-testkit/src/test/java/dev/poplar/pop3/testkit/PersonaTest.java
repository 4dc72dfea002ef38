package dev.poplar.pop3.testkit;

import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** Personas change what the server lists and how it behaves, and clients notice. */
class PersonaTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> capa(Pop3Dialog client) throws IOException {
        assertThat(client.send("CAPA")).startsWith("+OK");
        return client.readLines();
    }

    @Nested
    class Full {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder().user("alice", "s3cret")
                .tls(TlsMode.STARTTLS).build();

        @Test
        void listsEverythingPoplarOffers(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                assertThat(client.greeting()).matches("\\+OK .* <.*>");
                assertThat(capa(client)).contains("TOP", "UIDL", "RESP-CODES", "PIPELINING", "USER",
                        "SASL SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2", "STLS");
            }
        }

        @Test
        void withoutUidlNeitherListsNorAnswersUidl() throws IOException {
            try (Pop3TestServer server = Pop3TestServer.builder().user("alice", "s3cret", TestMessages.text("a", "a"))
                    .persona(Persona.full().without("UIDL")).tls(TlsMode.STARTTLS).start();
                 Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                List<String> capabilities = capa(client);
                assertThat(capabilities).doesNotContain("UIDL").contains("TOP", "USER", "STLS");
                client.login("alice", "s3cret");
                assertThat(client.send("UIDL")).isEqualTo("-ERR unknown command");
                assertThat(capa(client)).doesNotContain("UIDL", "USER", "STLS").contains("TOP");
                assertThat(server.persona().name()).isEqualTo("full-UIDL");
            }
        }

        @Test
        void withAddsOrReplacesALine() throws IOException {
            try (Pop3TestServer server = Pop3TestServer.builder()
                    .persona(Persona.full().with("IMPLEMENTATION Acme-POP 1.0").with("SASL PLAIN XOAUTH2")).start();
                 Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                assertThat(capa(client)).contains("IMPLEMENTATION Acme-POP 1.0", "SASL PLAIN XOAUTH2")
                        .doesNotContain("SASL SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2",
                                "STLS");
            }
        }
    }

    @Nested
    class Rfc1939 {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("old school", "x"))
                .persona(Persona.rfc1939()).build();

        @Test
        void capaAuthAndStlsAreUnknownCommands(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                assertThat(client.send("CAPA")).isEqualTo("-ERR unknown command");
                assertThat(client.send("AUTH PLAIN")).isEqualTo("-ERR unknown command");
                assertThat(client.send("STLS")).isEqualTo("-ERR unknown command");
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                assertThat(client.send("TOP 1 0")).startsWith("+OK");
            }
        }

        @Test
        void angusMailFallsBackToUserAndPass(Pop3TestServer server) throws Exception {
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", true)).containsExactly("old school");
            assertThat(server.takeSession(WAIT)).issued("CAPA", "USER alice", "PASS ***", "RETR 1", "DELE 1")
                    .answered("CAPA", "-ERR").quitCleanly();
        }

        @Test
        void aClientThatRequiresStlsRefusesToLogIn() {
            try (Pop3TestServer server = Pop3TestServer.builder().user("alice", "s3cret")
                    .persona(Persona.rfc1939()).tls(TlsMode.STARTTLS).start()) {
                assertThatThrownBy(() -> JakartaMail.fetchSubjects(server, "alice", "s3cret", false))
                        .isInstanceOf(MessagingException.class).hasMessageContaining("STLS");
                assertThat(server.takeSession(WAIT)).didNotIssue("USER", "PASS", "AUTH");
            }
        }
    }

    @Nested
    class Gmail {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("first", "1"), TestMessages.text("second", "2"))
                .persona(Persona.gmail()).build();

        @Test
        void greetsAndListsCapabilitiesLikeGmail(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                assertThat(client.greeting()).isEqualTo("+OK Gpop ready for requests from 127.0.0.1");
                assertThat(capa(client)).containsExactly("USER", "RESP-CODES", "EXPIRE 0", "LOGIN-DELAY 300", "TOP",
                        "UIDL", "X-GOOGLE-RICO", "SASL PLAIN XOAUTH2 OAUTHBEARER");
                assertThat(client.send("APOP alice 0123456789abcdef0123456789abcdef"))
                        .isEqualTo("-ERR unknown command");
            }
        }

        @Test
        void expireZeroRemovesWhatWasRetrievedWithoutDele(Pop3TestServer server) throws Exception {
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", false)).containsExactly("first", "second");
            assertThat(server.takeSession(WAIT)).didNotIssue("DELE").quitCleanly();
            assertThat(server.mailbox("alice")).isEmpty().hasRetrieved("first", "second").hasNothingDeleted();
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", false)).isEmpty();
        }

        @Test
        void messagesTheClientDidNotRetrieveStay(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                client.login("alice", "s3cret");
                assertThat(client.send("RETR 2")).startsWith("+OK");
                client.readBody();
                assertThat(client.send("QUIT")).startsWith("+OK");
            }
            assertThat(server.mailbox("alice")).containsExactlySubjects("first");
        }

        @Test
        void itsOauthMechanismsLogInWithTheUsersTokensAndOthersAreRefused() throws Exception {
            try (Pop3TestServer server = Pop3TestServer.builder().user("alice", "s3cret")
                    .token("alice", "ya29.alice").persona(Persona.gmail()).start()) {
                try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                    client.greeting();
                    assertThat(client.send("AUTH XOAUTH2 " + b64("user=alice\u0001auth=Bearer ya29.alice\u0001\u0001")))
                            .startsWith("+OK maildrop has");
                }
                try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                    client.greeting();
                    assertThat(client.send("AUTH OAUTHBEARER "
                            + b64("n,a=alice,\u0001auth=Bearer ya29.alice\u0001\u0001"))).startsWith("+OK");
                }
                try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                    client.greeting();
                    assertThat(client.send("AUTH XOAUTH2 " + b64("user=alice\u0001auth=Bearer old\u0001\u0001")))
                            .isEqualTo("+ " + b64("{\"status\":\"401\",\"schemes\":\"bearer\"}"));
                    assertThat(client.send("")).isEqualTo("-ERR [AUTH] authentication failed");
                    assertThat(client.send("AUTH CRAM-MD5")).isEqualTo("-ERR unsupported authentication mechanism");
                    assertThat(client.send("AUTH")).isEqualTo("+OK");
                    assertThat(client.readLines()).containsExactly("PLAIN", "XOAUTH2", "OAUTHBEARER");
                }
                assertThat(JakartaMail.fetchSubjects(xoauth2(server), "alice", "ya29.alice", false)).isEmpty();
            }
        }

        Properties xoauth2(Pop3TestServer server) {
            Properties properties = server.jakartaMailProperties();
            properties.put("mail.pop3.auth.mechanisms", "XOAUTH2");
            return properties;
        }

        @Test
        void stlsIsListedWhenTheServerOffersIt() throws IOException {
            try (Pop3TestServer server = Pop3TestServer.builder().persona(Persona.gmail()).tls(TlsMode.STARTTLS)
                    .start(); Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                assertThat(capa(client)).endsWith("STLS");
                client.startTls(server.clientSslContext());
                assertThat(capa(client)).doesNotContain("STLS");
            }
        }
    }

    @Nested
    class Custom {
        @Test
        void listsExactlyTheGivenCapabilitiesAndRefusesWhatIsMissing() throws IOException {
            try (Pop3TestServer server = Pop3TestServer.builder().user("alice", "s3cret", TestMessages.text("a", "a"))
                    .persona(Persona.custom("USER", "UIDL", "EXPIRE 30")).start();
                 Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                assertThat(capa(client)).containsExactly("USER", "UIDL", "EXPIRE 30");
                assertThat(client.send("AUTH PLAIN")).isEqualTo("-ERR unknown command");
                client.login("alice", "s3cret");
                assertThat(client.send("TOP 1 0")).isEqualTo("-ERR unknown command");
                assertThat(client.send("UIDL 1")).startsWith("+OK 1 ");
                assertThat(server.persona().expiresRetrieved()).isFalse();
            }
        }

        @Test
        void aCustomGreetingNamesTheClient() throws IOException {
            try (Pop3TestServer server = Pop3TestServer.builder()
                    .persona(Persona.full().greeting("+OK Dovecot ready for {client}")).start();
                 Pop3Dialog client = Pop3Dialog.connect(server)) {
                assertThat(client.greeting()).isEqualTo("+OK Dovecot ready for 127.0.0.1");
            }
        }

        @Test
        void badLinesAreRefused() {
            assertThatThrownBy(() -> Persona.custom("USER\r\nSTLS")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Persona.full().greeting("hello")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("+OK");
        }
    }
}
