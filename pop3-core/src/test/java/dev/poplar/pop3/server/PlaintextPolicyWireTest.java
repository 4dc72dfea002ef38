package dev.poplar.pop3.server;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** Clear-text passwords over the network are refused unless the application allows them. */
class PlaintextPolicyWireTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();

    @Test
    void userAndPlainAreNeitherOfferedNorAcceptedFromANonLoopbackAddressByDefault() throws IOException {
        String address = NetworkAddresses.nonLoopback();
        try (Pop3Server server = TestServers.start(TestServers.builder(store)
                .listener(Listener.plain(address, 0)));
             WireClient client = WireClient.connect(server)) {
            client.greeting();
            assertThat(client.send("CAPA")).startsWith("+OK");
            assertThat(client.lines()).contains("UIDL", "SASL SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5")
                    .doesNotContain("USER");
            assertThat(client.send("USER alice")).startsWith("-ERR [AUTH] plain-text authentication is not allowed");
            assertThat(client.send("PASS s3cret")).isEqualTo("-ERR send USER first");
            String plain = Base64.getEncoder().encodeToString("\0alice\0s3cret".getBytes(StandardCharsets.UTF_8));
            assertThat(client.send("AUTH PLAIN " + plain)).startsWith("-ERR [AUTH] plain-text");
            assertThat(client.send("AUTH LOGIN")).startsWith("-ERR [AUTH] plain-text");
        }
    }

    @Test
    void theApplicationCanAllowClearTextPasswordsEverywhere() throws IOException {
        String address = NetworkAddresses.nonLoopback();
        try (Pop3Server server = TestServers.start(TestServers.builder(store)
                .listener(Listener.plain(address, 0)).plaintextAuth(PlaintextAuth.ALLOW));
             WireClient client = WireClient.connect(server)) {
            client.greeting();
            assertThat(client.login("alice", "s3cret")).startsWith("+OK");
        }
    }

    @Test
    void loopbackCanBeRefusedToo() throws IOException {
        try (Pop3Server server = TestServers.start(TestServers.builder(store)
                .plaintextAuth(PlaintextAuth.REQUIRE_TLS).tls(TestTls.serverContext()));
             WireClient client = WireClient.connect(server)) {
            client.greeting();
            assertThat(client.send("USER alice")).startsWith("-ERR [AUTH]");
        }
    }
}
