package dev.poplar.pop3.server;

import java.util.Locale;
import java.util.Optional;

/**
 * The commands the server knows (RFC 1939, RFC 2449, RFC 2595, RFC 5034), with the facts about each that the server
 * and its tools share: the states it is valid in, whether its answer is multi-line, the {@code CAPA} tag that
 * announces it, and whether it calls the store or the authenticator.
 */
public enum Verb {
    /** {@code USER name} (RFC 1939 section 7). */
    USER(true, false, MultiLine.NEVER, "USER", false),
    /** {@code PASS string} (RFC 1939 section 7). */
    PASS(true, false, MultiLine.NEVER, "USER", true),
    /** {@code APOP name digest} (RFC 1939 section 7). */
    APOP(true, false, MultiLine.NEVER, null, true),
    /** {@code AUTH mechanism [initial-response]} (RFC 5034); without arguments, the list of mechanisms. */
    AUTH(true, false, MultiLine.WITHOUT_ARGUMENT, "SASL", true),
    /** {@code STLS} (RFC 2595 section 4). */
    STLS(true, false, MultiLine.NEVER, "STLS", false),
    /** {@code CAPA} (RFC 2449 section 5). */
    CAPA(true, true, MultiLine.ALWAYS, null, false),
    /** {@code QUIT} (RFC 1939 sections 5 and 6): after login, it enters the UPDATE state and removes deleted mail. */
    QUIT(true, true, MultiLine.NEVER, null, true),
    /** {@code STAT} (RFC 1939 section 5). */
    STAT(false, true, MultiLine.NEVER, null, false),
    /** {@code LIST [msg]} (RFC 1939 section 5). */
    LIST(false, true, MultiLine.WITHOUT_ARGUMENT, null, false),
    /** {@code UIDL [msg]} (RFC 1939 section 7). */
    UIDL(false, true, MultiLine.WITHOUT_ARGUMENT, "UIDL", false),
    /** {@code RETR msg} (RFC 1939 section 5). */
    RETR(false, true, MultiLine.ALWAYS, null, true),
    /** {@code TOP msg n} (RFC 1939 section 7). */
    TOP(false, true, MultiLine.ALWAYS, "TOP", true),
    /** {@code DELE msg} (RFC 1939 section 5). */
    DELE(false, true, MultiLine.NEVER, null, false),
    /** {@code NOOP} (RFC 1939 section 5). */
    NOOP(false, true, MultiLine.NEVER, null, false),
    /** {@code RSET} (RFC 1939 section 5). */
    RSET(false, true, MultiLine.NEVER, null, false);

    private enum MultiLine { NEVER, ALWAYS, WITHOUT_ARGUMENT }

    private final boolean beforeLogin;
    private final boolean afterLogin;
    private final MultiLine multiLine;
    private final String capability;
    private final boolean callsSpi;

    Verb(boolean beforeLogin, boolean afterLogin, MultiLine multiLine, String capability, boolean callsSpi) {
        this.beforeLogin = beforeLogin;
        this.afterLogin = afterLogin;
        this.multiLine = multiLine;
        this.capability = capability;
        this.callsSpi = callsSpi;
    }

    /**
     * Looks up a command keyword, case-insensitively (RFC 1939 section 3).
     *
     * @param keyword the first word of a command line
     * @return the verb, or empty if the server does not know it
     */
    public static Optional<Verb> of(String keyword) {
        if (keyword.length() < 3 || keyword.length() > 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(keyword.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** @return whether the command is valid before login (the AUTHORIZATION state) */
    public boolean validBeforeLogin() {
        return beforeLogin;
    }

    /** @return whether the command is valid after login (the TRANSACTION state) */
    public boolean validAfterLogin() {
        return afterLogin;
    }

    /**
     * Whether a positive answer to the command is multi-line (ends with a line holding only {@code .}).
     *
     * @param argument everything after the keyword, possibly empty
     * @return {@code true} for {@code CAPA}, {@code RETR}, {@code TOP}, and {@code LIST}, {@code UIDL} and
     *     {@code AUTH} without an argument (as the server reads it: an argument of spaces and control characters
     *     only is none)
     */
    public boolean multiLine(String argument) {
        return multiLine == MultiLine.ALWAYS || multiLine == MultiLine.WITHOUT_ARGUMENT && argument.trim().isEmpty();
    }

    /** @return whether some form of the command has a multi-line answer */
    public boolean mayAnswerMultiLine() {
        return multiLine != MultiLine.NEVER;
    }

    /**
     * The {@code CAPA} tag that announces the command (RFC 2449 section 6), if it has one; commands of RFC 1939's
     * minimal set have none.
     *
     * @return e.g. {@code TOP}, {@code UIDL}, {@code USER} (for {@code USER} and {@code PASS}), {@code SASL}
     *     (for {@code AUTH}), {@code STLS}
     */
    public Optional<String> capability() {
        return Optional.ofNullable(capability);
    }

    /**
     * Whether running the command may call the authenticator or the store, which may block: logins, message content,
     * and {@code QUIT} after login.
     *
     * @return {@code true} for {@code PASS}, {@code APOP}, {@code AUTH}, {@code RETR}, {@code TOP}, {@code QUIT}
     */
    public boolean callsSpi() {
        return callsSpi;
    }
}
