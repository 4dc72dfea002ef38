package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;

import java.util.ArrayList;
import java.util.List;

/** {@code CAPA} (RFC 2449 section 5): exactly what this session can use now. */
final class CapaCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        return new Reply.Lines("capability list follows", lines(session).iterator());
    }

    /**
     * The capabilities of a session now.
     *
     * @param session the session
     * @return the lines, in the order {@code CAPA} lists them
     */
    static List<String> lines(SessionContext session) {
        ServerConfig config = session.config();
        List<String> lines = new ArrayList<>();
        lines.add("TOP");
        lines.add("UIDL");
        lines.add("RESP-CODES");
        lines.add("PIPELINING");
        if (session.state() == State.AUTHORIZATION) {
            if (session.plaintextAllowed()) {
                lines.add("USER");
            }
            List<SaslMechanism> mechanisms = session.mechanisms();
            if (!mechanisms.isEmpty()) {
                StringBuilder sasl = new StringBuilder("SASL");
                mechanisms.forEach(m -> sasl.append(' ').append(m.name()));
                lines.add(sasl.toString());
            }
            lines.add("AUTH-RESP-CODE");
            if (session.stlsAvailable()) {
                lines.add("STLS");
            }
        }
        config.expire().ifPresent(expire -> lines.add(expire.capability()));
        config.loginDelay().ifPresent(delay -> lines.add("LOGIN-DELAY " + delay.toSeconds()));
        config.implementation().ifPresent(name -> lines.add("IMPLEMENTATION " + name));
        return lines;
    }
}
