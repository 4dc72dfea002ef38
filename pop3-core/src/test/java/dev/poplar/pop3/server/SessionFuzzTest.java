package dev.poplar.pop3.server;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;
import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.codec.LineDecoder;
import dev.poplar.pop3.server.internal.command.State;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes a whole protocol session without a socket: arbitrary octets, cut into lines by the real decoder and pipelined
 * into a real {@code ProtocolSession}, before and after login, against the in-memory store. Runs its seeds in every
 * build (regression mode); {@code JAZZER_FUZZ=1} fuzzes (see the README's "Fuzzing" section).
 *
 * <p>Invariants, checked after every line: no exception escapes; every line gets exactly one reply while the
 * connection is open, and none after it closed; every reply line ends with CRLF; a positive multi-line reply ends with
 * its terminator and dot-stuffs its body; a single-line reply is one line; no reply is larger than a bound; the
 * TRANSACTION state (and a {@code +OK} to a command of that state) is reached only after the authenticator accepted
 * credentials. After the session: the mailbox is released, and unchanged unless {@code QUIT} removed messages.
 */
class SessionFuzzTest {

    static final String PASSWORD = "s3cret";
    /** Messages with dot lines, bare LFs, no final line end and no content at all. */
    static final List<String> MESSAGES = List.of(
            "Subject: one\r\n\r\n.hidden\r\nbody\r\n",
            "Subject: two\n\nline\n..\n.\n",
            "",
            "Subject: no end\r\n\r\nlast line");
    static final int REPLY_BOUND = 64 * 1024;
    private static final Pattern SIGN_OFF = Pattern.compile("\\+OK Poplar signing off \\((\\d+) messages? deleted\\)");

    /** An authenticator that counts the credentials it accepted. */
    static final class CountingAuthenticator implements Authenticator {
        final Authenticator users = Authenticator.fromMap(Map.of("alice", PASSWORD));
        final AtomicInteger accepted = new AtomicInteger();

        @Override
        public AuthResult authenticate(Credentials credentials, ClientInfo client) {
            AuthResult result = users.authenticate(credentials, client);
            if (result instanceof AuthResult.Accepted) {
                accepted.incrementAndGet();
            }
            return result;
        }

        @Override
        public boolean supports(Class<? extends Credentials> kind) {
            return users.supports(kind);
        }

        @Override
        public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
            return users.scramSecret(username, algorithm);
        }

        @Override
        public boolean mayBlock() {
            return false;
        }
    }

    /**
     * Arbitrary input, in rounds separated by time passing, gets well-formed replies, and no command of the
     * TRANSACTION state succeeds without a login the authenticator accepted.
     *
     * <p>The input: four octets of settings (flags: 1 logs in first, 2 offers STLS, 4 times out idle at the end; the
     * bad-command limit; the failed-login limit; the command line limit), then what the client sends. An octet 0xFF
     * is not sent: the octet after it says how many seconds pass there.
     *
     * @param input the fuzzer's input
     */
    @FuzzTest(maxDuration = "5m")
    @DictionaryEntries({"USER alice", "PASS s3cret", "AUTH PLAIN", "AUTH PLAIN AGFsaWNlAHMzY3JldA==",
            "AGFsaWNlAHMzY3JldA==", "APOP alice ", "CAPA", "STLS", "STAT", "LIST", "UIDL", "RETR ", "TOP ", "DELE ",
            "RSET", "NOOP", "QUIT", "*"})
    void anyInputGetsWellFormedRepliesAndNoTransactionWithoutLogin(byte[] input) {
        if (input.length < 4) {
            return;
        }
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        MESSAGES.forEach(m -> store.add("alice", m));
        List<MessageInfo> before = store.messages("alice");
        CountingAuthenticator authenticator = new CountingAuthenticator();
        int flags = input[0];
        Pop3Server.Builder builder = Pop3Server.builder().store(store).authenticator(authenticator)
                .authFailureDelay(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1))
                .maxBadCommands(1 + (input[1] & 0xFF) % 100)
                .maxAuthFailures(1 + (input[2] & 0xFF) % 10)
                .maxCommandLength(64 + (input[3] & 0xFF) % 192);
        if ((flags & 2) != 0) {
            builder.tls(() -> {
                throw new AssertionError("the harness does no TLS");
            });
        }
        SessionHarness harness = SessionHarness.of(builder);
        Checker checker = new Checker(harness, authenticator);
        if ((flags & 1) != 0) {
            assertThat(harness.send("USER alice", "PASS " + PASSWORD)).contains("+OK maildrop has 4 messages");
        }
        LineDecoder decoder = new LineDecoder(harness.config().limits().maxSaslOctets());
        int from = 4;
        while (from < input.length) {
            int pause = indexOf(input, (byte) 0xFF, from);
            ByteBuffer octets = ByteBuffer.wrap(input, from, pause - from);
            for (Line line; (line = decoder.next(octets)) != null; ) {
                checker.exchange(line);
            }
            if (pause + 1 < input.length) {
                checker.time(Duration.ofSeconds(input[pause + 1] & 0xFF));
            }
            from = pause + 2;
        }
        if ((flags & 4) != 0) {
            harness.session().idle();
        }
        SessionSummary summary = harness.drop();
        assertThat(store.isLocked("alice")).as("mailbox released").isFalse();
        List<MessageInfo> after = store.messages("alice");
        assertThat(before).containsAll(after);
        assertThat(before.size() - after.size()).as("messages removed").isEqualTo(checker.removedAtQuit);
        assertThat(summary.deleted()).isEqualTo(checker.removedAtQuit);
    }

    private static int indexOf(byte[] input, byte b, int from) {
        for (int i = from; i < input.length; i++) {
            if (input[i] == b) {
                return i;
            }
        }
        return input.length;
    }

    /** Sends lines one at a time and checks each reply. */
    static final class Checker {
        private final SessionHarness harness;
        private final CountingAuthenticator authenticator;
        int removedAtQuit;

        Checker(SessionHarness harness, CountingAuthenticator authenticator) {
            this.harness = harness;
            this.authenticator = authenticator;
        }

        void exchange(Line line) {
            boolean open = harness.closedWith == null;
            State state = harness.session().state();
            boolean sasl = harness.session().inSaslExchange();
            String reply = harness.send(line);
            if (!open) {
                assertThat(reply).as("reply after the connection closed").isEmpty();
                return;
            }
            assertThat(reply).as("the reply to %s", line).isNotEmpty();
            wellFormed(reply);
            String[] lines = reply.substring(0, reply.length() - 2).split("\r\n", -1);
            String status = lines[0];
            assertThat(status).matches(sasl || isAuth(line) ? "(\\+OK|-ERR|\\+ ).*" : "(\\+OK|-ERR).*");
            Optional<Verb> verb = sasl || line.tooLong() ? Optional.empty() : Verb.of(keyword(line.text()));
            boolean multiLine = verb.isPresent() && status.startsWith("+OK") && verb.get().multiLine(argument(line))
                    && state != State.UPDATE;
            if (multiLine) {
                assertThat(lines[lines.length - 1]).as("terminator of %s", reply).isEqualTo(".");
                for (int i = 1; i < lines.length - 1; i++) {
                    assertThat(lines[i]).as("body line %d of %s", i, reply).satisfiesAnyOf(
                            body -> assertThat(body).doesNotStartWith("."),
                            body -> assertThat(body).startsWith(".."));
                }
            } else {
                assertThat(lines).as("a single-line reply: %s", reply).hasSize(1);
            }
            if (verb.isPresent() && verb.get().validAfterLogin() && !verb.get().validBeforeLogin()
                    && status.startsWith("+OK")) {
                assertThat(state).as("state before a successful %s", verb.get()).isEqualTo(State.TRANSACTION);
            }
            if (harness.session().state() != State.AUTHORIZATION || status.startsWith("+OK maildrop has")
                    && state == State.AUTHORIZATION) {
                assertThat(authenticator.accepted.get()).as("logins the authenticator accepted").isPositive();
            }
            Matcher signOff = SIGN_OFF.matcher(status);
            if (verb.equals(Optional.of(Verb.QUIT)) && state == State.TRANSACTION && signOff.matches()) {
                removedAtQuit = Integer.parseInt(signOff.group(1));
            }
        }

        void time(Duration passing) {
            boolean open = harness.closedWith == null;
            String said = harness.advance(passing);
            if (!said.isEmpty()) {
                assertThat(open).as("something said after the connection closed: %s", said).isTrue();
                wellFormed(said);
            }
        }

        private static void wellFormed(String reply) {
            assertThat(reply.length()).isLessThanOrEqualTo(REPLY_BOUND);
            assertThat(reply).endsWith("\r\n");
            for (int i = 0; i < reply.length(); i++) {
                char c = reply.charAt(i);
                if (c == '\n') {
                    assertThat(i > 0 && reply.charAt(i - 1) == '\r').as("LF at %d without CR in %s", i, reply)
                            .isTrue();
                } else if (c == '\r') {
                    assertThat(i + 1 < reply.length() && reply.charAt(i + 1) == '\n')
                            .as("CR at %d without LF in %s", i, reply).isTrue();
                }
            }
        }

        private static boolean isAuth(Line line) {
            return line.text().regionMatches(true, 0, "AUTH", 0, 4);
        }

        private static String keyword(String text) {
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }

        private static String argument(Line line) {
            int space = line.text().indexOf(' ');
            return space < 0 ? "" : line.text().substring(space + 1);
        }
    }
}
