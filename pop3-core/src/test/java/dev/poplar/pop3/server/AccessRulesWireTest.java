package dev.poplar.pop3.server;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Access rules over real sockets: a refused address gets one line, rules change while the server runs. */
class AccessRulesWireTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final BlockingQueue<SessionSummary> ended = new LinkedBlockingQueue<>();
    final BlockingQueue<Pop3Event.ConnectionRefused> refused = new LinkedBlockingQueue<>();
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    Pop3Server.Builder builder() {
        return TestServers.builder(store).observer(event -> {
            if (event instanceof Pop3Event.ConnectionClosed closed) {
                ended.add(closed.summary());
            } else if (event instanceof Pop3Event.ConnectionRefused refusal) {
                refused.add(refusal);
            }
        });
    }

    SessionSummary nextEnded() throws InterruptedException {
        SessionSummary summary = ended.poll(10, TimeUnit.SECONDS);
        assertThat(summary).as("a session ended").isNotNull();
        return summary;
    }

    @Test
    void aDeniedAddressGetsOneLineAndTheConnectionCloses() throws Exception {
        server = TestServers.start(builder().accessRules(AccessRules.builder().deny("127.0.0.2").build()));
        try (WireClient denied = WireClient.connectFrom("127.0.0.2", server)) {
            assertThat(denied.line()).isEqualTo("-ERR [SYS/PERM] connections from your address are not accepted");
            assertThat(denied.closedByServer()).isTrue();
        }
        Pop3Event.ConnectionRefused refusal = refused.poll(10, TimeUnit.SECONDS);
        assertThat(refusal).as("a refused connection").isNotNull();
        assertThat(refusal.reason()).isEqualTo(Pop3Event.ConnectionRefused.Reason.ACCESS_DENIED);
        assertThat(refusal.client().remoteAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.2");
        try (WireClient allowed = WireClient.connect(server)) {
            assertThat(allowed.greeting()).startsWith("+OK");
            assertThat(allowed.login("alice", "s3cret")).startsWith("+OK");
        }
        assertThat(server.metrics().connectionsRefused()).isEqualTo(1);
        assertThat(server.metrics().connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void rulesReplacedWhileTheServerRunsApplyToNewConnections() throws Exception {
        server = TestServers.start(builder());
        try (WireClient open = WireClient.connectFrom("127.0.0.3", server)) {
            assertThat(open.greeting()).startsWith("+OK");
            server.accessRules(AccessRules.parse(List.of("allow 127.0.0.1", "deny all")));
            assertThat(server.accessRules().lines()).containsExactly("allow 127.0.0.1/32", "deny all");
            try (WireClient refused = WireClient.connectFrom("127.0.0.3", server)) {
                assertThat(refused.line()).startsWith("-ERR [SYS/PERM]");
            }
            // The connection that was open stays open.
            assertThat(open.login("alice", "s3cret")).startsWith("+OK");
        }
        server.accessRules(AccessRules.allowAll());
        try (WireClient again = WireClient.connectFrom("127.0.0.3", server)) {
            assertThat(again.greeting()).startsWith("+OK");
        }
    }

    @Test
    void rulesForOneListenerLeaveTheOthersAlone() throws Exception {
        Listener office = Listener.plain("127.0.0.1", 0).named("office");
        Listener everyone = Listener.plain("127.0.0.1", 0).named("everyone");
        server = TestServers.start(builder().listener(office).listener(everyone)
                .accessRules(AccessRules.builder().allowOn("office", "127.0.0.2").denyOn("office", "all").build()));
        try (WireClient client = new WireClient(server.localAddress(office))) {
            assertThat(client.line()).startsWith("-ERR [SYS/PERM]");
        }
        try (WireClient client = new WireClient(server.localAddress(everyone))) {
            assertThat(client.greeting()).startsWith("+OK");
        }
    }

    @Test
    void rulesNamingAListenerTheServerDoesNotHaveAreRefused() throws IOException {
        AccessRules misspelt = AccessRules.builder().denyOn("pop3z", "all").build();
        assertThatIllegalStateException().isThrownBy(() -> builder().accessRules(misspelt).build())
                .withMessageContaining("accessRules").withMessageContaining("pop3z");
        server = TestServers.start(builder());
        assertThatIllegalArgumentException().isThrownBy(() -> server.accessRules(misspelt))
                .withMessageContaining("pop3z").withMessageContaining("[pop3]");
        assertThat(server.accessRules()).isEqualTo(AccessRules.allowAll());
    }

    @Test
    void aTrustedNetworkMayLogInWithAPasswordInClear() throws Exception {
        String address = NetworkAddresses.nonLoopback();
        server = TestServers.start(builder().listener(Listener.plain(address, 0))
                .authFailureDelay(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(1)));
        try (WireClient client = WireClient.connect(server)) {
            client.greeting();
            assertThat(client.login("alice", "s3cret")).startsWith("-ERR [AUTH] plain-text");
        }
        server.accessRules(AccessRules.builder().trust(address).build());
        try (WireClient client = WireClient.connect(server)) {
            client.greeting();
            // Trusted networks are exempt from the penalty too: a failure does not hold the next attempt.
            assertThat(client.login("alice", "wrong")).startsWith("-ERR [AUTH] authentication failed");
            assertThat(client.login("alice", "s3cret")).startsWith("+OK");
        }
    }
}
