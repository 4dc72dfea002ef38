package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 1939 commands and states, over a real socket. */
class ProtocolWireTest {

    static final String FIRST = "From: a@example.org\r\nSubject: one\r\n\r\nbody one\r\n";
    static final String SECOND = "From: b@example.org\nSubject: two\n\nline 1\nline 2\nline 3\n";

    InMemoryMailboxStore store;
    Pop3Server server;
    WireClient client;
    MessageInfo first;
    MessageInfo second;

    @BeforeEach
    void start() throws IOException {
        store = new InMemoryMailboxStore();
        first = store.add("alice", FIRST);
        second = store.add("alice", SECOND);
        server = TestServers.start(TestServers.builder(store));
        client = WireClient.connect(server);
        assertThat(client.greeting()).startsWith("+OK");
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.close();
    }

    void login() throws IOException {
        assertThat(client.login("alice", "s3cret")).startsWith("+OK");
    }

    @Nested
    class Authorization {
        @Test
        void transactionCommandsAreRejectedBeforeLogin() throws IOException {
            for (String command : new String[] {"STAT", "LIST", "RETR 1", "DELE 1", "NOOP", "RSET", "TOP 1 0",
                    "UIDL"}) {
                assertThat(client.send(command)).as(command).isEqualTo("-ERR command not valid in this state");
            }
        }

        @Test
        void userIsAcceptedWhetherOrNotTheUserExists() throws IOException {
            assertThat(client.send("USER nobody")).isEqualTo("+OK send PASS");
            assertThat(client.send("PASS wrong")).isEqualTo("-ERR [AUTH] authentication failed");
        }

        @Test
        void passWithoutUserIsRejected() throws IOException {
            assertThat(client.send("PASS s3cret")).isEqualTo("-ERR send USER first");
        }

        @Test
        void wrongPasswordIsRejectedWithAuthCodeAndTheSessionStaysInAuthorization() throws IOException {
            assertThat(client.login("alice", "nope")).isEqualTo("-ERR [AUTH] authentication failed");
            assertThat(client.send("STAT")).startsWith("-ERR");
            assertThat(client.login("alice", "s3cret")).isEqualTo("+OK maildrop has 2 messages ("
                    + (first.size() + second.size()) + " octets)");
        }

        @Test
        void passwordMayContainSpaces() throws IOException {
            store.add("carol", "x");
            try (Pop3Server spaced = TestServers.start(TestServers.builder(store)
                    .authenticator(dev.poplar.pop3.auth.Authenticator.fromMap(
                            java.util.Map.of("carol", "two words ")))); WireClient c = WireClient.connect(spaced)) {
                c.greeting();
                assertThat(c.login("carol", "two words ")).startsWith("+OK");
            }
        }

        @Test
        void commandKeywordsAreCaseInsensitive() throws IOException {
            assertThat(client.send("user alice")).startsWith("+OK");
            assertThat(client.send("pAsS s3cret")).startsWith("+OK");
            assertThat(client.send("stat")).startsWith("+OK 2");
        }

        @Test
        void quitBeforeLoginSaysGoodbyeAndCloses() throws IOException {
            assertThat(client.send("QUIT")).isEqualTo("+OK Poplar signing off");
            assertThat(client.closedByServer()).isTrue();
        }

        @Test
        void aSecondSessionOnALockedMailboxGetsInUse() throws IOException {
            login();
            try (WireClient other = WireClient.connect(server)) {
                other.greeting();
                assertThat(other.login("alice", "s3cret")).isEqualTo(
                        "-ERR [IN-USE] mailbox is in use by another session");
                assertThat(other.send("NOOP")).isEqualTo("-ERR command not valid in this state");
            }
        }
    }

    @Nested
    class Transaction {
        @BeforeEach
        void loggedIn() throws IOException {
            login();
        }

        @Test
        void statCountsMessagesAndOctets() throws IOException {
            assertThat(client.send("STAT")).isEqualTo("+OK 2 " + (first.size() + second.size()));
        }

