package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.store.MailboxStore;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened in a POP3 session. Every event names the connection it happened on. Secrets never appear
 * in events: passwords and SASL responses are replaced by {@code ***}.
 *
 * <p>A connection that is admitted yields {@link ConnectionClosed} when it ends, and before that, once greeted,
 * {@link ConnectionOpened}; a connection that is refused yields {@link ConnectionRefused} alone. On a listener behind
 * a PROXY protocol balancer, a balancer's connection is admitted once its header has named the client; one that
 * closes before sending a header (a health check) yields no event.
 */
public sealed interface Pop3Event {

    /**
     * The connection the event happened on.
     *
     * @return the client's connection
     */
    ClientInfo client();

    /**
     * A client connected and was greeted.
     *
     * @param client the connection
     */
    record ConnectionOpened(ClientInfo client) implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @throws NullPointerException if {@code client} is null
         */
        public ConnectionOpened {
            Objects.requireNonNull(client, "client");
        }
    }

    /**
     * A connection was refused before its session began: it was closed with at most one {@code -ERR} line, and no
     * {@link ConnectionClosed} follows.
     *
     * @param client the connection; behind a PROXY protocol balancer, the client the header named if it was read
     * @param reason why
     */
    record ConnectionRefused(ClientInfo client, Reason reason) implements Pop3Event {
        /** Why a connection was refused. */
        public enum Reason {
            /** The server had its maximum of connections open. */
            TOO_MANY_CONNECTIONS,
            /** The client's address had its maximum of connections open. */
            TOO_MANY_FROM_ADDRESS,
            /** The server is stopping. */
            SERVER_STOPPING,
            /**
             * A trusted balancer's connection did not start with a valid PROXY protocol header in time (malformed,
             * truncated, too long or late).
             */
            PROXY_HEADER,
            /** The access rules deny the client's address on this listener. */
            ACCESS_DENIED
        }

        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param reason why
         * @throws NullPointerException if an argument is null
         */
        public ConnectionRefused {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A connection ended, however it ended.
     *
     * @param client the connection
     * @param summary what the session did
     */
    record ConnectionClosed(ClientInfo client, SessionSummary summary) implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param summary what the session did
         * @throws NullPointerException if an argument is null
         */
        public ConnectionClosed {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(summary, "summary");
        }
    }

    /**
     * A client logged in and its maildrop was opened.
     *
     * @param client the connection
     * @param username the user
     * @param mailbox the mailbox opened
     * @param mechanism how: {@code USER}, {@code APOP} or the SASL mechanism name
     */
    record LoginSucceeded(ClientInfo client, String username, String mailbox, String mechanism) implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param username the user
         * @param mailbox the mailbox opened
         * @param mechanism how: {@code USER}, {@code APOP} or the SASL mechanism name
         * @throws NullPointerException if an argument is null
         */
        public LoginSucceeded {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(mailbox, "mailbox");
            Objects.requireNonNull(mechanism, "mechanism");
        }
    }

    /**
     * A login attempt failed.
     *
     * @param client the connection
     * @param username the user name given, or an empty string if none could be read
     * @param mechanism how: {@code USER}, {@code APOP} or the SASL mechanism name
     * @param cause what kind of failure, for counting
     * @param reason why, for operators; the client saw only a response code
     */
    record LoginFailed(ClientInfo client, String username, String mechanism, Cause cause, String reason)
            implements Pop3Event {
        /** What kind of failure a failed login was. */
        public enum Cause {
            /** Wrong credentials, an unknown user, or a failed SASL exchange ({@code -ERR [AUTH]}). */
            CREDENTIALS,
            /** The authenticator asked the user to wait before logging in again ({@code -ERR [LOGIN-DELAY]}). */
            LOGIN_DELAY,
            /** The authenticator could not decide now ({@code -ERR [SYS/TEMP]}). */
            AUTHENTICATOR_UNAVAILABLE,
            /** The credentials were good but the maildrop could not be opened ({@code [IN-USE]} or a store failure). */
            MAILDROP,
            /**
             * The attempt was refused unchecked: the failed-login penalty of the client's address was already holding
             * back another attempt ({@code -ERR [SYS/TEMP]}).
             */
            PENALTY
        }

        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param username the user name given, or an empty string if none could be read
         * @param mechanism how: {@code USER}, {@code APOP} or the SASL mechanism name
         * @param cause what kind of failure, for counting
         * @param reason why, for operators; the client saw only a response code
         * @throws NullPointerException if an argument is null
         */
        public LoginFailed {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(mechanism, "mechanism");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A login attempt waits before it is checked: the penalty for earlier failed logins from the client's address, or
     * softly for the user name (see {@code Pop3Server.Builder.authFailureDelay}).
     *
     * @param client the connection
     * @param username the user name tried, or an empty string
     * @param delay how long the attempt waits
     */
    record PenaltyApplied(ClientInfo client, String username, Duration delay) implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param username the user name tried, or an empty string
         * @param delay how long the attempt waits
         * @throws NullPointerException if an argument is null
         */
        public PenaltyApplied {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(delay, "delay");
        }
    }

    /**
     * A TLS handshake completed: on an implicit-TLS listener (before {@link ConnectionOpened}) or after {@code STLS}.
     * A handshake that fails ends the session: {@link ConnectionClosed} with {@code TLS_FAILED}.
     *
     * @param client the connection, now secure
     * @param protocol the negotiated protocol, e.g. {@code TLSv1.3}
     * @param cipherSuite the negotiated cipher suite, e.g. {@code TLS_AES_256_GCM_SHA384}
     */
    record TlsEstablished(ClientInfo client, String protocol, String cipherSuite) implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection, now secure
         * @param protocol the negotiated protocol
         * @param cipherSuite the negotiated cipher suite
         * @throws NullPointerException if an argument is null
         */
        public TlsEstablished {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(cipherSuite, "cipherSuite");
        }
    }

    /**
     * A call to the {@link MailboxStore} returned: {@code OPEN} is opening the maildrop at login, {@code CONTENT}
     * opening a message for {@code RETR} or {@code TOP} (reading it is part of the command's time), {@code UPDATE}
     * the removal at {@code QUIT}. Reported on the session's thread once the result is back; not reported if the
     * connection closed meanwhile.
     *
     * @param client the connection
     * @param operation which call
     * @param took how long the store took, measured where the call ran
     * @param failed whether it threw
     */
    record StoreCallCompleted(ClientInfo client, MailboxStore.Operation operation, Duration took, boolean failed)
            implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param operation which call
         * @param took how long the store took
         * @param failed whether it threw
         * @throws NullPointerException if an argument is null
         */
        public StoreCallCompleted {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(took, "took");
        }
    }

    /**
     * A message was handed in full to the network by {@code RETR}.
     *
     * @param client the connection
     * @param mailbox the mailbox
     * @param uid the message's unique id
     * @param octets its POP3 size
     */
    record MessageRetrieved(ClientInfo client, String mailbox, String uid, long octets) implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param mailbox the mailbox
         * @param uid the message's unique id
         * @param octets its POP3 size
         * @throws NullPointerException if an argument is null
         */
        public MessageRetrieved {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(mailbox, "mailbox");
            Objects.requireNonNull(uid, "uid");
        }
    }

    /**
     * The messages deleted in a session were removed at {@code QUIT} (RFC 1939 UPDATE state).
     *
     * @param client the connection
     * @param mailbox the mailbox
     * @param removed the unique ids removed
     * @param notRemoved the unique ids the store could not remove; they stay in the mailbox
     */
    record MessagesDeleted(ClientInfo client, String mailbox, List<String> removed, List<String> notRemoved)
            implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param mailbox the mailbox
         * @param removed the unique ids removed
         * @param notRemoved the unique ids the store could not remove; they stay in the mailbox
         * @throws NullPointerException if an argument is null
         */
        public MessagesDeleted {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(mailbox, "mailbox");
            removed = List.copyOf(removed);
            notRemoved = List.copyOf(notRemoved);
        }
    }

    /**
     * A command was answered. For multi-line responses the reply is the status line.
     *
     * @param client the connection
     * @param command the command line as received, secrets replaced by {@code ***}
     * @param reply the status line of the response, e.g. {@code +OK 2 messages}
     * @param took from reading the command to writing the status line (for {@code RETR}: to the last octet)
     */
    record CommandCompleted(ClientInfo client, String command, String reply, Duration took) implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param command the command line as received, secrets replaced by {@code ***}
         * @param reply the status line of the response, e.g. {@code +OK 2 messages}
         * @param took from reading the command to writing the status line (for {@code RETR}: to the last octet)
         * @throws NullPointerException if an argument is null
         */
        public CommandCompleted {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(reply, "reply");
            Objects.requireNonNull(took, "took");
        }

        /**
         * The command's verb.
         *
         * @return the verb, or empty for an unknown keyword and for a line that continues a SASL exchange
         */
        public Optional<Verb> verb() {
            int space = command.indexOf(' ');
            return Verb.of(space < 0 ? command : command.substring(0, space));
        }

        /**
         * Whether the reply was positive.
         *
         * @return {@code true} for {@code +OK} and SASL continuations ({@code +}), {@code false} for {@code -ERR}
         */
        public boolean ok() {
            return reply.startsWith("+");
        }
    }
}
