package dev.poplar.pop3.testkit.assertj;

import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.testkit.Exchange;
import dev.poplar.pop3.testkit.RecordedSession;
import org.assertj.core.api.AbstractAssert;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Assertions on a {@link RecordedSession}. Commands are matched by {@link RecordedSession#matches(String, String)}:
 * {@code "RETR 1"} matches that line (ignoring case), {@code "RETR"} any {@code RETR}. Failure messages quote the
 * session's transcript. Not thread-safe (like all AssertJ assertions).
 */
public final class SessionAssert extends AbstractAssert<SessionAssert, RecordedSession> {

    SessionAssert(RecordedSession actual) {
        super(actual, SessionAssert.class);
    }

    /**
     * The client sent these commands in this order, possibly with others between them.
     *
     * @param commands command lines or verbs
     * @return this
     */
    public SessionAssert issued(String... commands) {
        isNotNull();
        List<String> sent = actual.commands();
        int at = 0;
        for (String command : commands) {
            while (at < sent.size() && !RecordedSession.matches(sent.get(at), command)) {
                at++;
            }
            if (at == sent.size()) {
                fail("to have issued, in this order, " + Arrays.toString(commands) + " (" + command + " missing)");
            }
            at++;
        }
        return this;
    }

    /**
     * The client sent exactly these commands, in this order, and no others.
     *
     * @param commands command lines or verbs, one per command sent
     * @return this
     */
    public SessionAssert issuedExactly(String... commands) {
        isNotNull();
        List<String> sent = actual.commands();
        boolean same = sent.size() == commands.length;
        for (int i = 0; same && i < commands.length; i++) {
            same = RecordedSession.matches(sent.get(i), commands[i]);
        }
        if (!same) {
            fail("to have issued exactly " + Arrays.toString(commands));
        }
        return this;
    }

    /**
     * The client sent none of these commands.
     *
     * @param commands command lines or verbs
     * @return this
     */
    public SessionAssert didNotIssue(String... commands) {
        isNotNull();
        for (String command : commands) {
            if (actual.commands().stream().anyMatch(c -> RecordedSession.matches(c, command))) {
                fail("not to have issued " + command);
            }
        }
        return this;
    }

    /**
     * The first matching command was answered with a status line starting with this prefix.
     *
     * @param command a command line or verb
     * @param replyPrefix e.g. {@code "+OK"} or {@code "-ERR [SYS/TEMP]"}
     * @return this
     */
    public SessionAssert answered(String command, String replyPrefix) {
        isNotNull();
        Optional<Exchange> exchange = actual.exchanges().stream()
                .filter(e -> RecordedSession.matches(e.command(), command)).findFirst();
        if (exchange.isEmpty()) {
            fail("to have issued " + command);
        } else if (!exchange.get().reply().map(r -> r.startsWith(replyPrefix)).orElse(false)) {
            fail("to have answered " + command + " with " + replyPrefix + "...");
        }
        return this;
    }

    /**
     * The session ended with {@code QUIT}, answered {@code +OK}: every deletion was committed.
     *
     * @return this
     */
    public SessionAssert quitCleanly() {
        isNotNull();
        boolean quitOk = actual.exchanges().stream()
                .anyMatch(e -> RecordedSession.matches(e.command(), "QUIT") && e.ok());
        if (actual.end() != EndReason.QUIT || !quitOk) {
            fail("to have ended with QUIT answered +OK");
        }
        return this;
    }

    /**
     * The session ended this way.
     *
     * @param reason e.g. {@link EndReason#CLIENT_DISCONNECTED}
     * @return this
     */
    public SessionAssert endedWith(EndReason reason) {
        isNotNull();
        if (actual.end() != reason) {
            fail("to have ended with " + reason + ", not " + actual.end());
        }
        return this;
    }

    /**
     * The session was ended by the client without {@code QUIT}, or dropped by a fault, or timed out: anything but
     * {@code QUIT}. Nothing was deleted.
     *
     * @return this
     */
    public SessionAssert endedWithoutQuit() {
        isNotNull();
        if (actual.end() == EndReason.QUIT) {
            fail("to have ended without QUIT");
        }
        return this;
    }

    /**
     * The session was encrypted (implicit TLS, or {@code STLS}) when it ended.
     *
     * @return this
     */
    public SessionAssert usedTls() {
        isNotNull();
        if (!actual.tls()) {
            fail("to have used TLS");
        }
        return this;
    }

    /**
     * The session was not encrypted.
     *
     * @return this
     */
    public SessionAssert didNotUseTls() {
        isNotNull();
        if (actual.tls()) {
            fail("not to have used TLS");
        }
        return this;
    }

    /**
     * This user logged in.
     *
     * @param user the user name
     * @return this
     */
    public SessionAssert loggedInAs(String user) {
        isNotNull();
        if (!actual.user().equals(Optional.of(user))) {
            fail("to have logged in as " + user);
        }
        return this;
    }

    private void fail(String expectation) {
        failWithMessage("%nExpecting session %s %s, but its transcript is:%n%s", actual.id(), expectation,
                actual.transcript());
    }
}