        @Test
        void listShowsEveryMessageSize() throws IOException {
            assertThat(client.send("LIST")).isEqualTo("+OK 2 messages (" + (first.size() + second.size())
                    + " octets)");
            assertThat(client.lines()).containsExactly("1 " + first.size(), "2 " + second.size());
            assertThat(client.send("LIST 2")).isEqualTo("+OK 2 " + second.size());
        }

        @Test
        void uidlShowsStableUniqueIds() throws IOException {
            assertThat(client.send("UIDL")).startsWith("+OK");
            assertThat(client.lines()).containsExactly("1 " + first.uid(), "2 " + second.uid());
            assertThat(client.send("UIDL 1")).isEqualTo("+OK 1 " + first.uid());
        }

        @Test
        void retrSendsCrlfContentAndTheAnnouncedSize() throws IOException {
            assertThat(client.send("RETR 2")).isEqualTo("+OK " + second.size() + " octets");
            byte[] body = client.body();
            assertThat(new String(body, StandardCharsets.UTF_8))
                    .isEqualTo("From: b@example.org\r\nSubject: two\r\n\r\nline 1\r\nline 2\r\nline 3\r\n");
            assertThat((long) body.length).isEqualTo(second.size());
        }

        @Test
        void topSendsHeadersBlankLineAndRequestedBodyLines() throws IOException {
            assertThat(client.send("TOP 2 2")).isEqualTo("+OK top of message follows");
            assertThat(client.lines()).containsExactly("From: b@example.org", "Subject: two", "", "line 1",
                    "line 2");
            assertThat(client.send("TOP 2 0")).startsWith("+OK");
            assertThat(client.lines()).containsExactly("From: b@example.org", "Subject: two", "");
            assertThat(client.send("TOP 2 99")).startsWith("+OK");
            assertThat(client.lines()).hasSize(6);
        }

        @Test
        void deletedMessagesDisappearFromEveryCommandUntilRset() throws IOException {
            assertThat(client.send("DELE 1")).isEqualTo("+OK message 1 deleted");
            assertThat(client.send("STAT")).isEqualTo("+OK 1 " + second.size());
            assertThat(client.send("LIST")).startsWith("+OK 1 messages");
            assertThat(client.lines()).containsExactly("2 " + second.size());
            assertThat(client.send("UIDL")).startsWith("+OK");
            assertThat(client.lines()).containsExactly("2 " + second.uid());
            assertThat(client.send("LIST 1")).isEqualTo("-ERR no such message");
            assertThat(client.send("UIDL 1")).isEqualTo("-ERR no such message");
            assertThat(client.send("RETR 1")).isEqualTo("-ERR no such message");
            assertThat(client.send("TOP 1 0")).isEqualTo("-ERR no such message");
            assertThat(client.send("DELE 1")).isEqualTo("-ERR message already deleted");
            assertThat(client.send("RSET")).isEqualTo("+OK maildrop has 2 messages ("
                    + (first.size() + second.size()) + " octets)");
            assertThat(client.send("RETR 1")).startsWith("+OK");
            client.body();
        }

        @Test
        void quitRemovesDeletedMessagesFromTheStore() throws IOException {
            assertThat(client.send("DELE 2")).isEqualTo("+OK message 2 deleted");
            assertThat(client.send("QUIT")).isEqualTo("+OK Poplar signing off (1 message deleted)");
            assertThat(client.closedByServer()).isTrue();
            awaitUnlocked();
            assertThat(store.messages("alice")).containsExactly(first);
        }

        @Test
        void aDroppedConnectionDeletesNothingAndReleasesTheLock() throws IOException {
            assertThat(client.send("DELE 1")).isEqualTo("+OK message 1 deleted");
            assertThat(client.send("DELE 2")).isEqualTo("+OK message 2 deleted");
            assertThat(client.send("STAT")).isEqualTo("+OK 0 0");
            client.close();
            awaitUnlocked();
            assertThat(store.messages("alice")).containsExactly(first, second);
        }

