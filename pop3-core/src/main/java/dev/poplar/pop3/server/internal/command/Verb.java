package dev.poplar.pop3.server.internal.command;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

import static dev.poplar.pop3.server.internal.command.State.AUTHORIZATION;
import static dev.poplar.pop3.server.internal.command.State.TRANSACTION;

/** The commands the server knows and the states they are valid in (RFC 1939, 2449, 2595, 5034). */
enum Verb {
    USER(new UserCommand(), AUTHORIZATION),
    PASS(new PassCommand(), AUTHORIZATION),
    APOP(new ApopCommand(), AUTHORIZATION),
    AUTH(new AuthCommand(), AUTHORIZATION),
    STLS(new StlsCommand(), AUTHORIZATION),
    CAPA(new CapaCommand(), AUTHORIZATION, TRANSACTION),
    QUIT(new QuitCommand(), AUTHORIZATION, TRANSACTION),
    STAT(new StatCommand(), TRANSACTION),
    LIST(new ListCommand(), TRANSACTION),
    UIDL(new UidlCommand(), TRANSACTION),
    RETR(new RetrCommand(), TRANSACTION),
    TOP(new TopCommand(), TRANSACTION),
    DELE(new DeleCommand(), TRANSACTION),
    NOOP(new NoopCommand(), TRANSACTION),
    RSET(new RsetCommand(), TRANSACTION);

    private final Command command;
    private final Set<State> states;

    Verb(Command command, State first, State... more) {
        this.command = command;
        this.states = EnumSet.of(first, more);
    }

    Command command() {
        return command;
    }

    boolean validIn(State state) {
        return states.contains(state);
    }

    /**
     * Looks up a keyword, case-insensitively (RFC 1939 section 3).
     *
     * @param keyword the first word of a command line
     * @return the verb, or {@code null} if unknown
     */
    static Verb of(String keyword) {
        if (keyword.length() < 3 || keyword.length() > 4) {
            return null;
        }
        try {
            return valueOf(keyword.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
