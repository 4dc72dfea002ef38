package dev.poplar.pop3.testkit;

import dev.poplar.pop3.server.ResponseCode;
import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.server.internal.hook.SessionHook.Action;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Something a {@link Pop3TestServer} does wrong on purpose, and when. Script it with
 * {@link Pop3TestServer#inject(Fault)}: first say when ({@link #onConnect()}, {@link #on(String)} a command, narrowed
 * with {@link Trigger#forUser(String)}, {@link Trigger#inNextSession()}, {@link Trigger#times(int)}), then what:
 *
 * <pre>{@code
 * server.inject(Fault.on("RETR").once().error(ResponseCode.SYS_TEMP));        // -ERR [SYS/TEMP] ...
 * server.inject(Fault.on("RETR 2").forUser("alice").dropAfter(1_000));        // cut after 1,000 octets
 * server.inject(Fault.on("LIST").slowOutput(500));                            // 500 octets per second
 * server.inject(Fault.on("PASS").inNextSession().error(ResponseCode.LOGIN_DELAY));
 * server.inject(Fault.onConnect().silence());                                 // the greeting never comes
 * server.inject(Fault.on("STLS").failTls());                                  // +OK, then no handshake
 * }</pre>
 *
 * <p>A fault applies to every matching connection or command until its {@linkplain Trigger#times(int) count} is used
 * up (no count: until {@link Pop3TestServer#clearFaults()}). When several match, the one injected first applies. A
 * fault that replaces a reply replaces it without running the command: a scripted {@code -ERR} to {@code PASS} logs
 * nobody in, to {@code DELE} marks nothing. A dropped connection deletes nothing (RFC 1939 section 6).
 *
 * <p>Immutable and thread-safe.
 */
public final class Fault {

    private final Trigger trigger;
    private final Action action;
    private final String effect;

    private Fault(Trigger trigger, Action action, String effect) {
        this.trigger = trigger;
        this.action = action;
        this.effect = effect;
    }

    /**
     * A fault when a client connects, before the greeting (after the handshake on an implicit-TLS listener).
     *
     * @return the trigger, to narrow or to finish with an effect
     */
    public static Trigger onConnect() {
        return new Trigger(null, null, true, null, false, -1);
    }

    /**
     * A fault when a client sends a command: any command with this verb, or only this exact command line.
     *
     * @param command a verb, any case, e.g. {@code "RETR"}, or a verb and its argument, e.g. {@code "RETR 2"}
     *     (compared ignoring case and surrounding blanks)
     * @return the trigger, to narrow or to finish with an effect
     * @throws IllegalArgumentException if the command is blank
     */
    public static Trigger on(String command) {
        Objects.requireNonNull(command, "command");
        String line = command.strip();
        if (line.isEmpty()) {
            throw new IllegalArgumentException("a command is a verb, e.g. RETR, or a verb and its argument");
        }
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? null : line.substring(space + 1).strip();
        return new Trigger(verb, argument, false, null, false, -1);
    }

    /**
     * A fault when a client sends any command.
     *
     * @return the trigger, to narrow or to finish with an effect
     */
    public static Trigger onAnyCommand() {
        return new Trigger(null, null, false, null, false, -1);
    }

    Trigger trigger() {
        return trigger;
    }

    Action action() {
        return action;
    }

    /**
     * What the fault does, as its transcript shows it.
     *
     * @return e.g. {@code drop after 1000 octets}
     */
    public String effect() {
        return effect;
    }

    /**
     * The fault in words.
     *
     * @return e.g. {@code on RETR for alice, once: -ERR [SYS/TEMP] ...}
     */
    @Override
    public String toString() {
        return trigger + ": " + effect;
    }

    /**
     * When a fault happens. Immutable: each method returns a new trigger.
     */
    public static final class Trigger {
        private final String verb;
        private final String argument;
        private final boolean connect;
        private final String user;
        private final boolean nextSession;
        private final int times;

        private Trigger(String verb, String argument, boolean connect, String user, boolean nextSession,
                        int times) {
            this.verb = verb;
            this.argument = argument;
            this.connect = connect;
            this.user = user;
            this.nextSession = nextSession;
            this.times = times;
        }

        /**
         * Only for commands of this user: the one logged in, or named by {@code USER} before {@code PASS}.
         *
         * @param user the user name
         * @return a narrower trigger
         * @throws IllegalStateException on a connect trigger: no user is known before the greeting
         */
        public Trigger forUser(String user) {
            Objects.requireNonNull(user, "user");
            if (connect) {
                throw new IllegalStateException("forUser: a fault on connect happens before the client names a user");
            }
            return new Trigger(verb, argument, false, user, nextSession, times);
        }

        /**
         * Only in the next session: the first connection accepted after the fault was injected.
         *
         * @return a narrower trigger
         */
        public Trigger inNextSession() {
            return new Trigger(verb, argument, connect, user, true, times);
        }

        /**
         * At most this many times; then the fault is spent and the server behaves again.
         *
         * @param count at least 1
         * @return a narrower trigger
         * @throws IllegalArgumentException if the count is below 1
         */
        public Trigger times(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("times must be at least 1: " + count);
            }
            return new Trigger(verb, argument, connect, user, nextSession, count);
        }

        /**
         * Only once: the same as {@code times(1)}.
         *
         * @return a narrower trigger
         */
        public Trigger once() {
            return times(1);
        }

        /**
         * Answers with these lines instead of running the command (or instead of the greeting). One line makes a
         * single-line reply; more make a multi-line reply ending with {@code .}. A greeting starting with
         * {@code -ERR} closes the connection after it.
         *
         * @param statusLine starts with {@code +OK} or {@code -ERR}
         * @param lines the body lines of a multi-line reply
         * @return the fault
         * @throws IllegalArgumentException if a line holds CR or LF or the status line is not a status line
         * @throws IllegalStateException if body lines are given for a greeting
         */
        public Fault reply(String statusLine, String... lines) {
            if (connect && lines.length > 0) {
                throw new IllegalStateException("a greeting is one line");
            }
            return new Fault(this, Action.respond(statusLine, lines), "reply " + statusLine
                    + (lines.length > 0 ? " (+" + lines.length + " lines)" : ""));
        }

        /**
         * Answers {@code -ERR [code]} with the code's standard text.
         *
         * @param code the response code
         * @return the fault
         */
        public Fault error(ResponseCode code) {
            return reply(code.statusLine());
        }

        /**
         * Answers {@code -ERR [code] text}.
         *
         * @param code the response code
         * @param text the human-readable text
         * @return the fault
         */
        public Fault error(ResponseCode code, String text) {
            return reply(code.statusLine(text));
        }

        /**
         * Answers normally, but only after a delay; no server thread waits meanwhile.
         *
         * @param delay how long, not negative
         * @return the fault
         * @throws IllegalArgumentException if the delay is negative
         */
        public Fault delay(Duration delay) {
            return new Fault(this, Action.delay(Objects.requireNonNull(delay, "delay")),
                    "delay " + delay.toMillis() + " ms");
        }

        /**
         * Sends the multi-line reply ({@code RETR}, {@code TOP}, {@code LIST}, {@code UIDL}, {@code CAPA}) at this
         * rate, status line included.
         *
         * @param octetsPerSecond the rate, at least 1
         * @return the fault
         * @throws IllegalArgumentException if the rate is below 1
         * @throws IllegalStateException on a connect trigger or a command whose reply is one line
         */
        public Fault slowOutput(long octetsPerSecond) {
            requireMultiLine("slowOutput");
            return new Fault(this, Action.slowOutput(octetsPerSecond), "slow output " + octetsPerSecond + " octets/s");
        }

        /**
         * Sends this many octets of the multi-line reply, status line included, then closes the connection. A
         * {@code RETR} cut this way delivers part of the message; nothing is deleted.
         *
         * @param octets how many octets to send, at least 0
         * @return the fault
         * @throws IllegalArgumentException if negative
         * @throws IllegalStateException on a connect trigger or a command whose reply is one line
         */
        public Fault dropAfter(long octets) {
            requireMultiLine("dropAfter");
            return new Fault(this, Action.dropAfter(octets), "drop after " + octets + " octets");
        }

        /**
         * Closes the connection without an answer (without a greeting, on connect). Nothing is deleted.
         *
         * @return the fault
         */
        public Fault drop() {
            return new Fault(this, Action.drop(), "drop the connection");
        }

        /**
         * Never answers; the connection stays open until the client gives up. On connect: a greeting that never
         * comes.
         *
         * @return the fault
         */
        public Fault silence() {
            return new Fault(this, Action.silence(), "silence");
        }

        /**
         * Fails the TLS handshake: after {@code STLS} the server says {@code +OK} and closes instead of negotiating;
         * on connect (implicit-TLS connections only) it closes before the handshake completes.
         *
         * @return the fault
         * @throws IllegalStateException on a command other than {@code STLS}
         */
        public Fault failTls() {
            if (!connect && !"STLS".equals(verb)) {
                throw new IllegalStateException("failTls applies to on(\"STLS\") or onConnect(), not "
                        + (verb == null ? "any command" : verb));
            }
            return new Fault(this, Action.failTls(), "fail the TLS handshake");
        }

        private void requireMultiLine(String what) {
            if (connect || (verb != null && !Verb.of(verb).map(Verb::mayAnswerMultiLine).orElse(false))) {
                throw new IllegalStateException(what + " applies to multi-line replies (" + String.join(", ",
                        Arrays.stream(Verb.values()).filter(Verb::mayAnswerMultiLine).map(Verb::name).sorted()
                                .toList()) + "), not " + (connect ? "the greeting" : verb));
            }
        }

        Optional<String> verb() {
            return Optional.ofNullable(verb);
        }

        Optional<String> argument() {
            return Optional.ofNullable(argument);
        }

        boolean connect() {
            return connect;
        }

        Optional<String> user() {
            return Optional.ofNullable(user);
        }

        boolean nextSession() {
            return nextSession;
        }

        int times() {
            return times;
        }

        @Override
        public String toString() {
            return (connect ? "on connect" : verb == null ? "on any command"
                    : "on " + verb + (argument == null ? "" : " " + argument))
                    + (user == null ? "" : " for " + user)
                    + (nextSession ? " in the next session" : "")
                    + (times < 0 ? "" : times == 1 ? ", once" : ", " + times + " times");
        }
    }
}
