package dev.poplar.pop3.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;

/** After the fact, a mailbox tells what is left, what was retrieved, what was deleted and what deletion was lost. */
class InspectionTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
            .user("alice", "s3cret", TestMessages.text("one", "1"), TestMessages.text("two", "2"),
                    TestMessages.text("three", "3"))
            .build();

    @Test
    void aClientThatReadsAndDeletesEverythingLeavesAnEmptyMailbox(Pop3TestServer server) throws Exception {
        assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", true)).containsExactly("one", "two", "three");
        Mailbox alice = server.mailbox("alice");
        assertThat(alice).isEmpty().hasRetrieved("one", "two", "three").hasDeleted("one", "two", "three");
        assertThat(alice.abandonedDeletions()).isEmpty();
        assertThat(alice.sessions()).singleElement().satisfies(s -> assertThat(s).quitCleanly());
    }

    @Test
    void deletionsOfASessionThatEndsWithoutQuitAreAbandonedAndNothingIsRemoved(Pop3TestServer server)
            throws Exception {
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            client.login("alice", "s3cret");
            assertThat(client.send("RETR 2")).startsWith("+OK");
            client.readBody();
            assertThat(client.send("DELE 2")).startsWith("+OK");
            assertThat(client.send("DELE 3")).startsWith("+OK");
        }
        Mailbox alice = server.mailbox("alice");
        assertThat(alice).containsExactlySubjects("one", "two", "three").hasRetrieved("two").hasNothingDeleted()
                .hasAbandonedDeletions("two", "three");
    }

    @Test
    void rsetUndoesDeletionsSoNothingIsAbandoned(Pop3TestServer server) throws Exception {
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            client.login("alice", "s3cret");
            client.send("DELE 1");
            client.send("RSET");
            client.send("DELE 3");
            assertThat(client.send("QUIT")).startsWith("+OK");
        }
        server.takeSession(WAIT);
        assertThat(server.mailbox("alice")).containsExactlySubjects("one", "two").hasDeleted("three")
                .hasNothingRetrieved();
        assertThat(server.mailbox("alice").abandonedDeletions()).isEmpty();
    }

    @Test
    void messagesDeliveredDuringASessionAppearInTheNextOne(Pop3TestServer server) throws Exception {
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            client.login("alice", "s3cret");
            List<StoredMessage> stored = server.deliver("alice", TestMessages.text("four", "4"));
            assertThat(client.send("STAT")).startsWith("+OK 3 ");
            client.send("QUIT");
            assertThat(server.mailbox("alice").messages()).last().isEqualTo(stored.get(0));
        }
        assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", false)).containsExactly("one", "two", "three",
                "four");
    }

    @Test
    void usersCanBeAddedWhileTheServerRunsAndUnknownMailboxesAreEmpty(Pop3TestServer server) throws Exception {
        assertThat(server.mailbox("bob")).isEmpty();
        server.user("bob", "pw").deliver("bob", TestMessages.text("for bob", "b"));
        assertThat(JakartaMail.fetchSubjects(server, "bob", "pw", true)).containsExactly("for bob");
        assertThat(server.mailbox("bob")).isEmpty().hasDeleted("for bob");
    }

    @Test
    void uniqueIdsInTheMailboxAreTheOnesTheClientSees(Pop3TestServer server) throws Exception {
        List<StoredMessage> messages = server.mailbox("alice").messages();
        try (Pop3Dialog client = Pop3Dialog.connect(server)) {
            client.greeting();
            client.login("alice", "s3cret");
            assertThat(client.send("UIDL 2")).isEqualTo("+OK 2 " + messages.get(1).uid());
            assertThat(client.send("LIST 3")).isEqualTo("+OK 3 " + messages.get(2).size());
        }
    }
}
