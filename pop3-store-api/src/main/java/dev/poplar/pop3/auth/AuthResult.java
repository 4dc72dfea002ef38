package dev.poplar.pop3.auth;

import java.time.Duration;
import java.util.Objects;

/**
 * The decision of an {@link Authenticator}. Each kind maps to one POP3 reply.
 */
public sealed interface AuthResult
        permits AuthResult.Accepted, AuthResult.Rejected, AuthResult.Delayed, AuthResult.Unavailable {

    /**
     * The credentials are good: the server opens {@code mailbox}.
     *
     * @param mailbox the mailbox to open in the {@code MailboxStore}
     */
    record Accepted(String mailbox) implements AuthResult {
        /**
         * Validates the mailbox.
         *
         * @param mailbox the mailbox to open in the {@code MailboxStore}
         * @throws NullPointerException if {@code mailbox} is null
         */
        public Accepted {
            Objects.requireNonNull(mailbox, "mailbox");
        }
    }

    /**
     * The credentials are wrong. The client sees {@code -ERR [AUTH]} at once; the server's failed-login penalty
     * slows the next attempts from its address.
     *
     * @param reason why, for the log and the event listener; never sent to the client
     */
    record Rejected(String reason) implements AuthResult {
        /**
         * Validates the reason.
         *
         * @param reason why, for the log and the event listener
         * @throws NullPointerException if {@code reason} is null
         */
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The credentials may be good, but this user logged in too recently. The client sees {@code -ERR [LOGIN-DELAY]}
     * (RFC 2449 section 8.1.2).
     *
     * @param retryAfter how long the user must wait, for the log
     */
    record Delayed(Duration retryAfter) implements AuthResult {
        /**
         * Validates the duration.
         *
         * @param retryAfter how long the user must wait, for the log
         * @throws NullPointerException if {@code retryAfter} is null
         */
        public Delayed {
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /**
     * The credentials cannot be checked now (the user database is down). The client sees {@code -ERR [SYS/TEMP]}.
     *
     * @param reason why, for the log and the event listener; never sent to the client
     */
    record Unavailable(String reason) implements AuthResult {
        /**
         * Validates the reason.
         *
         * @param reason why, for the log and the event listener
         * @throws NullPointerException if {@code reason} is null
         */
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Accepts the credentials.
     *
     * @param mailbox the mailbox to open
     * @return an accepted result
     */
    static AuthResult accept(String mailbox) {
        return new Accepted(mailbox);
    }

    /**
     * Rejects the credentials.
     *
     * @return a rejected result
     */
    static AuthResult reject() {
        return new Rejected("invalid credentials");
    }

    /**
     * Rejects the credentials, saying why in the log.
     *
     * @param reason why, never sent to the client
     * @return a rejected result
     */
    static AuthResult reject(String reason) {
        return new Rejected(reason);
    }

    /**
     * Asks the user to wait before logging in again.
     *
     * @param retryAfter how long
     * @return a delayed result
     */
    static AuthResult delay(Duration retryAfter) {
        return new Delayed(retryAfter);
    }

    /**
     * Says the credentials cannot be checked now.
     *
     * @return an unavailable result
     */
    static AuthResult unavailable() {
        return new Unavailable("authentication back end unavailable");
    }

    /**
     * Says the credentials cannot be checked now, and why in the log.
     *
     * @param reason why, never sent to the client
     * @return an unavailable result
     */
    static AuthResult unavailable(String reason) {
        return new Unavailable(reason);
    }
}
