package dev.poplar.pop3.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** The test server's users: passwords, app passwords and tokens, with every mechanism the server offers. */
class UsersTest {

    @RegisterExtension
    final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
            .user("alice", "s3cret", TestMessages.text("hello", "x"))
            .user("bob", "hunter2")
            .appPassword("alice", "k7qmz-4ta9c-wx2pe")
            .token("alice", "ya29.alice")
            .build();

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAppPasswordLogsInBesideThePassword(Pop3TestServer server) throws Exception {
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            assertThat(client.login("alice", "k7qmz-4ta9c-wx2pe")).startsWith("+OK maildrop has 1");
        }
        assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", false)).containsExactly("hello");
        assertThatThrownBy(() -> JakartaMail.fetchSubjects(server, "bob", "k7qmz-4ta9c-wx2pe", false))
                .hasMessageContaining("[AUTH]");
    }

    @Test
    void cramMd5AcceptsTheAppPasswordToo(Pop3TestServer server) throws Exception {
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            String reply = client.send("AUTH CRAM-MD5");
            assertThat(reply).startsWith("+ ");
            String challenge = new String(Base64.getDecoder().decode(reply.substring(2)), StandardCharsets.US_ASCII);
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacMD5");
            mac.init(new javax.crypto.spec.SecretKeySpec("k7qmz-4ta9c-wx2pe".getBytes(StandardCharsets.UTF_8),
                    "HmacMD5"));
            String digest = HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
            assertThat(client.send(b64("alice " + digest))).startsWith("+OK");
        }
    }

    @Test
    void aTokenLogsInOnlyAsItsUser(Pop3TestServer server) throws IOException {
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            assertThat(client.send("AUTH OAUTHBEARER " + b64("n,a=bob,\u0001auth=Bearer ya29.alice\u0001\u0001")))
                    .isEqualTo("+ " + b64("{\"status\":\"invalid_token\"}"));
            assertThat(client.send(b64("\u0001"))).isEqualTo("-ERR [AUTH] authentication failed");
            assertThat(client.send("AUTH OAUTHBEARER " + b64("n,,\u0001auth=Bearer ya29.alice\u0001\u0001")))
                    .startsWith("+OK maildrop has 1");
        }
        assertThat(server.takeSession(PersonaTest.WAIT)).loggedInAs("alice");
    }

    @Test
    void aTokenIsPrintableAscii() {
        assertThatThrownBy(() -> Pop3TestServer.builder().token("alice", "two words"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("printable ASCII");
    }
}
