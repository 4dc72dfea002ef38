package dev.poplar.pop3.testkit;

import java.util.Objects;
import java.util.Optional;

/**
 * One command of a recorded session and the status line that answered it.
 *
 * @param command the command line as the client sent it, with passwords and SASL data replaced by {@code ***} (a
 *     SASL continuation line reads {@code ***}, or {@code *} for a cancellation)
 * @param reply the status line of the reply ({@code +OK ...}, {@code -ERR ...}, or {@code + ...} for a SASL
 *     challenge); empty when no complete reply was sent (the connection was dropped or the server kept silent)
 * @param fault the {@linkplain Fault#effect() effect} of the scripted fault that changed this exchange, if one did
 */
public record Exchange(String command, Optional<String> reply, Optional<String> fault) {

    /**
     * Validates the fields.
     *
     * @param command the command line as the client sent it, with passwords and SASL data replaced by {@code ***} (a
     *     SASL continuation line reads {@code ***}, or {@code *} for a cancellation)
     * @param reply the status line of the reply ({@code +OK ...}, {@code -ERR ...}, or {@code + ...} for a SASL
     *     challenge)
     * @param fault the {@linkplain Fault#effect() effect} of the scripted fault that changed this exchange, if one did
     * @throws NullPointerException if any is null
     */
    public Exchange {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(fault, "fault");
    }

    /**
     * Whether the reply was positive.
     *
     * @return {@code true} if the status line starts with {@code +OK}
     */
    public boolean ok() {
        return reply.map(r -> r.startsWith("+OK")).orElse(false);
    }

    /**
     * The exchange as two transcript lines, {@code C: } for the client and {@code S: } for the server.
     *
     * @return e.g. {@code C: RETR 1\nS: +OK 120 octets}
     */
    @Override
    public String toString() {
        return "C: " + command + "\nS: " + reply.orElse("(no reply)") + fault.map(f -> "   <- fault: " + f).orElse("");
    }
}
