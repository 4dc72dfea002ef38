package dev.poplar.pop3.server.internal.hook;

import dev.poplar.pop3.auth.ClientInfo;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Changes what the server does for a connection or a command: answer differently, wait, go silent, send slowly, or
 * drop the connection. It is how Poplar's test kit injects the faults real servers produce. It is not public API: the
 * module exports this package to the test kit alone, and a server takes a hook only through
 * {@code Pop3Server.Builder.hook}, which is reserved for the test kit.
 *
 * <p><b>Threading.</b> Called on the connection's I/O thread: must be quick and must not block. Must be thread-safe
 * across sessions.
 *
 * <p>Secrets never reach an interceptor: {@link Command#argument()} of {@code PASS}, {@code APOP} and {@code AUTH}
 * shows {@code ***} in place of the password, digest or SASL data, and SASL continuation lines are not intercepted.
 */
public interface SessionHook {

    /**
     * Called when a client connects (after the TLS handshake on an implicit-TLS listener), before the greeting.
     * {@link Action#respond} replaces the greeting; a reply starting with {@code -ERR} closes the connection after it.
     *
     * @param client the connection
     * @return what to do; {@link Action#proceed()} greets normally
     */
    default Action onConnect(ClientInfo client) {
        return Action.proceed();
    }

    /**
     * Called for each command line before it runs.
     *
     * @param command the command
     * @return what to do; {@link Action#proceed()} runs it normally
     */
    default Action onCommand(Command command) {
        return Action.proceed();
    }

    /**
     * A command about to run.
     *
     * @param client the connection
     * @param verb the keyword in upper case, e.g. {@code RETR}; as sent if it is not a known command
     * @param argument everything after the keyword, secrets replaced by {@code ***}
     * @param user the user logged in, or the name given by {@code USER}, if any
     * @param loggedIn whether the session is in the TRANSACTION state
     * @param capabilities for {@code CAPA}, the lines the server itself would list now (STLS and SASL included, as
     *     they apply to this connection); empty for other commands
     */
    record Command(ClientInfo client, String verb, String argument, Optional<String> user, boolean loggedIn,
                   List<String> capabilities) {
        /**
         * Validates and copies the fields.
         *
         * @throws NullPointerException if any is null
         */
        public Command {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(verb, "verb");
            Objects.requireNonNull(argument, "argument");
            Objects.requireNonNull(user, "user");
            capabilities = List.copyOf(capabilities);
        }

        /**
         * A command other than {@code CAPA}.
         *
         * @param client the connection
         * @param verb the keyword in upper case
         * @param argument everything after the keyword, secrets replaced
         * @param user the user, if any
         * @param loggedIn whether the session is in the TRANSACTION state
         */
        public Command(ClientInfo client, String verb, String argument, Optional<String> user, boolean loggedIn) {
            this(client, verb, argument, user, loggedIn, List.of());
        }
    }

    /** What the server does instead of, or in addition to, its normal behaviour. */
    sealed interface Action {

        /**
         * Behave normally.
         *
         * @return the action
         */
        static Action proceed() {
            return Proceed.INSTANCE;
        }

        /**
         * Behave normally, but answer only after a delay (no thread waits meanwhile).
         *
         * @param delay how long
         * @return the action
         */
        static Action delay(Duration delay) {
            return new Delay(delay);
        }

        /**
         * Do not run the command; answer with these lines instead. One line is a single-line reply; more lines make a
         * multi-line reply (status line, then the lines, then the terminating {@code .}, added by the server).
         *
         * @param statusLine e.g. {@code -ERR [SYS/TEMP] try later} or {@code +OK}
         * @param lines the body lines of a multi-line reply
         * @return the action
         */
        static Action respond(String statusLine, String... lines) {
            return new Respond(statusLine, List.of(lines), lines.length > 0);
        }

        /**
         * Do not run the command; answer with a multi-line reply, even an empty one.
         *
         * @param statusLine the status line
         * @param lines the body lines
         * @return the action
         */
        static Action respondMultiLine(String statusLine, List<String> lines) {
            return new Respond(statusLine, lines, true);
        }

        /**
         * Close the connection at once, without an answer. Nothing is deleted.
         *
         * @return the action
         */
        static Action drop() {
            return Drop.INSTANCE;
        }

        /**
         * Never answer; the connection stays open until the client gives up or the idle timeout ends it.
         *
         * @return the action
         */
        static Action silence() {
            return Silence.INSTANCE;
        }

        /**
         * Run the command normally, but send its multi-line reply slowly.
         *
         * @param octetsPerSecond the rate, at least 1
         * @return the action
         */
        static Action slowOutput(long octetsPerSecond) {
            return new Shape(octetsPerSecond, Long.MAX_VALUE);
        }

        /**
         * Run the command normally, but close the connection after this many octets of its multi-line reply (status
         * line included) have been sent. Nothing is deleted.
         *
         * @param octets how many octets to send before dropping
         * @return the action
         */
        static Action dropAfter(long octets) {
            return new Shape(Long.MAX_VALUE, octets);
        }

        /**
         * Fail the TLS handshake: on an implicit-TLS listener ({@link #onConnect}) the connection is closed before the
         * handshake completes; for {@code STLS} the server answers {@code +OK} and then closes instead of negotiating.
         *
         * @return the action
         */
        static Action failTls() {
            return FailTls.INSTANCE;
        }
    }

    /** See {@link Action#proceed()}. */
    enum Proceed implements Action {
        /** The only instance. */
        INSTANCE
    }

    /**
     * See {@link Action#delay(Duration)}.
     *
     * @param delay how long
     */
    record Delay(Duration delay) implements Action {
        /**
         * Validates the delay.
         *
         * @throws IllegalArgumentException if negative
         */
        public Delay {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
        }
    }

    /**
     * See {@link Action#respond(String, String...)}.
     *
     * @param statusLine the status line
     * @param lines the body lines
     * @param multiLine whether to send a multi-line reply
     */
    record Respond(String statusLine, List<String> lines, boolean multiLine) implements Action {
        /**
         * Validates the lines: no line breaks inside.
         *
         * @throws IllegalArgumentException if a line contains CR or LF, or the status is not {@code +OK}/{@code -ERR}
         */
        public Respond {
            lines = List.copyOf(lines);
            if (!(statusLine.startsWith("+OK") || statusLine.startsWith("-ERR") || statusLine.startsWith("+ "))) {
                throw new IllegalArgumentException("a status line starts with +OK or -ERR: " + statusLine);
            }
            for (String line : lines) {
                if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("a line must not contain CR or LF: " + line);
                }
            }
            if (statusLine.indexOf('\r') >= 0 || statusLine.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a line must not contain CR or LF: " + statusLine);
            }
        }
    }

    /** See {@link Action#drop()}. */
    enum Drop implements Action {
        /** The only instance. */
        INSTANCE
    }

    /** See {@link Action#silence()}. */
    enum Silence implements Action {
        /** The only instance. */
        INSTANCE
    }

    /** See {@link Action#failTls()}. */
    enum FailTls implements Action {
        /** The only instance. */
        INSTANCE
    }

    /**
     * See {@link Action#slowOutput(long)} and {@link Action#dropAfter(long)}.
     *
     * @param octetsPerSecond the output rate; {@code Long.MAX_VALUE} for full speed
     * @param dropAfterOctets octets to send before closing; {@code Long.MAX_VALUE} for all
     */
    record Shape(long octetsPerSecond, long dropAfterOctets) implements Action {
        /**
         * Validates the limits.
         *
         * @throws IllegalArgumentException if the rate is below 1 or the octets negative
         */
        public Shape {
            if (octetsPerSecond < 1) {
                throw new IllegalArgumentException("octetsPerSecond must be at least 1: " + octetsPerSecond);
            }
            if (dropAfterOctets < 0) {
                throw new IllegalArgumentException("dropAfterOctets must not be negative: " + dropAfterOctets);
            }
        }
    }
}
