package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The protocol session without a socket: states, commands, login, UPDATE, limits. */
class ProtocolSessionTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();

    Pop3Server.Builder server() {
        return Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret", "bob", "pw")))
                .authFailureDelay(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1));
    }

    SessionHarness loggedIn(int messages) {
        for (int i = 1; i <= messages; i++) {
            store.add("alice", "Subject: " + i + "\r\n\r\nbody\r\n");
        }
        SessionHarness session = SessionHarness.of(server());
        assertThat(session.send("USER alice", "PASS s3cret")).endsWith("+OK maildrop has " + messages + " message"
                + (messages == 1 ? "" : "s") + " (" + 20 * messages + " octets)\r\n");
        return session;
    }

    @Nested
    class Parsing {
        @Test
        void unknownEmptyAndWrongStateCommandsAreRefused() {
            SessionHarness session = SessionHarness.of(server());
            assertThat(session.send("HELO x", "", "RETRX 1", "STAT")).isEqualTo("-ERR unknown command\r\n"
                    + "-ERR unknown command\r\n-ERR unknown command\r\n-ERR command not valid in this state\r\n");
        }

        @Test
        void tooManyBadCommandsCloseTheConnection() {
            SessionHarness session = SessionHarness.of(server().maxBadCommands(3));
            session.send("A", "B", "C", "NOOP");
            assertThat(session.closedWith).isEqualTo(EndReason.TOO_MANY_ERRORS);
        }

        @Test
        void anAbortedAuthExchangeCountsAsABadCommand() {
            SessionHarness session = SessionHarness.of(server().maxBadCommands(2));
            assertThat(session.send("AUTH PLAIN", "*")).isEqualTo("+ \r\n-ERR authentication aborted\r\n");
            session.send("AUTH PLAIN", "*");
            assertThat(session.closedWith).isEqualTo(EndReason.TOO_MANY_ERRORS);
        }
    }

    @Nested
    class Authorization {
        @Test
        void userThenPassLogsInAndPasswordsMayHoldSpaces() {
            SessionHarness session = SessionHarness.of(server().authenticator(
                    Authenticator.fromMap(Map.of("alice", "two words"))));
            assertThat(session.send("USER alice", "PASS two words"))
                    .isEqualTo("+OK send PASS\r\n+OK maildrop has 0 messages (0 octets)\r\n");
            assertThat(session.idleTimeout).isEqualTo(Duration.ofMinutes(10));
        }

        @Test
        void passWithoutUserIsRefused() {
            assertThat(SessionHarness.of(server()).send("PASS s3cret")).isEqualTo("-ERR send USER first\r\n");
        }

        @Test
        void clearTextIsRefusedWhereThePolicyForbidsIt() {
            SessionHarness session = SessionHarness.of(server().plaintextAuth(PlaintextAuth.REQUIRE_TLS)
                    .tls(() -> {
                        throw new AssertionError("no TLS in this test");
                    }));
            assertThat(session.send("USER alice", "AUTH PLAIN")).isEqualTo(
                    "-ERR [AUTH] plain-text authentication is not allowed on an insecure connection; use STLS or TLS"
                            + "\r\n-ERR [AUTH] plain-text authentication is not allowed on an insecure connection;"
                            + " use STLS or TLS\r\n");
        }

        @Test
        void authPlainWithoutInitialResponseSendsAnEmptyChallengeAndWaits() {
            SessionHarness session = SessionHarness.of(server());
            assertThat(session.send("AUTH plain")).isEqualTo("+ \r\n");
            String response = Base64.getEncoder().encodeToString("\0bob\0pw".getBytes());
            assertThat(session.send(response)).isEqualTo("+OK maildrop has 0 messages (0 octets)\r\n");
        }

        @Test
        void aFailedLoginIsAnsweredAtOnceAndTheNextAttemptWaitsWhateverItsOutcome() {
            SessionHarness session = SessionHarness.of(server()
                    .authFailureDelay(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(1)));
            assertThat(session.send("USER alice", "PASS wrong"))
                    .isEqualTo("+OK send PASS\r\n-ERR [AUTH] authentication failed\r\n");
            assertThat(session.send("USER alice", "PASS s3cret", "NOOP")).isEqualTo("+OK send PASS\r\n");
            assertThat(session.advance(Duration.ofMillis(1999))).isEmpty();
            assertThat(session.advance(Duration.ofMillis(1)))
                    .isEqualTo("+OK maildrop has 0 messages (0 octets)\r\n+OK\r\n");
        }

        @Test
        void failedLoginsEndTheSessionAtTheLimit() {
            SessionHarness session = SessionHarness.of(server().maxAuthFailures(2));
            session.send("USER alice", "PASS a", "USER alice", "PASS b");
            assertThat(session.closedWith).isEqualTo(EndReason.TOO_MANY_ERRORS);
        }

        @Test
        void stlsIsOfferedOnlyWhenConfiguredAndNotYetSecure() {
            assertThat(SessionHarness.of(server()).send("STLS")).isEqualTo("-ERR STLS is not available\r\n");
            SessionHarness withTls = SessionHarness.of(server().tls(() -> null));
            assertThat(withTls.send("STLS")).isEqualTo("+OK begin TLS negotiation\r\n");
            assertThat(withTls.tlsStarted).isTrue();
            assertThat(SessionHarness.secure(server().tls(() -> null)).send("STLS"))
                    .isEqualTo("-ERR TLS is already active\r\n");
        }

        @Test
        void capaSaysWhatThisSessionCanUseNow() {
            SessionHarness session = SessionHarness.of(server().tls(() -> null).expire(Expire.days(30)));
            assertThat(session.send("CAPA")).isEqualTo("+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n"
                    + "PIPELINING\r\nUSER\r\nSASL SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN\r\nAUTH-RESP-CODE\r\n"
                    + "STLS\r\nEXPIRE 30\r\n.\r\n");
            session.send("USER alice", "PASS s3cret");
            assertThat(session.send("CAPA")).isEqualTo("+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n"
                    + "PIPELINING\r\nEXPIRE 30\r\n.\r\n");
        }

        @Test
        void noLoginWithinTheLoginTimeoutEndsTheSession() {
            SessionHarness session = SessionHarness.of(server().loginTimeout(Duration.ofSeconds(90)));
            session.send("NOOP");
            assertThat(session.advance(Duration.ofSeconds(89))).isEmpty();
            assertThat(session.advance(Duration.ofSeconds(1))).isEqualTo("-ERR autologout: no login in time\r\n");
            assertThat(session.closedWith).isEqualTo(EndReason.LOGIN_TIMEOUT);
        }

        @Test
        void theLoginTimeoutNoLongerCountsAfterLogin() {
            SessionHarness session = loggedIn(0);
            assertThat(session.advance(Duration.ofMinutes(2))).isEmpty();
            assertThat(session.closedWith).isNull();
        }

        /** An idle logged-in session would otherwise hold a timer entry (and itself) until the deadline passed. */
        @Test
        void aLoginLetsGoOfTheLoginDeadline() {
            SessionHarness session = SessionHarness.of(server());
            assertThat(session.delaysWaiting()).isEqualTo(1);

            session.send("USER alice", "PASS s3cret");

            assertThat(session.delaysWaiting()).isZero();
        }

        @Test
        void aLockedMailboxIsInUse() throws Exception {
            try (var held = store.open("alice")) {
                assertThat(SessionHarness.of(server()).send("USER alice", "PASS s3cret"))
                        .endsWith("-ERR [IN-USE] mailbox is in use by another session\r\n");
            }
        }
    }

    @Nested
    class Transaction {
        @Test
        void listingsSkipDeletedMessages() {
            SessionHarness session = loggedIn(5);
            session.send("DELE 2", "DELE 4");
            assertThat(session.send("LIST")).isEqualTo("+OK 3 messages (60 octets)\r\n1 20\r\n3 20\r\n5 20\r\n.\r\n");
            assertThat(session.send("STAT")).isEqualTo("+OK 3 60\r\n");
        }

        @Test
        void numbersAreValidated() {
            SessionHarness session = loggedIn(1);
            assertThat(session.send("RETR abc", "RETR 2", "DELE 1", "DELE 1", "RSET")).isEqualTo(
                    "-ERR invalid message number\r\n-ERR no such message\r\n+OK message 1 deleted\r\n"
                            + "-ERR message already deleted\r\n+OK maildrop has 1 message (20 octets)\r\n");
        }

        @Test
        void anArgumentOfControlCharactersIsNoArgumentForTheCommandAndForItsVerb() {
            SessionHarness session = loggedIn(1);
            assertThat(session.send("UIDL \u0001")).startsWith("+OK 1 messages").endsWith("\r\n.\r\n");
            assertThat(Verb.UIDL.multiLine("\u0001")).isTrue();
            assertThat(Verb.UIDL.multiLine(" 1")).isFalse();
        }

        @Test
        void retrSendsTheMessageAndTopItsHead() {
            SessionHarness session = loggedIn(1);
            assertThat(session.send("RETR 1")).isEqualTo("+OK 20 octets\r\nSubject: 1\r\n\r\nbody\r\n.\r\n");
            assertThat(session.send("TOP 1 0")).isEqualTo("+OK top of message follows\r\nSubject: 1\r\n\r\n.\r\n");
        }

        @Test
        void aMessageRemovedMeanwhileIsGoneAndTheSessionGoesOn() {
            SessionHarness session = loggedIn(2);
            store.remove("alice", store.messages("alice").get(0).uid());
            assertThat(session.send("RETR 1", "NOOP"))
                    .isEqualTo("-ERR message was removed from the mailbox by another client\r\n+OK\r\n");
        }

        @Test
        void quitRemovesTheDeletedMessagesAndReleasesTheMailbox() {
            SessionHarness session = loggedIn(3);
            assertThat(session.send("DELE 1", "RETR 2", "QUIT"))
                    .endsWith("+OK Poplar signing off (1 message deleted)\r\n");
            assertThat(session.closedWith).isEqualTo(EndReason.QUIT);
            assertThat(store.messages("alice")).hasSize(2);
            assertThat(store.isLocked("alice")).isFalse();
            assertThat(session.drop().deleted()).isEqualTo(1);
        }

        @Test
        void aDroppedSessionDeletesNothingAndReleasesTheMailbox() {
            SessionHarness session = loggedIn(2);
            assertThat(session.send("DELE 1", "DELE 2")).isEqualTo("+OK message 1 deleted\r\n+OK message 2 deleted\r\n");
            SessionSummary summary = session.drop();
            assertThat(summary.end()).isEqualTo(EndReason.CLIENT_DISCONNECTED);
            assertThat(summary.deleted()).isZero();
            assertThat(store.messages("alice")).hasSize(2);
            assertThat(store.isLocked("alice")).isFalse();
        }

        @Test
        void anIdleSessionEndsWithoutUpdate() {
            SessionHarness session = loggedIn(1);
            assertThat(session.send("DELE 1")).isEqualTo("+OK message 1 deleted\r\n");
            session.session().idle();
            assertThat(session.closedWith).isEqualTo(EndReason.IDLE_TIMEOUT);
            assertThat(session.drop().deleted()).isZero();
            assertThat(store.messages("alice")).hasSize(1);
            assertThat(store.isLocked("alice")).isFalse();
        }
    }

    @Nested
    class Pipelining {
        @Test
        void aHundredThousandPipelinedCommandsAreAnsweredInOrder() {
            SessionHarness session = loggedIn(3);
            String[] commands = new String[100_000];
            for (int i = 0; i < commands.length; i++) {
                commands[i] = i % 2 == 0 ? "LIST 2" : "NOOP";
            }
            String replies = session.send(commands);
            assertThat(replies).hasSize(50_000 * ("+OK 2 20\r\n".length() + "+OK\r\n".length()));
            assertThat(replies).startsWith("+OK 2 20\r\n+OK\r\n+OK 2 20\r\n").endsWith("+OK 2 20\r\n+OK\r\n");
        }
    }
}
