package dev.poplar.pop3.testkit;

import java.time.Duration;
import java.util.List;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;

/** The body shared by the parallel test classes. */
final class ParallelIsolation {

    private ParallelIsolation() {
    }

    static void pollTwiceAndCheck(Pop3TestServer server, String user, String password) throws Exception {
        assertThat(JakartaMail.fetchSubjects(server, user, password, true))
                .containsExactly("for " + user + " 1", "for " + user + " 2");
        server.deliver(user, TestMessages.text("for " + user + " 3", "z"));
        assertThat(JakartaMail.fetchSubjects(server, user, password, true)).containsExactly("for " + user + " 3");
        List<RecordedSession> sessions = List.of(server.takeSession(Duration.ofSeconds(10)),
                server.takeSession(Duration.ofSeconds(10)));
        assertThat(sessions).allSatisfy(s -> assertThat(s).loggedInAs(user).quitCleanly());
        assertThat(server.sessions()).hasSize(2);
        assertThat(server.mailbox(user)).isEmpty().hasDeleted("for " + user + " 1", "for " + user + " 2",
                "for " + user + " 3");
    }
}
