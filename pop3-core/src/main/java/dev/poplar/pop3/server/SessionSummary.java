package dev.poplar.pop3.server;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one POP3 session did, reported when it ends. {@link #toString()} is the one-line summary the server logs.
 *
 * @param sessionId the session's id
 * @param user the user who logged in, if any
 * @param end how the session ended
 * @param tls whether the session was encrypted when it ended
 * @param retrieved messages fully sent by {@code RETR}
 * @param retrievedOctets octets of those messages (POP3 sizes)
 * @param deleted messages removed from the mailbox at {@code QUIT}
 * @param notRemoved messages the client deleted that the store could not remove
 * @param duration from connection to close
 */
public record SessionSummary(String sessionId, Optional<String> user, EndReason end, boolean tls, int retrieved,
                             long retrievedOctets, int deleted, int notRemoved, Duration duration) {

    /** How a session ended. */
    public enum EndReason {
        /** The client sent {@code QUIT}. */
        QUIT,
        /** The client closed the connection without {@code QUIT}: nothing was deleted. */
        CLIENT_DISCONNECTED,
        /** The session was idle for too long: nothing was deleted. */
        IDLE_TIMEOUT,
        /** The server was stopped: nothing was deleted. */
        SERVER_STOPPED,
        /** The client sent too many bad commands or failed to log in too often. */
        TOO_MANY_ERRORS,
        /** The client did not log in within the login timeout: nothing was deleted. */
        LOGIN_TIMEOUT,
        /** The TLS handshake failed. */
        TLS_FAILED,
        /** The client spoke another protocol, e.g. TLS to a plain port. */
        PROTOCOL_ERROR,
        /** The connection failed (reset, broken pipe). */
        IO_ERROR,
        /**
         * The server dropped the connection on purpose without an answer, as a test server's fault injection asked.
         * Nothing was deleted.
         */
        DROPPED
    }

    /**
     * Validates the fields.
     *
     * @param sessionId the session's id
     * @param user the user who logged in, if any
     * @param end how the session ended
     * @param tls whether the session was encrypted when it ended
     * @param retrieved messages fully sent by {@code RETR}
     * @param retrievedOctets octets of those messages (POP3 sizes)
     * @param deleted messages removed from the mailbox at {@code QUIT}
     * @param notRemoved messages the client deleted that the store could not remove
     * @param duration from connection to close
     * @throws NullPointerException if a reference is null
     */
    public SessionSummary {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(duration, "duration");
    }

    @Override
    public String toString() {
        return "session=" + sessionId + " user=" + user.orElse("-") + " end=" + end + " tls=" + tls
                + " retr=" + retrieved + "/" + retrievedOctets + " del=" + deleted
                + (notRemoved > 0 ? " not-removed=" + notRemoved : "") + " duration=" + duration.toMillis() + "ms";
    }
}
