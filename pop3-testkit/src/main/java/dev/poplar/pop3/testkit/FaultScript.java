package dev.poplar.pop3.testkit;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.testkit.internal.Journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one interceptor of a test server: applies the injected {@link Fault}s, then the {@link Persona}. Thread-safe:
 * sessions call it concurrently, tests inject and clear faults meanwhile.
 */
final class FaultScript implements SessionHook {

    private static final String UNKNOWN_COMMAND = "-ERR unknown command";

    private final Persona persona;
    private final Journal journal;
    private final List<Armed> faults = new CopyOnWriteArrayList<>();
    private volatile int implicitPort = -1;

    FaultScript(Persona persona, Journal journal) {
        this.persona = persona;
        this.journal = journal;
    }

    void implicitPort(int port) {
        this.implicitPort = port;
    }

    void add(Fault fault) {
        faults.add(new Armed(fault));
    }

    void clear() {
        faults.clear();
    }

    List<Fault> pending() {
        List<Fault> pending = new ArrayList<>();
        faults.forEach(a -> pending.add(a.fault));
        return pending;
    }

    @Override
    public Action onConnect(ClientInfo client) {
        String session = client.sessionId();
        boolean implicit = client.localAddress().getPort() == implicitPort;
        for (Armed armed : faults) {
            if (armed.fault.trigger().nextSession()) {
                armed.claimedBy.compareAndSet(null, session);
            }
        }
        for (Armed armed : faults) {
            Fault.Trigger trigger = armed.fault.trigger();
            boolean tlsOnly = armed.fault.action() instanceof FailTls;
            if (trigger.connect() && armed.inSession(session) && (!tlsOnly || implicit) && armed.fire(faults)) {
                journal.injected(session, null, armed.fault.effect());
                return armed.fault.action();
            }
        }
        return persona.greeting()
                .map(g -> Action.respond(g.replace("{client}", client.remoteAddress().getAddress().getHostAddress())))
                .orElse(Action.proceed());
    }

    @Override
    public Action onCommand(Command command) {
        String session = command.client().sessionId();
        for (Armed armed : faults) {
            Fault.Trigger trigger = armed.fault.trigger();
            if (!trigger.connect() && armed.inSession(session)
                    && trigger.verb().map(command.verb()::equals).orElse(true)
                    && trigger.argument().map(a -> a.equalsIgnoreCase(command.argument().strip())).orElse(true)
                    && trigger.user().map(u -> command.user().equals(Optional.of(u))).orElse(true)
                    && armed.fire(faults)) {
                String line = command.argument().isEmpty() ? command.verb()
                        : command.verb() + " " + command.argument();
                journal.injected(session, line, armed.fault.effect());
                return armed.fault.action();
            }
        }
        if (persona.refusedCommands().contains(command.verb())) {
            return Action.respond(UNKNOWN_COMMAND);
        }
        if (command.verb().equals("CAPA") && !persona.serverCapabilities()) {
            // The server's own lines apart from STLS, which the persona places itself.
            List<String> server = new ArrayList<>(command.capabilities());
            boolean stls = server.remove("STLS");
            return persona.capabilities(server, stls)
                    .map(lines -> Action.respondMultiLine("+OK Capability list follows", lines))
                    .orElse(Action.respond(UNKNOWN_COMMAND));
        }
        if (command.verb().equals("AUTH") && !command.loggedIn()) {
            return persona.saslMechanisms().map(listed -> auth(command, listed)).orElse(Action.proceed());
        }
        return Action.proceed();
    }

    /** {@code AUTH} where the persona lists its own mechanisms: those, and no others. */
    private static Action auth(Command command, List<String> listed) {
        String argument = command.argument().strip();
        if (argument.isEmpty()) {
            return Action.respondMultiLine("+OK", listed);
        }
        int space = argument.indexOf(' ');
        String mechanism = (space < 0 ? argument : argument.substring(0, space)).toUpperCase(Locale.ROOT);
        return listed.contains(mechanism) ? Action.proceed()
                : Action.respond("-ERR unsupported authentication mechanism");
    }

    /** A fault as injected: how often it may still fire, and the session it was claimed by. */
    private static final class Armed {
        final Fault fault;
        final AtomicInteger left;
        final AtomicReference<String> claimedBy = new AtomicReference<>();

        Armed(Fault fault) {
            this.fault = fault;
            this.left = new AtomicInteger(fault.trigger().times());
        }

        boolean inSession(String session) {
            return !fault.trigger().nextSession() || session.equals(claimedBy.get());
        }

        /** Takes one use; removes the fault when it is spent. */
        boolean fire(List<Armed> all) {
            if (fault.trigger().times() < 0) {
                return true;
            }
            int now = left.getAndUpdate(n -> n > 0 ? n - 1 : n);
            if (now <= 1) {
                all.remove(this);
            }
            return now > 0;
        }
    }
}
