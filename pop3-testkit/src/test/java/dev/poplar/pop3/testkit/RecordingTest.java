package dev.poplar.pop3.testkit;

import dev.poplar.pop3.server.SessionSummary.EndReason;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;

/** The recording of a session is what went over the wire, secrets redacted, with how the session ended. */
class RecordingTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
            .user("alice", "s3cret", TestMessages.text("one", "1"), TestMessages.text("two", "2"))
            .authorizationTimeout(Duration.ofSeconds(1))
            .build();

    @Test
    void theTranscriptHoldsEveryCommandWithTheStatusLineTheClientReceived(Pop3TestServer server) throws Exception {
        List<String> received = new ArrayList<>();
        List<String> commands = List.of("CAPA", "USER alice", "PASS s3cret", "STAT", "LIST", "UIDL 1", "RETR 2",
                "DELE 1", "NOOP", "RSET", "BOGUS", "QUIT");
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            for (String command : commands) {
                String reply = client.send(command);
                received.add(reply);
                if (reply.startsWith("+OK") && List.of("CAPA", "LIST", "RETR 2").contains(command)) {
                    client.readLines();
                }
            }
        }
        RecordedSession session = server.takeSession(WAIT);
        assertThat(session.commands()).containsExactly("CAPA", "USER alice", "PASS ***", "STAT", "LIST", "UIDL 1",
                "RETR 2", "DELE 1", "NOOP", "RSET", "BOGUS", "QUIT");
        assertThat(session.exchanges()).extracting(e -> e.reply().orElseThrow()).containsExactlyElementsOf(received);
        assertThat(session.exchanges()).allMatch(e -> e.fault().isEmpty());
        assertThat(session).quitCleanly().loggedInAs("alice").didNotUseTls().issued("STAT", "RETR 2", "QUIT");
        assertThat(session.replyTo("BOGUS")).hasValueSatisfying(r -> assertThat(r).startsWith("-ERR"));
        assertThat(session.transcript()).doesNotContain("s3cret").contains("C: PASS ***");
    }

    @Test
    void saslSecretsAreRedactedInTheInitialResponseAndInContinuationLines(Pop3TestServer server) throws Exception {
        String plain = Base64.getEncoder().encodeToString("\0alice\0s3cret".getBytes(StandardCharsets.US_ASCII));
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            assertThat(client.send("AUTH PLAIN " + plain)).startsWith("+OK");
            client.send("QUIT");
        }
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            assertThat(client.send("AUTH PLAIN")).startsWith("+ ");
            assertThat(client.send(plain)).startsWith("+OK");
            client.send("QUIT");
        }
        RecordedSession first = server.takeSession(WAIT);
        RecordedSession second = server.takeSession(WAIT);
        assertThat(first.commands()).containsExactly("AUTH PLAIN ***", "QUIT");
        assertThat(second.commands()).containsExactly("AUTH PLAIN", "***", "QUIT");
        assertThat(first.transcript() + second.transcript()).doesNotContain(plain).doesNotContain("s3cret");
        assertThat(second).loggedInAs("alice");
    }

    @Nested
    class HowSessionsEnd {
        @Test
        void aClientThatHangsUpEndsTheSessionDisconnected(Pop3TestServer server) throws Exception {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                client.login("alice", "s3cret");
            }
            assertThat(server.takeSession(WAIT)).endedWith(EndReason.CLIENT_DISCONNECTED).endedWithoutQuit();
        }

        @Test
        void anIdleClientIsTimedOut(Pop3TestServer server) throws Exception {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                assertThat(client.readLine()).startsWith("-ERR");
                assertThat(client.closedByServer()).isTrue();
            }
            assertThat(server.takeSession(WAIT)).endedWith(EndReason.IDLE_TIMEOUT);
        }

        @Test
        void aDroppedConnectionIsRecordedWithTheCommandThatGotNoReply(Pop3TestServer server) throws Exception {
            server.inject(Fault.on("STAT").drop());
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                client.login("alice", "s3cret");
                client.write("STAT\r\n");
                assertThat(client.closedByServer()).isTrue();
            }
            RecordedSession session = server.takeSession(WAIT);
            assertThat(session).endedWith(EndReason.DROPPED);
            assertThat(session.exchanges()).last().isEqualTo(new Exchange("STAT", Optional.empty(),
                    Optional.of("drop the connection")));
            assertThat(session.faults()).containsExactly("drop the connection");
        }

        @Test
        void takingASessionThatNeverEndsFailsWithTheNumberStillOpen(Pop3TestServer server) throws Exception {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                client.send("NOOP");
                org.assertj.core.api.Assertions.assertThatThrownBy(
                                () -> server.takeSession(Duration.ofMillis(50)))
                        .isInstanceOf(AssertionError.class).hasMessageContaining("1 still open");
            }
        }
    }

    @Test
    void sessionsAreTakenInTheOrderTheyEndedAndStayListed(Pop3TestServer server) throws Exception {
        for (String user : List.of("first", "second")) {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                client.send("USER " + user);
                client.send("QUIT");
            }
            assertThat(server.takeSession(WAIT).commands()).containsExactly("USER " + user, "QUIT");
        }
        assertThat(server.sessions()).hasSize(2);
    }
}
