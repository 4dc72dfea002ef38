package dev.poplar.pop3.server;

import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.server.internal.hook.SessionHook.Action;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An interceptor changes answers, timing and connections exactly as it says, and nothing is lost. */
class InterceptorWireTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final BlockingQueue<Pop3Event> events = new LinkedBlockingQueue<>();
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    WireClient connect(SessionHook interceptor) throws IOException {
        if (server == null) {
            server = TestServers.start(TestServers.builder(store).hook(interceptor).observer(events::add));
        }
        return WireClient.connect(server);
    }

    SessionSummary nextSummary() throws InterruptedException {
        while (true) {
            Pop3Event e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).isNotNull();
            if (e instanceof Pop3Event.ConnectionClosed closed) {
                return closed.summary();
            }
        }
    }

    @Test
    void aScriptedErrorReplacesTheCommandForOneUserOnly() throws IOException {
        store.add("alice", "Subject: a\r\n\r\na\r\n");
        store.add("bob", "Subject: b\r\n\r\nb\r\n");
        List<SessionHook.Command> seen = new CopyOnWriteArrayList<>();
        SessionHook interceptor = new SessionHook() {
            @Override
            public Action onCommand(Command command) {
                seen.add(command);
                return command.verb().equals("RETR") && command.user().equals(java.util.Optional.of("alice"))
                        ? Action.respond("-ERR [SYS/TEMP] disk full") : Action.proceed();
            }
        };
        try (WireClient alice = connect(interceptor); WireClient bob = connect(interceptor)) {
            alice.greeting();
            bob.greeting();
            alice.login("alice", "s3cret");
            bob.login("bob", "hunter2");
            assertThat(alice.send("RETR 1")).isEqualTo("-ERR [SYS/TEMP] disk full");
            assertThat(alice.send("STAT")).startsWith("+OK 1");
            assertThat(bob.send("RETR 1")).startsWith("+OK");
            bob.body();
        }
        assertThat(seen).extracting(SessionHook.Command::argument).contains("***").doesNotContain("s3cret");
        assertThat(seen).filteredOn(c -> c.verb().equals("STAT")).singleElement()
                .satisfies(c -> assertThat(c.loggedIn()).isTrue());
    }

    @Test
    void aDelayHoldsTheAnswerWithoutHoldingOtherSessions() throws IOException {
        SessionHook interceptor = new SessionHook() {
            @Override
            public Action onCommand(Command command) {
                return command.verb().equals("NOOP") && command.user().equals(java.util.Optional.of("alice"))
                        ? Action.delay(Duration.ofSeconds(4)) : Action.proceed();
            }
        };
        // One I/O thread: a delay that held its thread would hold bob's session too. Bob has the whole delay to log
        // in and be answered, and alice's answer must not have come meanwhile.
        server = TestServers.start(TestServers.builder(store).hook(interceptor).ioThreads(1));
        try (WireClient alice = WireClient.connect(server); WireClient bob = WireClient.connect(server)) {
            alice.greeting();
            bob.greeting();
            assertThat(alice.login("alice", "s3cret")).startsWith("+OK");
            long t0 = System.nanoTime();
            alice.write("NOOP\r\n");
            assertThat(bob.login("bob", "hunter2")).startsWith("+OK");
            assertThat(bob.send("NOOP")).isEqualTo("+OK");
            assertThat(alice.input().available()).as("alice answered before the delay was over").isZero();
            assertThat(alice.line()).isEqualTo("+OK");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(3900));
        }
    }

    @Test
    void aDropClosesTheConnectionAndCommitsNoDeletion() throws Exception {
        store.add("alice", "Subject: a\r\n\r\na\r\n");
        SessionHook interceptor = new SessionHook() {
            @Override
            public Action onCommand(Command command) {
                return command.verb().equals("QUIT") ? Action.drop() : Action.proceed();
            }
        };
        try (WireClient client = connect(interceptor)) {
            client.greeting();
            client.login("alice", "s3cret");
            assertThat(client.send("DELE 1")).isEqualTo("+OK message 1 deleted");
            client.write("QUIT\r\n");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(nextSummary().end()).isEqualTo(SessionSummary.EndReason.DROPPED);
        assertThat(store.messages("alice")).hasSize(1);
    }

    @Test
    void aGreetingThatNeverComes() throws IOException {
        try (WireClient client = connect(new SessionHook() {
            @Override
            public Action onConnect(dev.poplar.pop3.auth.ClientInfo client) {
                return Action.silence();
            }
        })) {
            client.timeout(500);
            assertThatThrownBy(client::greeting).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aMaintenanceGreetingIsSentAndTheConnectionClosed() throws IOException {
        try (WireClient client = connect(new SessionHook() {
            @Override
            public Action onConnect(dev.poplar.pop3.auth.ClientInfo client) {
                return Action.respond("-ERR [SYS/TEMP] maintenance until 10:00");
            }
        })) {
            assertThat(client.greeting()).isEqualTo("-ERR [SYS/TEMP] maintenance until 10:00");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aPersonaCanReplaceTheCapabilityList() throws IOException {
        try (WireClient client = connect(new SessionHook() {
            @Override
            public Action onCommand(Command command) {
                return command.verb().equals("CAPA")
                        ? Action.respond("+OK Capability list follows", "USER", "SASL PLAIN XOAUTH2 OAUTHBEARER",
                        "EXPIRE 0", "LOGIN-DELAY 300")
                        : Action.proceed();
            }
        })) {
            client.greeting();
            assertThat(client.send("CAPA")).isEqualTo("+OK Capability list follows");
            assertThat(client.lines()).containsExactly("USER", "SASL PLAIN XOAUTH2 OAUTHBEARER", "EXPIRE 0",
                    "LOGIN-DELAY 300");
        }
    }

    @Test
    void slowOutputSendsTheReplyAtTheGivenRate() throws IOException {
        byte[] message = ("Subject: slow\r\n\r\n" + "x".repeat(1500) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        store.add("alice", message);
        try (WireClient client = connect(new SessionHook() {
            @Override
            public Action onCommand(Command command) {
                return command.verb().equals("RETR") ? Action.slowOutput(2000) : Action.proceed();
            }
        })) {
            client.greeting();
            client.login("alice", "s3cret");
            long t0 = System.nanoTime();
            assertThat(client.send("RETR 1")).startsWith("+OK");
            assertThat(client.body()).isEqualTo(message);
            // 1,500-odd octets at 2,000 octets per second: most of a second.
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        }
    }

    @Test
    void aConnectionDroppedAfterNOctetsOfRetrDeliversExactlyThoseOctetsAndDeletesNothing() throws Exception {
        store.add("alice", "Subject: big\r\n\r\n" + "y".repeat(100_000) + "\r\n");
        store.add("alice", "Subject: small\r\n\r\nsmall\r\n");
        try (WireClient client = connect(new SessionHook() {
            @Override
            public Action onCommand(Command command) {
                return command.verb().equals("RETR") ? Action.dropAfter(1000) : Action.proceed();
            }
        })) {
            client.greeting();
            client.login("alice", "s3cret");
            assertThat(client.send("DELE 2")).isEqualTo("+OK message 2 deleted");
            client.write("RETR 1\r\n");
            byte[] received = client.input().readAllBytes();
            assertThat(received).hasSize(1000);
            assertThat(new String(received, StandardCharsets.US_ASCII)).startsWith("+OK ");
        }
        SessionSummary summary = nextSummary();
        assertThat(summary.end()).isEqualTo(SessionSummary.EndReason.DROPPED);
        assertThat(summary.deleted()).isZero();
        assertThat(store.messages("alice")).hasSize(2);
    }
}
