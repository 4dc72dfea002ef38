package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.auth.Credentials;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Commands and states without a socket. */
class DispatcherTest {

    final Dispatcher dispatcher = new Dispatcher();
    final FakeSession session = new FakeSession();

    Dispatcher.Outcome run(String line) {
        return dispatcher.dispatch(session, line);
    }

    String reply(String line) {
        return run(line).reply().statusLine();
    }

    static List<String> lines(Reply reply) {
        List<String> lines = new ArrayList<>();
        ((Reply.Lines) reply).lines().forEachRemaining(lines::add);
        return lines;
    }

    @Nested
    class Parsing {
        @Test
        void unknownAndEmptyCommandsAreBad() {
            assertThat(run("HELO x").bad()).isTrue();
            assertThat(run("").reply()).isEqualTo(Replies.UNKNOWN_COMMAND);
            assertThat(run("RETRX 1").reply()).isEqualTo(Replies.UNKNOWN_COMMAND);
        }

        @Test
        void commandsInTheWrongStateAreBad() {
            Dispatcher.Outcome outcome = run("STAT");
            assertThat(outcome.reply()).isEqualTo(Replies.WRONG_STATE);
            assertThat(outcome.bad()).isTrue();
        }

        @Test
        void secretsAreRedactedForLogs() {
            assertThat(run("PASS hunter2").logged()).isEqualTo("PASS ***");
            assertThat(run("APOP alice c4c9334bac560ecc979e58001b3e22fb").logged()).isEqualTo("APOP alice ***");
            assertThat(run("AUTH PLAIN AGFsaWNlAHMzY3JldA==").logged()).isEqualTo("AUTH PLAIN ***");
            assertThat(run("USER alice").logged()).isEqualTo("USER alice");
        }
    }

    @Nested
    class Authorization {
        @Test
        void userThenPassLogsIn() {
            assertThat(reply("USER alice")).isEqualTo("+OK send PASS");
            reply("PASS two words");
            assertThat(session.logins).containsExactly(new Credentials.Password("alice", "two words"));
            assertThat(session.pendingUser).isNull();
        }

        @Test
        void userIsRefusedWhereClearTextIsNotAllowed() {
            session.plaintextAllowed = false;
            assertThat(run("USER alice").reply()).isEqualTo(Replies.PLAINTEXT_DISALLOWED);
            assertThat(run("AUTH PLAIN").reply()).isEqualTo(Replies.PLAINTEXT_DISALLOWED);
        }

        @Test
        void authPlainWithoutInitialResponseSendsAnEmptyChallengeAndWaits() {
            assertThat(reply("AUTH plain")).isEqualTo("+ ");
            assertThat(session.sasl).isNotNull();
            String response = Base64.getEncoder().encodeToString("\0bob\0pw".getBytes());
            dispatcher.continueSasl(session, session.sasl, "PLAIN", response);
            assertThat(session.sasl).isNull();
            assertThat(session.logins).containsExactly(new Credentials.Password("bob", "pw"));
        }

        @Test
        void stlsIsOfferedOnlyWhenConfiguredAndNotYetSecure() {
            assertThat(run("STLS").reply()).isEqualTo(Replies.STLS_UNAVAILABLE);
            session.tlsConfigured = true;
            assertThat(run("STLS").reply()).isEqualTo(Replies.STLS_BEGIN);
            assertThat(session.startTls).isTrue();
            session.secure = true;
            assertThat(run("STLS").reply()).isEqualTo(Replies.STLS_ACTIVE);
        }

        @Test
        void capaListsStlsAndSaslWhenAvailable() {
            session.tlsConfigured = true;
            assertThat(lines(run("CAPA").reply())).contains("STLS", "SASL PLAIN", "USER", "EXPIRE 30");
        }

        @Test
        void apopIsRefusedWithoutATimestamp() {
            assertThat(run("APOP alice c4c9334bac560ecc979e58001b3e22fb").reply())
                    .isEqualTo(Replies.MECHANISM_UNSUPPORTED);
            session.apopTimestamp = "<1.2@host>";
            run("APOP alice c4c9334bac560ecc979e58001b3e22fb");
            assertThat(session.logins).containsExactly(
                    new Credentials.Apop("alice", "<1.2@host>", "c4c9334bac560ecc979e58001b3e22fb"));
        }
    }

    @Nested
    class Transaction {
        void open(int messages) throws Exception {
            for (int i = 1; i <= messages; i++) {
                session.store.add("alice", "Subject: " + i + "\r\n\r\nbody\r\n");
            }
            session.openMaildrop("alice");
        }

        @Test
        void listingsSkipDeletedMessagesAndStayLazy() throws Exception {
            open(5);
            reply("DELE 2");
            reply("DELE 4");
            Reply list = run("LIST").reply();
            assertThat(list.statusLine()).isEqualTo("+OK 3 messages (60 octets)");
            assertThat(lines(list)).containsExactly("1 20", "3 20", "5 20");
            assertThat(lines(run("UIDL").reply())).extracting(l -> l.split(" ")[0]).containsExactly("1", "3", "5");
        }

        @Test
        void numbersAreValidated() throws Exception {
            open(1);
            assertThat(run("RETR abc").bad()).isTrue();
            assertThat(run("RETR 2").reply()).isEqualTo(Replies.NO_SUCH_MESSAGE);
            assertThat(run("RETR 2").bad()).isFalse();
            assertThat(run("DELE 1").reply().statusLine()).isEqualTo("+OK message 1 deleted");
            assertThat(run("DELE 1").reply()).isEqualTo(Replies.ALREADY_DELETED);
            assertThat(run("RSET").reply().statusLine()).isEqualTo("+OK maildrop has 1 message (20 octets)");
        }

        @Test
        void retrAndTopOpenTheContent() throws Exception {
            open(1);
            Reply.Content retr = (Reply.Content) run("RETR 1").reply();
            assertThat(retr.bodyLines()).isEqualTo(-1);
            assertThat(retr.statusLine()).isEqualTo("+OK 20 octets");
            Reply.Content top = (Reply.Content) run("TOP 1 5").reply();
            assertThat(top.bodyLines()).isEqualTo(5);
            retr.content().close();
            top.content().close();
        }

        @Test
        void quitAsksTheSessionToUpdate() throws Exception {
            open(1);
            run("QUIT");
            assertThat(session.quit).isTrue();
        }
    }
}
