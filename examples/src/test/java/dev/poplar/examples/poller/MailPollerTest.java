package dev.poplar.examples.poller;

import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.testkit.Fault;
import dev.poplar.pop3.testkit.Persona;
import dev.poplar.pop3.testkit.Pop3ServerExtension;
import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.server.ResponseCode;
import dev.poplar.pop3.testkit.TestMessages;
import dev.poplar.pop3.testkit.TlsMode;
import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** The poller against a fake POP3 server: what it downloads, what it deletes, and what it does when things break. */
class MailPollerTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    final List<String> handled = new CopyOnWriteArrayList<>();

    MailPoller poller(Pop3TestServer server) {
        return new MailPoller(server.jakartaMailProperties(), "alice", "s3cret",
                message -> handled.add(message.getSubject()));
    }

    @Nested
    class WhenAllGoesWell {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("Invoice 42", "EUR 10"),
                        TestMessages.withAttachment("Invoice 43", "EUR 20", "invoice-43.pdf", new byte[] {1, 2, 3}))
                .build();

        @Test
        void handsOverEveryMessageAndDeletesIt(Pop3TestServer server) throws Exception {
            assertThat(poller(server).poll()).isEqualTo(new MailPoller.PollResult(2, 2, 0));
            assertThat(handled).containsExactly("Invoice 42", "Invoice 43");
            assertThat(server.mailbox("alice")).isEmpty().hasDeleted("Invoice 42", "Invoice 43");
            assertThat(server.takeSession(WAIT)).issued("RETR 1", "RETR 2", "DELE 1", "DELE 2").quitCleanly();
        }

        @Test
        void keepsWhatTheHandlerRefuses(Pop3TestServer server) throws Exception {
            MailPoller picky = new MailPoller(server.jakartaMailProperties(), "alice", "s3cret", message -> {
                if (message.getSubject().endsWith("42")) {
                    throw new IllegalStateException("cannot book it");
                }
            });
            assertThat(picky.poll()).isEqualTo(new MailPoller.PollResult(2, 1, 1));
            assertThat(server.mailbox("alice")).containsExactlySubjects("Invoice 42");
        }

        @Test
        void findsMailThatArrivesBetweenPolls(Pop3TestServer server) throws Exception {
            MailPoller poller = poller(server);
            poller.poll();
            server.deliver("alice", TestMessages.text("Invoice 44", "EUR 30"));
            assertThat(poller.poll().handled()).isEqualTo(1);
            assertThat(handled).containsExactly("Invoice 42", "Invoice 43", "Invoice 44");
        }
    }

    @Nested
    class WhenTheServerMisbehaves {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("Invoice 42", "EUR 10"), TestMessages.ofSize(100_000))
                .build();

        @Test
        void aConnectionDroppedInTheMiddleOfRetrDeletesNothingAndTheNextPollGetsEverything(Pop3TestServer server)
                throws Exception {
            server.inject(Fault.on("RETR 2").once().dropAfter(20_000));
            MailPoller poller = poller(server);

            assertThatThrownBy(poller::poll).isInstanceOf(MessagingException.class);
            assertThat(server.takeSession(WAIT)).endedWith(EndReason.DROPPED).didNotIssue("QUIT");
            assertThat(server.mailbox("alice")).hasMessageCount(2).hasNothingDeleted();

            assertThat(poller.poll()).isEqualTo(new MailPoller.PollResult(2, 2, 0));
            assertThat(server.mailbox("alice")).isEmpty();
            assertThat(handled).as("the first message is handed over twice").containsExactly("Invoice 42",
                    "Invoice 42", "Message of 100000 octets");
        }

        @Test
        void aTemporaryErrorOnRetrLeavesThatMessageForLater(Pop3TestServer server) throws Exception {
            server.inject(Fault.on("RETR").once().error(ResponseCode.SYS_TEMP));
            assertThat(poller(server).poll()).isEqualTo(new MailPoller.PollResult(2, 1, 1));
            assertThat(server.takeSession(WAIT)).answered("RETR 1", "-ERR [SYS/TEMP]").quitCleanly();
            assertThat(server.mailbox("alice")).containsExactlySubjects("Invoice 42");
            assertThat(poller(server).poll().handled()).isEqualTo(1);
        }

        @Test
        void aMailboxLockedByAnotherClientFailsThePollWithoutHarm(Pop3TestServer server) throws Exception {
            try (var hold = server.holdMailbox("alice")) {
                assertThatThrownBy(poller(server)::poll).hasMessageContaining("[IN-USE]");
            }
            assertThat(poller(server).poll().handled()).isEqualTo(2);
        }
    }

    @Nested
    class AgainstOtherServers {
        @Test
        void anOldServerWithoutCapaIsPolledWithUserAndPass() throws Exception {
            try (Pop3TestServer server = Pop3TestServer.builder().persona(Persona.rfc1939())
                    .user("alice", "s3cret", TestMessages.text("Invoice 42", "EUR 10")).start()) {
                assertThat(poller(server).poll().handled()).isEqualTo(1);
                assertThat(server.takeSession(WAIT)).answered("CAPA", "-ERR").issued("USER alice", "PASS ***")
                        .quitCleanly();
            }
        }

        @Test
        void onAGmailLikeServerARefusedMessageIsGoneAnywayBecauseOfExpireZero() throws Exception {
            try (Pop3TestServer server = Pop3TestServer.builder().persona(Persona.gmail())
                    .user("alice", "s3cret", TestMessages.text("Invoice 42", "EUR 10")).start()) {
                MailPoller refusing = new MailPoller(server.jakartaMailProperties(), "alice", "s3cret", message -> {
                    throw new IllegalStateException("not now");
                });
                assertThat(refusing.poll()).isEqualTo(new MailPoller.PollResult(1, 0, 1));
                assertThat(server.mailbox("alice")).isEmpty().hasRetrieved("Invoice 42").hasNothingDeleted();
            }
        }
    }

    @Nested
    class WithTls {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("Invoice 42", "EUR 10"))
                .tls(TlsMode.STARTTLS_REQUIRED).build();

        @Test
        void thePollerUpgradesWithStlsBeforeSendingThePassword(Pop3TestServer server) throws Exception {
            assertThat(poller(server).poll().handled()).isEqualTo(1);
            assertThat(server.takeSession(WAIT)).issued("STLS", "RETR 1").usedTls().quitCleanly();
        }

        @Test
        void aServerThatDoesNotOfferStlsNeverSeesThePassword() throws Exception {
            try (Pop3TestServer server = Pop3TestServer.builder().tls(TlsMode.STARTTLS)
                    .persona(Persona.full().without("STLS")).user("alice", "s3cret").start()) {
                assertThatThrownBy(poller(server)::poll).isInstanceOf(MessagingException.class);
                assertThat(server.takeSession(WAIT)).didNotIssue("USER", "PASS", "AUTH");
            }
        }
    }
}
