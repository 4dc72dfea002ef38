package dev.poplar.pop3.server.internal.command;

/** The states of a POP3 session (RFC 1939 section 3). */
public enum State {
    /** Before login. */
    AUTHORIZATION,
    /** Logged in, maildrop open. */
    TRANSACTION,
    /** After {@code QUIT} in TRANSACTION, while the store removes deleted messages. */
    UPDATE
}
