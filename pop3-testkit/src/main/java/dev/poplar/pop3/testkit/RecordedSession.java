package dev.poplar.pop3.testkit;

import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.SessionSummary.EndReason;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One POP3 session as the test server saw it, recorded from connection to close: every command with the status
 * line that answered it, in order, the faults that were injected, and how the session ended. Passwords and SASL data
 * never appear: they read {@code ***}.
 *
 * @param id the server's session id
 * @param exchanges the commands and replies, in order
 * @param faults the effects of the faults injected into this session, in order (on connect and on commands)
 * @param summary the server's summary: user, end, TLS, messages retrieved and deleted
 */
public record RecordedSession(String id, List<Exchange> exchanges, List<String> faults, SessionSummary summary) {

    /**
     * Validates and copies the fields.
     *
     * @param id the server's session id
     * @param exchanges the commands and replies, in order
     * @param faults the effects of the faults injected into this session, in order (on connect and on commands)
     * @param summary the server's summary: user, end, TLS, messages retrieved and deleted
     * @throws NullPointerException if any is null
     */
    public RecordedSession {
        Objects.requireNonNull(id, "id");
        exchanges = List.copyOf(exchanges);
        faults = List.copyOf(faults);
        Objects.requireNonNull(summary, "summary");
    }

    /**
     * The user who logged in.
     *
     * @return the user, or empty if nobody did
     */
    public Optional<String> user() {
        return summary.user();
    }

    /**
     * How the session ended: {@link EndReason#QUIT}, {@link EndReason#CLIENT_DISCONNECTED},
     * {@link EndReason#DROPPED} by a fault, {@link EndReason#IDLE_TIMEOUT}, ...
     *
     * @return the reason
     */
    public EndReason end() {
        return summary.end();
    }

    /**
     * Whether the session was encrypted when it ended (implicit TLS, or after {@code STLS}).
     *
     * @return {@code true} with TLS
     */
    public boolean tls() {
        return summary.tls();
    }

    /**
     * The commands, in order, as sent (secrets redacted).
     *
     * @return e.g. {@code [CAPA, USER alice, PASS ***, STAT, RETR 1, DELE 1, QUIT]}
     */
    public List<String> commands() {
        return exchanges.stream().map(Exchange::command).toList();
    }

    /**
     * The reply to the first command that matches, see {@link #matches(String, String)}.
     *
     * @param command a command line, e.g. {@code "RETR 1"}, or a verb alone, e.g. {@code "RETR"}
     * @return the status line, or empty if no such command was answered
     */
    public Optional<String> replyTo(String command) {
        return exchanges.stream().filter(e -> matches(e.command(), command)).findFirst()
                .flatMap(Exchange::reply);
    }

    /**
     * Whether a recorded command matches a pattern: the same line ignoring case, or, for a pattern of one word, the
     * same verb.
     *
     * @param command a recorded command line
     * @param pattern e.g. {@code "RETR 1"} (exactly that) or {@code "RETR"} (any {@code RETR})
     * @return {@code true} if it matches
     */
    public static boolean matches(String command, String pattern) {
        String c = command.trim();
        String p = pattern.trim();
        if (c.equalsIgnoreCase(p)) {
            return true;
        }
        int space = c.indexOf(' ');
        return p.indexOf(' ') < 0 && space > 0 && c.substring(0, space).equalsIgnoreCase(p);
    }

    /**
     * The session as a readable transcript, for assertion messages and logs.
     *
     * @return lines {@code C: ...} and {@code S: ...}, then how the session ended
     */
    public String transcript() {
        StringBuilder out = new StringBuilder();
        out.append("session ").append(id).append(user().map(u -> " (" + u + ")").orElse(""))
                .append(tls() ? ", TLS" : ", plain").append('\n');
        if (!faults.isEmpty() && exchanges.stream().noneMatch(e -> e.fault().isPresent())) {
            faults.forEach(f -> out.append("  fault: ").append(f).append('\n'));
        }
        for (Exchange e : exchanges) {
            out.append("  ").append(e.toString().replace("\n", "\n  ")).append('\n');
        }
        out.append("  ended: ").append(end().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        return out.toString();
    }

    @Override
    public String toString() {
        return transcript();
    }
}
