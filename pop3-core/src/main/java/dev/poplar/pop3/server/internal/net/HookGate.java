package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.server.internal.LogSafe;
import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.command.State;
import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.server.internal.session.ProtocolSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * Applies a test server's {@link SessionHook} to one connection: asks it before the greeting and before each command,
 * and carries out what it says (answer instead, wait, go silent, drop, shape the reply, fail TLS). A server without a
 * hook has no gate. I/O thread only.
 */
final class HookGate {

    private static final Logger LOG = LoggerFactory.getLogger(HookGate.class);

    private final SessionHook hook;
    private final Connection connection;
    private ReplySender.Shape shape;
    private boolean failTls;

    HookGate(SessionHook hook, Connection connection) {
        this.hook = hook;
        this.connection = connection;
    }

    /**
     * Before the greeting (and before the handshake on an implicit-TLS listener).
     *
     * @param session the session to start
     * @param implicitTls whether the connection must first negotiate TLS
     * @return what to do for the greeting, or {@code null} if the connection is being closed
     */
    SessionHook.Action connect(ProtocolSession session, boolean implicitTls) {
        SessionHook.Action action = hook.onConnect(session.client());
        if (action instanceof SessionHook.Drop || action instanceof SessionHook.FailTls && implicitTls) {
            connection.drop(action instanceof SessionHook.Drop ? "at connect" : "before the TLS handshake",
                    action instanceof SessionHook.FailTls);
            return null;
        }
        return action;
    }

    /**
     * Greets as the hook's connect action says: normally, later, with another line, or not at all.
     *
     * @param session the session
     * @param action what {@link #connect} returned
     */
    void greet(ProtocolSession session, SessionHook.Action action) {
        if (action instanceof SessionHook.Silence) {
            connection.silence();
        } else if (action instanceof SessionHook.Delay delay) {
            connection.later(delay.delay(), () -> connection.start(null));
        } else if (action instanceof SessionHook.Respond respond && respond.statusLine().startsWith("-ERR")) {
            session.answerInstead(null, new Reply.Verbatim(respond.statusLine(), List.of(), false));
            connection.close(SessionSummary.EndReason.DROPPED);
        } else if (action instanceof SessionHook.Respond respond) {
            connection.start(new Reply.Verbatim(respond.statusLine(), List.of(), false));
        } else {
            connection.start(null);
        }
    }

    /**
     * Before a command line reaches the session.
     *
     * @param session the session
     * @param line the line
     * @return whether the session handles the line now; if not, the gate has taken care of it
     */
    boolean admit(ProtocolSession session, Line line) {
        if (line.tooLong() || session.inSaslExchange()) {
            // SASL responses carry secrets: they are never shown to a hook.
            return true;
        }
        String logged = Dispatcher.redact(line.text());
        int space = logged.indexOf(' ');
        String verb = (space < 0 ? logged : logged.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : logged.substring(space + 1);
        SessionHook.Action action = hook.onCommand(new SessionHook.Command(session.client(), verb, argument,
                session.user(), session.state() == State.TRANSACTION,
                verb.equals("CAPA") ? session.capabilities() : List.of()));
        if (action instanceof SessionHook.Drop) {
            LOG.info("session hook dropped the connection at {}", LogSafe.text(logged));
            connection.drop("at " + LogSafe.text(logged), false);
            return false;
        }
        if (action instanceof SessionHook.Silence) {
            LOG.info("session hook silenced the reply to {}", LogSafe.text(logged));
            connection.silence();
            return false;
        }
        if (action instanceof SessionHook.Respond respond) {
            session.answerInstead(line, new Reply.Verbatim(respond.statusLine(), respond.lines(),
                    respond.multiLine()));
            return false;
        }
        if (action instanceof SessionHook.Delay delay) {
            connection.hookDelay(delay.delay(), line);
            return false;
        }
        if (action instanceof SessionHook.FailTls && Verb.of(verb).orElse(null) == Verb.STLS) {
            failTls = true;
        } else if (action instanceof SessionHook.Shape s) {
            shape = new ReplySender.Shape(s.octetsPerSecond(), s.dropAfterOctets());
        }
        return true;
    }

    /** @return the shape for the next reply, once */
    ReplySender.Shape takeShape() {
        ReplySender.Shape next = shape;
        shape = null;
        return next;
    }

    /** @return whether the coming TLS handshake must fail (once) */
    boolean takeFailTls() {
        boolean fail = failTls;
        failTls = false;
        return fail;
    }
}
