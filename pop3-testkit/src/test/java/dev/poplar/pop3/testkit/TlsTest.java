package dev.poplar.pop3.testkit;

import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** TLS in one line: STLS and pop3s with a CA per server, and client settings that just work. */
class TlsTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Nested
    class StartTls {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("secret plans", "x"))
                .tls(TlsMode.STARTTLS).build();

        @Test
        void angusMailUpgradesWithStlsUsingTheReadyMadeProperties(Pop3TestServer server) throws Exception {
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", true)).containsExactly("secret plans");
            assertThat(server.takeSession(WAIT)).issued("CAPA", "STLS", "RETR 1", "QUIT").usedTls()
                    .quitCleanly();
        }

        @Test
        void aClientTrustingAnotherAuthorityFailsTheHandshake(Pop3TestServer server) {
            SSLContext stranger;
            try (Pop3TestServer other = Pop3TestServer.builder().tls(TlsMode.STARTTLS).start()) {
                stranger = other.clientSslContext();
            }
            Properties properties = server.jakartaMailProperties();
            properties.put("mail.pop3.ssl.socketFactory", stranger.getSocketFactory());
            assertThatThrownBy(() -> JakartaMail.fetchSubjects(properties, "alice", "s3cret", false))
                    .isInstanceOf(MessagingException.class);
        }

        @Test
        void theCaIsAvailableAsPemAndAsAFileDeletedOnClose() throws IOException {
            Path file;
            try (Pop3TestServer server = Pop3TestServer.builder().tls(TlsMode.STARTTLS).start()) {
                assertThat(server.caPem()).startsWith("-----BEGIN CERTIFICATE-----");
                file = server.caPemFile();
                assertThat(Files.readString(file)).isEqualTo(server.caPem());
                assertThat(server.caPemFile()).isEqualTo(file);
            }
            assertThat(file).doesNotExist();
        }

        @Test
        void rawClientsUpgradeWithTheClientContext(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                assertThat(client.startTls(server.clientSslContext())).startsWith("+OK");
                assertThat(client.secure()).isTrue();
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
            }
            assertThat(server.takeSession(WAIT)).usedTls().loggedInAs("alice");
        }
    }

    @Nested
    class StartTlsRequired {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder().user("alice", "s3cret")
                .tls(TlsMode.STARTTLS_REQUIRED).build();

        @Test
        void passwordsInClearAreRefused(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                assertThat(client.login("alice", "s3cret")).startsWith("-ERR [AUTH]");
            }
        }

        @Test
        void angusMailLogsInAfterStls(Pop3TestServer server) throws Exception {
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", false)).isEmpty();
            assertThat(server.takeSession(WAIT)).usedTls().loggedInAs("alice");
        }
    }

    @Nested
    class Implicit {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("over pop3s", "x"))
                .tls(TlsMode.IMPLICIT).build();

        @Test
        void angusMailReadsOverPop3s(Pop3TestServer server) throws Exception {
            assertThat(server.jakartaMailProperties().getProperty("mail.store.protocol")).isEqualTo("pop3s");
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", false)).containsExactly("over pop3s");
            assertThat(server.takeSession(WAIT)).usedTls().didNotIssue("STLS");
        }

        @Test
        void thereIsNoPlainPort(Pop3TestServer server) throws IOException {
            assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("pop3sPort");
            assertThat(server.address().getPort()).isEqualTo(server.pop3sPort());
            try (Pop3Dialog client = Pop3Dialog.connectTls(server.address(), server.clientSslContext())) {
                assertThat(client.greeting()).startsWith("+OK");
            }
        }
    }

    @Test
    void bothListenersServeTheSameMailbox() throws Exception {
        try (Pop3TestServer server = Pop3TestServer.builder().user("alice", "s3cret", TestMessages.text("a", "a"))
                .tls(TlsMode.STARTTLS_AND_IMPLICIT).start()) {
            assertThat(server.port()).isNotEqualTo(server.pop3sPort());
            assertThat(JakartaMail.fetchSubjects(server.jakartaMailProperties("pop3s"), "alice", "s3cret", false))
                    .containsExactly("a");
            assertThat(JakartaMail.fetchSubjects(server.jakartaMailProperties("pop3"), "alice", "s3cret", false))
                    .containsExactly("a");
            InetSocketAddress pop3s = new InetSocketAddress(server.host(), server.pop3sPort());
            try (Pop3Dialog client = Pop3Dialog.connectTls(pop3s, server.clientSslContext())) {
                client.greeting();
                assertThat(client.send("STLS")).startsWith("-ERR");
            }
        }
    }

    @Test
    void withoutTlsTheTlsHelpersSaySo() {
        try (Pop3TestServer server = Pop3TestServer.start()) {
            assertThatThrownBy(server::clientSslContext).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("tls(TlsMode");
            assertThatThrownBy(server::pop3sPort).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> server.jakartaMailProperties("imap"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(server.jakartaMailProperties()).doesNotContainKey("mail.pop3.starttls.enable")
                    .containsEntry("mail.pop3.port", Integer.toString(server.port()));
        }
    }
}
