package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.Expire;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
        expire(session).ifPresent(lines::add);
        config.loginDelay().ifPresent(delay -> lines.add("LOGIN-DELAY " + delay.toSeconds()));
        config.implementation().ifPresent(name -> lines.add("IMPLEMENTATION " + name));
        return lines;
    }

    /**
     * The {@code EXPIRE} line (RFC 2449 section 6.7): the retention policy's value, which after login is the
     * mailbox's own and before login, when policies differ per mailbox, the minimum followed by {@code USER}; else
     * the announced value, if any.
     */
    private static Optional<String> expire(SessionContext session) {
        ServerConfig.Policies policies = session.config().policies();
        if (policies.retention().isEmpty()) {
            return session.config().expire().map(Expire::capability);
        }
        if (session.state() != State.AUTHORIZATION) {
            return session.maildrop().retention().map(r -> r.expire().capability());
        }
        return Optional.of(policies.retention().get().expire().capability()
                + (policies.retentionPerMailbox().isPresent() ? " USER" : ""));
    }
}
