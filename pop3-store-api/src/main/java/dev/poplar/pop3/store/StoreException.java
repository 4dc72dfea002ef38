package dev.poplar.pop3.store;

import java.util.Objects;

/**
 * The one exception of the storage and authentication SPIs. Its {@link Kind} decides what the client sees; its
 * message and cause go to the server log only, never to the client.
 */
public class StoreException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What kind of failure, and so which POP3 response the client gets. */
    public enum Kind {
        /** Another session holds the mailbox. The client sees {@code -ERR [IN-USE]} (RFC 2449 section 8.1.1). */
        IN_USE,
        /**
         * A temporary problem: the store is unreachable, a resource is exhausted, a file cannot be read right now. The
         * client sees {@code -ERR [SYS/TEMP]} (RFC 3206) and may retry later.
         */
        TEMPORARY,
        /**
         * A permanent problem that needs an administrator. The client sees {@code -ERR [SYS/PERM]} (RFC 3206) and
         * should not simply retry.
         */
        PERMANENT,
        /**
         * The message has disappeared since the maildrop was opened (another agent removed it). The client sees a
         * plain {@code -ERR} for that message and the session goes on.
         */
        GONE
    }

    /** What kind of failure this is: it decides the reply. */
    private final Kind kind;

    /**
     * Creates an exception.
     *
     * @param kind what kind of failure
     * @param message what happened, for the log
     */
    public StoreException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /**
     * Creates an exception with a cause.
     *
     * @param kind what kind of failure
     * @param message what happened, for the log
     * @param cause the underlying failure, for the log
     */
    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /**
     * What kind of failure this is.
     *
     * @return the kind, never {@code null}
     */
    public Kind kind() {
        return kind;
    }
}
