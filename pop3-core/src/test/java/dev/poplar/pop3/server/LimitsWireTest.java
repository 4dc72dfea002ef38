package dev.poplar.pop3.server;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every limit is enforced with a clear reply, and the server goes on serving others. */
class LimitsWireTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    WireClient connect(Pop3Server.Builder builder) throws IOException {
        if (server == null) {
            server = TestServers.start(builder);
        }
        WireClient client = WireClient.connect(server);
        client.greeting();
        return client;
    }

    @Test
    void anOverLongLineGetsAnErrorAndTheSessionGoesOn() throws IOException {
        try (WireClient client = connect(TestServers.builder(store))) {
            assertThat(client.send("NOOP " + "x".repeat(10_000))).isEqualTo("-ERR line too long");
            assertThat(client.send("USER alice")).isEqualTo("+OK send PASS");
        }
    }

    @Test
    void theCommandLimitCountsTheLineEnd() throws IOException {
        try (WireClient client = connect(TestServers.builder(store))) {
            String user = "USER " + "a".repeat(248);
            assertThat(user.length() + 2).isEqualTo(255);
            assertThat(client.send(user)).isEqualTo("+OK send PASS");
            assertThat(client.send(user + "a")).isEqualTo("-ERR line too long");
        }
    }

    @Test
    void tooManyBadCommandsCloseTheConnection() throws IOException {
        try (WireClient client = connect(TestServers.builder(store).maxBadCommands(3))) {
            assertThat(client.send("FOO")).startsWith("-ERR");
            assertThat(client.send("BAR")).startsWith("-ERR");
            assertThat(client.send("BAZ")).startsWith("-ERR");
            assertThat(client.closedByServer()).isTrue();
        }
        try (WireClient next = connect(null)) {
            assertThat(next.login("alice", "s3cret")).startsWith("+OK");
        }
    }

    @Test
    void tooManyFailedLoginsCloseTheConnection() throws IOException {
        try (WireClient client = connect(TestServers.builder(store).maxAuthFailures(2))) {
            assertThat(client.login("alice", "a")).startsWith("-ERR [AUTH]");
            assertThat(client.login("alice", "b")).startsWith("-ERR [AUTH]");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aFailedLoginSlowsTheNextAttemptFromThatAddressWhileOtherClientsAreServed() throws IOException {
        try (WireClient client = connect(TestServers.builder(store)
                .authFailureDelay(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMinutes(1))
                .maxAuthFailures(5))) {
            assertThat(client.login("alice", "a")).startsWith("-ERR [AUTH]");
            // The next attempt waits for the penalty, although its password is right.
            long t0 = System.nanoTime();
            client.write("USER alice\r\nPASS s3cret\r\n");
            // Meanwhile a client from another address is served at once.
            try (WireClient other = WireClient.connectFrom("127.0.0.2", server)) {
                other.greeting();
                assertThat(other.login("bob", "hunter2")).startsWith("+OK");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            }
            assertThat(client.line()).isEqualTo("+OK send PASS");
            assertThat(client.line()).startsWith("+OK maildrop has");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWithOneLine() throws IOException {
        List<WireClient> open = new ArrayList<>();
        try {
            open.add(connect(TestServers.builder(store).maxConnections(2)));
            open.add(connect(null));
            try (WireClient refused = WireClient.connect(server)) {
                assertThat(refused.line()).isEqualTo("-ERR [SYS/TEMP] too many connections, try again later");
                assertThat(refused.closedByServer()).isTrue();
            }
            assertThat(open.get(0).login("alice", "s3cret")).startsWith("+OK");
        } finally {
            for (WireClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void connectionsPerAddressAreLimited() throws IOException {
        try (WireClient first = connect(TestServers.builder(store).maxConnectionsPerAddress(1));
             WireClient refused = WireClient.connect(server)) {
            assertThat(refused.line()).startsWith("-ERR [SYS/TEMP]");
            assertThat(first.send("USER alice")).startsWith("+OK");
        }
    }

    @Test
    void aClosedConnectionFreesItsPlaceForTheNextOne() throws Exception {
        try (WireClient first = connect(TestServers.builder(store).maxConnections(1))) {
            assertThat(first.send("QUIT")).startsWith("+OK");
        }
        Await.until("the first session to end", () -> server.openSessions() == 0, Duration.ofSeconds(5));
        try (WireClient next = WireClient.connect(server)) {
            assertThat(next.line()).startsWith("+OK Poplar");
        }
    }

    @Test
    void anIdleClientIsDisconnectedBeforeLoginAfterTheAuthorizationTimeout() throws IOException {
        try (WireClient client = connect(TestServers.builder(store).authorizationTimeout(Duration.ofSeconds(1)))) {
            client.timeout(10_000);
            long t0 = System.nanoTime();
            assertThat(client.line()).isEqualTo("-ERR autologout: idle for too long");
            assertThat(client.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        }
    }
}