        @Test
        void messageNumbersStayFixedWhenMailArrivesDuringTheSession() throws IOException {
            store.add("alice", "Subject: late\r\n\r\nlate\r\n");
            assertThat(client.send("STAT")).startsWith("+OK 2 ");
            assertThat(client.send("RETR 3")).isEqualTo("-ERR no such message");
        }

        @Test
        void aMessageRemovedBehindTheSessionsBackGetsAClearErrorAndTheSessionGoesOn() throws IOException {
            store.remove("alice", first.uid());
            assertThat(client.send("RETR 1")).isEqualTo(
                    "-ERR message was removed from the mailbox by another client");
            assertThat(client.send("NOOP")).isEqualTo("+OK");
        }

        @Test
        void malformedArgumentsGetClearErrors() throws IOException {
            assertThat(client.send("RETR")).isEqualTo("-ERR syntax: RETR msg");
            assertThat(client.send("RETR x")).isEqualTo("-ERR invalid message number");
            assertThat(client.send("RETR 0")).isEqualTo("-ERR no such message");
            assertThat(client.send("RETR 3")).isEqualTo("-ERR no such message");
            assertThat(client.send("RETR 99999999999999999999")).isEqualTo("-ERR no such message");
            assertThat(client.send("RETR -1")).isEqualTo("-ERR invalid message number");
            assertThat(client.send("TOP 1")).isEqualTo("-ERR syntax: TOP msg n");
            assertThat(client.send("TOP 1 x")).isEqualTo("-ERR syntax: TOP msg n");
            assertThat(client.send("LIST 1 2")).isEqualTo("-ERR syntax: LIST [msg]");
            assertThat(client.send("DELE")).isEqualTo("-ERR syntax: DELE msg");
            assertThat(client.send("XYZZY")).isEqualTo("-ERR unknown command");
            assertThat(client.send("")).isEqualTo("-ERR unknown command");
            assertThat(client.send("USER alice")).isEqualTo("-ERR command not valid in this state");
        }

        @Test
        void noopKeepsTheSessionAlive() throws IOException {
            assertThat(client.send("NOOP")).isEqualTo("+OK");
        }
    }

    @Nested
    class Pipelining {
        @Test
        void commandsSentInOnePacketAreAnsweredInOrder() throws IOException {
            client.write("USER alice\r\nPASS s3cret\r\nSTAT\r\nLIST 1\r\nRETR 1\r\nUIDL 2\r\nNOOP\r\nQUIT\r\n");
            assertThat(client.line()).isEqualTo("+OK send PASS");
            assertThat(client.line()).startsWith("+OK maildrop has 2");
            assertThat(client.line()).startsWith("+OK 2 ");
            assertThat(client.line()).isEqualTo("+OK 1 " + first.size());
            assertThat(client.line()).startsWith("+OK " + first.size());
            assertThat(new String(client.body(), StandardCharsets.UTF_8)).isEqualTo(FIRST);
            assertThat(client.line()).isEqualTo("+OK 2 " + second.uid());
            assertThat(client.line()).isEqualTo("+OK");
            assertThat(client.line()).startsWith("+OK Poplar signing off");
        }

        @Test
        void manyPipelinedCommandsAreAllAnswered() throws IOException {
            login();
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                batch.append("NOOP\r\n");
            }
            client.write(batch.toString());
            for (int i = 0; i < 500; i++) {
                assertThat(client.line()).isEqualTo("+OK");
            }
        }

        @Test
        void bareLineFeedsAreTolerated() throws IOException {
            client.write("USER alice\nPASS s3cret\nSTAT\n");
            assertThat(client.line()).startsWith("+OK");
            assertThat(client.line()).startsWith("+OK");
            assertThat(client.line()).startsWith("+OK 2");
        }

        @Test
        void aCommandSplitAcrossPacketsIsReassembled() throws IOException {
            for (byte b : "USER alice\r\n".getBytes(StandardCharsets.US_ASCII)) {
                client.write(new byte[] {b});
            }
            assertThat(client.line()).isEqualTo("+OK send PASS");
        }
    }

    void awaitUnlocked() {
        Await.until("alice's mailbox released", () -> !store.isLocked("alice"), java.time.Duration.ofSeconds(5));
    }
}
