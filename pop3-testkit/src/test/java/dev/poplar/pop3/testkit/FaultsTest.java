package dev.poplar.pop3.testkit;

import dev.poplar.pop3.server.ResponseCode;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** Every fault does what it says, seen through real clients: raw sockets and Angus Mail. */
class FaultsTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final TestMessage BIG = TestMessages.ofSize(200_000);

    @RegisterExtension
    final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
            .user("alice", "s3cret", TestMessages.text("one", "1"), BIG)
            .user("bob", "hunter2", TestMessages.text("for bob", "b"))
            .tls(TlsMode.STARTTLS_AND_IMPLICIT)
            .build();

    static Pop3Dialog loggedIn(Pop3TestServer server, String user, String password) throws IOException {
        Pop3Dialog client = Pop3Dialog.connect(server);
        client.greeting();
        assertThat(client.login(user, password)).startsWith("+OK");
        return client;
    }

    @Nested
    class Errors {
        @ParameterizedTest
        @EnumSource(ResponseCode.class)
        void anyResponseCodeCanAnswerAnyCommand(ResponseCode code, Pop3TestServer server) throws IOException {
            server.inject(Fault.on("RETR").error(code));
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("RETR 1")).isEqualTo(code.statusLine());
                assertThat(client.send("STAT")).startsWith("+OK 2 ");
            }
            assertThat(server.takeSession(WAIT).exchanges()).filteredOn(e -> e.command().equals("RETR 1"))
                    .singleElement().satisfies(e -> {
                        assertThat(e.reply()).contains(code.statusLine());
                        assertThat(e.fault()).contains("reply " + code.statusLine());
                    });
        }

        @Test
        void anErrorOnPassLogsNobodyInAndAngusReportsIt(Pop3TestServer server) {
            server.inject(Fault.on("PASS").error(ResponseCode.IN_USE, "mailbox locked by another client"));
            assertThatThrownBy(() -> JakartaMail.fetchSubjects(server.jakartaMailProperties(), "alice", "s3cret",
                    false)).isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("[IN-USE] mailbox locked by another client");
            RecordedSession session = server.takeSession(WAIT);
            assertThat(session.user()).isEmpty();
            assertThat(server.mailbox("alice")).hasMessageCount(2);
        }

        @Test
        void aMultiLineReplyCanBeScripted(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("UIDL").reply("+OK", "1 same", "2 same"));
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("UIDL")).isEqualTo("+OK");
                assertThat(client.readLines()).containsExactly("1 same", "2 same");
            }
        }
    }

    @Nested
    class Scope {
        @Test
        void aFaultForOneUserLeavesOthersAlone(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("RETR").forUser("alice").error(ResponseCode.SYS_TEMP));
            try (Pop3Dialog alice = loggedIn(server, "alice", "s3cret");
                 Pop3Dialog bob = loggedIn(server, "bob", "hunter2")) {
                assertThat(alice.send("RETR 1")).startsWith("-ERR [SYS/TEMP]");
                assertThat(bob.send("RETR 1")).startsWith("+OK");
            }
        }

        @Test
        void aFaultOnACommandLineMatchesOnlyThatLine(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("retr 2").error(ResponseCode.SYS_TEMP));
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("RETR 1")).startsWith("+OK");
                client.readBody();
                assertThat(client.send("RETR 2")).startsWith("-ERR [SYS/TEMP]");
            }
        }

        @Test
        void aFaultOnceIsSpentAfterOneUse(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("NOOP").once().error(ResponseCode.SYS_TEMP));
            assertThat(server.pendingFaults()).hasSize(1);
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("NOOP")).startsWith("-ERR");
                assertThat(client.send("NOOP")).isEqualTo("+OK");
            }
            assertThat(server.pendingFaults()).isEmpty();
        }

        @Test
        void aFaultTimesNFiresNTimes(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("noop").times(2).error(ResponseCode.SYS_TEMP));
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("NOOP")).startsWith("-ERR");
                assertThat(client.send("NOOP")).startsWith("-ERR");
                assertThat(client.send("NOOP")).isEqualTo("+OK");
            }
        }

        @Test
        void aFaultInTheNextSessionSparesSessionsAlreadyOpen(Pop3TestServer server) throws IOException {
            try (Pop3Dialog early = loggedIn(server, "alice", "s3cret")) {
                server.inject(Fault.onAnyCommand().inNextSession().error(ResponseCode.SYS_PERM));
                assertThat(early.send("NOOP")).isEqualTo("+OK");
                try (Pop3Dialog next = Pop3Dialog.connect(server)) {
                    next.greeting();
                    assertThat(next.send("USER bob")).startsWith("-ERR [SYS/PERM]");
                    assertThat(next.send("NOOP")).startsWith("-ERR [SYS/PERM]");
                }
                try (Pop3Dialog later = loggedIn(server, "bob", "hunter2")) {
                    assertThat(later.send("NOOP")).isEqualTo("+OK");
                }
            }
        }

        @Test
        void clearFaultsRemovesWhatIsLeft(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("NOOP").error(ResponseCode.SYS_TEMP)).clearFaults();
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("NOOP")).isEqualTo("+OK");
            }
        }
    }

    @Nested
    class Timing {
        @Test
        void aDelayHoldsTheReply(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("STAT").delay(Duration.ofMillis(300)));
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                long start = System.nanoTime();
                assertThat(client.send("STAT")).startsWith("+OK 2 ");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(280));
            }
            assertThat(server.takeSession(WAIT).exchanges()).anySatisfy(e -> {
                assertThat(e.command()).isEqualTo("STAT");
                assertThat(e.fault()).contains("delay 300 ms");
            });
        }

        @Test
        void slowOutputSendsTheWholeMessageAtTheRate(Pop3TestServer server) throws IOException {
            TestMessage message = TestMessages.ofSize(3000);
            server.deliver("bob", message);
            server.inject(Fault.on("RETR").slowOutput(6000));
            try (Pop3Dialog client = loggedIn(server, "bob", "hunter2")) {
                long start = System.nanoTime();
                assertThat(client.send("RETR 2")).startsWith("+OK");
                assertThat(client.readBody()).isEqualTo(message.octets());
                // 3,000-odd octets at 6,000 octets per second: about half a second.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
            }
        }

        @Test
        void slowOutputPacesAMessageTheServerReadAhead(Pop3TestServer server) throws IOException {
            // After RETR 1 the server reads message 2 ahead, whole; the fault must still pace it, from its first
            // chunk (a tenth of a second's worth), not send it all at once after the time the whole would take.
            TestMessage message = TestMessages.ofSize(1000);
            server.deliver("bob", message);
            server.inject(Fault.on("RETR 2").slowOutput(500));
            try (Pop3Dialog client = loggedIn(server, "bob", "hunter2")) {
                assertThat(client.send("RETR 1")).startsWith("+OK");
                client.readBody();
                assertThat(client.send("NOOP")).startsWith("+OK");
                client.timeout(Duration.ofMillis(1000));
                assertThat(client.send("RETR 2")).as("the status line, within the first chunks").startsWith("+OK");
                client.timeout(Duration.ofSeconds(10));
                assertThat(client.readBody()).isEqualTo(message.octets());
            }
        }

        @Test
        void aGreetingThatNeverComesTimesTheClientOut(Pop3TestServer server) throws Exception {
            server.inject(Fault.onConnect().once().silence());
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.timeout(Duration.ofMillis(300));
                assertThatThrownBy(client::greeting).isInstanceOf(SocketTimeoutException.class);
            }
            java.util.Properties properties = server.jakartaMailProperties();
            server.inject(Fault.onConnect().once().silence());
            properties.put("mail.pop3.timeout", "300");
            assertThatThrownBy(() -> JakartaMail.fetchSubjects(properties, "alice", "s3cret", false))
                    .isInstanceOf(MessagingException.class);
            assertThat(server.takeSession(WAIT).faults()).containsExactly("silence");
        }

        @Test
        void aSilencedCommandIsRecordedWithoutAReply(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("LIST").silence());
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                client.timeout(Duration.ofMillis(200));
                assertThatThrownBy(() -> client.send("LIST")).isInstanceOf(SocketTimeoutException.class);
            }
            assertThat(server.takeSession(WAIT).exchanges()).last()
                    .isEqualTo(new Exchange("LIST", Optional.empty(), Optional.of("silence")));
        }
    }

    @Nested
    class Drops {
        @Test
        void aRetrDroppedAfterNOctetsDeliversExactlyThoseAndDeletesNothing(Pop3TestServer server) throws Exception {
            server.inject(Fault.on("RETR").dropAfter(5000));
            try (Pop3Dialog client = loggedIn(server, "alice", "s3cret")) {
                assertThat(client.send("DELE 1")).isEqualTo("+OK message 1 deleted");
                client.write("RETR 2\r\n");
                byte[] received = client.readToEnd();
                assertThat(received).hasSize(5000);
                String expectedStart = "+OK " + BIG.size() + " octets\r\n";
                assertThat(new String(received, 0, 40, StandardCharsets.US_ASCII)).startsWith(expectedStart);
                byte[] content = java.util.Arrays.copyOfRange(received, expectedStart.length(), 5000);
                assertThat(content).isEqualTo(java.util.Arrays.copyOf(BIG.octets(), content.length));
            }
            RecordedSession session = server.takeSession(WAIT);
            assertThat(session).endedWith(EndReason.DROPPED);
            assertThat(session.exchanges()).last().isEqualTo(new Exchange("RETR 2", Optional.empty(),
                    Optional.of("drop after 5000 octets")));
            assertThat(server.mailbox("alice")).hasMessageCount(2).hasNothingRetrieved().hasNothingDeleted()
                    .hasAbandonedDeletions("one");
        }

        @Test
        void aDropAppliesToAMessageTheServerReadAhead() throws Exception {
            // After RETR 1 the server reads message 2 ahead; the fault on RETR 2 must still cut it.
            try (Pop3TestServer server = Pop3TestServer.builder()
                    .user("carol", "pw", TestMessages.text("first", "1"), TestMessages.text("second", "2"))
                    .start()) {
                server.inject(Fault.on("RETR 2").dropAfter(20));
                try (Pop3Dialog client = loggedIn(server, "carol", "pw")) {
                    assertThat(client.send("RETR 1")).startsWith("+OK");
                    assertThat(client.readLines()).contains("Subject: first");
                    assertThat(client.send("NOOP")).startsWith("+OK");
                    client.write("RETR 2\r\n");
                    assertThat(client.readToEnd()).hasSize(20);
                }
                assertThat(server.takeSession(WAIT)).endedWith(EndReason.DROPPED);
                assertThat(server.mailbox("carol")).hasMessageCount(2).hasNothingDeleted();
            }
        }

        @Test
        void angusMailSeesTheDropAndTheNextPollSucceeds(Pop3TestServer server) throws Exception {
            server.inject(Fault.on("RETR").once().dropAfter(100));
            assertThatThrownBy(() -> JakartaMail.fetchSubjects(server, "alice", "s3cret", true))
                    .isInstanceOf(MessagingException.class);
            assertThat(server.mailbox("alice")).hasMessageCount(2).hasNothingDeleted();
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", true)).hasSize(2);
            assertThat(server.mailbox("alice")).isEmpty();
        }

        @Test
        void aDropOnConnectClosesBeforeTheGreeting(Pop3TestServer server) throws IOException {
            server.inject(Fault.onConnect().drop());
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                assertThat(client.readToEnd()).isEmpty();
            }
            assertThat(server.takeSession(WAIT)).endedWith(EndReason.DROPPED);
        }

        @Test
        void anErrorGreetingIsSentAndTheConnectionClosed(Pop3TestServer server) throws IOException {
            server.inject(Fault.onConnect().error(ResponseCode.SYS_TEMP, "maintenance"));
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                assertThat(client.greeting()).isEqualTo("-ERR [SYS/TEMP] maintenance");
                assertThat(client.closedByServer()).isTrue();
            }
        }
    }

    @Nested
    class Locks {
        @Test
        void aHeldMailboxAnswersInUseUntilReleased(Pop3TestServer server) throws Exception {
            try (MailboxHold hold = server.holdMailbox("alice")) {
                assertThat(hold.mailbox()).isEqualTo("alice");
                assertThatThrownBy(() -> JakartaMail.fetchSubjects(server, "alice", "s3cret", false))
                        .hasMessageContaining("[IN-USE]");
            }
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", false)).hasSize(2);
        }

        /**
         * A login waits up to two seconds for a mailbox that another session holds (that session may be ending), but
         * not for one the test holds. Compared with the wait for a session, on the same machine at the same time, so
         * that a loaded machine slows both alike.
         */
        @Test
        void aHeldMailboxIsRefusedAtOnceWhereASessionsMailboxIsWaitedFor(Pop3TestServer server) throws Exception {
            Duration forTheTest;
            try (MailboxHold hold = server.holdMailbox("alice")) {
                forTheTest = timeToInUse(server);
                assertThat(hold.mailbox()).isEqualTo("alice");
            }
            Duration forASession;
            try (Pop3Dialog holder = loggedIn(server, "alice", "s3cret")) {
                forASession = timeToInUse(server);
                assertThat(holder.send("NOOP")).startsWith("+OK");
            }
            assertThat(forASession).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(forTheTest).isLessThan(forASession.minusSeconds(1));
        }

        Duration timeToInUse(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                long start = System.nanoTime();
                assertThat(client.login("alice", "s3cret")).startsWith("-ERR [IN-USE]");
                return Duration.ofNanos(System.nanoTime() - start);
            }
        }

        @Test
        void aSecondSessionOnAnOpenMailboxIsRefusedInUse(Pop3TestServer server) throws IOException {
            try (Pop3Dialog first = loggedIn(server, "alice", "s3cret");
                 Pop3Dialog second = Pop3Dialog.connect(server)) {
                second.greeting();
                assertThat(second.login("alice", "s3cret")).startsWith("-ERR [IN-USE]");
                assertThat(first.send("STAT")).startsWith("+OK");
            }
        }
    }

    @Nested
    class Tls {
        @Test
        void stlsSaysOkThenFailsTheHandshake(Pop3TestServer server) throws IOException {
            server.inject(Fault.on("STLS").failTls());
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                assertThatThrownBy(() -> client.startTls(server.clientSslContext())).isInstanceOf(IOException.class);
            }
            RecordedSession session = server.takeSession(WAIT);
            assertThat(session).endedWith(EndReason.TLS_FAILED).didNotUseTls();
        }

        @Test
        void angusMailWithStlsRequiredFailsToConnect(Pop3TestServer server) {
            server.inject(Fault.on("STLS").failTls());
            assertThatThrownBy(() -> JakartaMail.fetchSubjects(server, "alice", "s3cret", false))
                    .isInstanceOf(MessagingException.class);
        }

        @Test
        void anImplicitTlsHandshakeFailsOnConnect(Pop3TestServer server) throws IOException {
            server.inject(Fault.onConnect().failTls());
            java.net.InetSocketAddress pop3s = new java.net.InetSocketAddress(server.host(), server.pop3sPort());
            assertThatThrownBy(() -> Pop3Dialog.connectTls(pop3s, server.clientSslContext()))
                    .isInstanceOf(IOException.class);
            try (Pop3Dialog plain = Pop3Dialog.connect(server)) {
                assertThat(plain.greeting()).startsWith("+OK");
            }
        }

        @Test
        void failTlsElsewhereIsRefusedWhenScripted() {
            assertThatThrownBy(() -> Fault.on("RETR").failTls()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("STLS");
            assertThatThrownBy(() -> Fault.on("STAT").slowOutput(10)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("multi-line");
            assertThatThrownBy(() -> Fault.onConnect().forUser("alice")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> Fault.on("RETR").times(0)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void failTlsOnConnectNeedsAnImplicitListener() {
            try (Pop3TestServer plain = Pop3TestServer.start()) {
                assertThatThrownBy(() -> plain.inject(Fault.onConnect().failTls()))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("implicit-TLS");
                assertThatThrownBy(() -> plain.inject(Fault.on("STLS").failTls()))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("STLS");
            }
        }
    }
}
