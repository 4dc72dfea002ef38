package dev.poplar.pop3.testkit;

import dev.poplar.pop3.server.SessionSummary.EndReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** Assertions pass when they should, and when they fail they quote the transcript. */
class AssertionsTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
            .user("alice", "s3cret", TestMessages.text("Invoice 42", "x"), TestMessages.text("Invoice 43", "y"))
            .build();

    RecordedSession retrieveFirstAndHangUp(Pop3TestServer server) throws IOException {
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            client.login("alice", "s3cret");
            client.send("RETR 1");
            client.readBody();
            client.send("DELE 1");
        }
        return server.takeSession(WAIT);
    }

    @Test
    void sessionAssertionsPassOnWhatHappened(Pop3TestServer server) throws IOException {
        RecordedSession session = retrieveFirstAndHangUp(server);
        assertThat(session).issued("USER alice", "RETR 1", "DELE 1").issued("retr", "dele")
                .issuedExactly("USER alice", "PASS ***", "RETR 1", "DELE 1")
                .didNotIssue("QUIT", "RETR 2").answered("DELE 1", "+OK").loggedInAs("alice")
                .endedWith(EndReason.CLIENT_DISCONNECTED).endedWithoutQuit().didNotUseTls();
    }

    @Test
    void aFailedSessionAssertionQuotesTheTranscript(Pop3TestServer server) throws IOException {
        RecordedSession session = retrieveFirstAndHangUp(server);
        assertThatThrownBy(() -> assertThat(session).issued("RETR 1", "DELE 1").quitCleanly())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to have ended with QUIT answered +OK")
                .hasMessageContaining("C: RETR 1")
                .hasMessageContaining("S: +OK")
                .hasMessageContaining("C: PASS ***")
                .hasMessageContaining("ended: client disconnected")
                .message().doesNotContain("s3cret");
        assertThatThrownBy(() -> assertThat(session).issued("DELE 1", "RETR 1"))
                .hasMessageContaining("RETR 1 missing");
        assertThatThrownBy(() -> assertThat(session).usedTls()).hasMessageContaining("to have used TLS");
    }

    @Test
    void aFailedMailboxAssertionShowsTheMailboxAndItsSessions(Pop3TestServer server) throws IOException {
        retrieveFirstAndHangUp(server);
        Mailbox alice = server.mailbox("alice");
        assertThat(alice).hasMessageCount(2).containsSubjects("Invoice 43").hasRetrieved("Invoice 42")
                .hasNothingDeleted().hasAbandonedDeletions("Invoice 42");
        assertThatThrownBy(() -> assertThat(alice).isEmpty())
                .hasMessageContaining("Expecting mailbox alice to be empty")
                .hasMessageContaining("\"Invoice 42\"")
                .hasMessageContaining("C: DELE 1")
                .hasMessageContaining("deletions abandoned:");
        assertThatThrownBy(() -> assertThat(alice).hasDeleted("Invoice 42"))
                .hasMessageContaining("missing: [Invoice 42]");
    }

    @Test
    void plainAssertjIsReachableThroughTheSameImport() {
        assertThat(java.util.List.of(1, 2)).hasSize(2);
        assertThat("text").startsWith("te");
    }
}
