package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.ClientInfo;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Something that happened in a POP3 session. Every event names the connection it happened on. Secrets never appear
 * in events: passwords and SASL responses are replaced by {@code ***}.
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
     * @param reason why, for operators; the client saw only a response code
     */
    record LoginFailed(ClientInfo client, String username, String mechanism, String reason) implements Pop3Event {
        /**
         * Validates the fields.
         *
         * @param client the connection
         * @param username the user name given, or an empty string if none could be read
         * @param mechanism how: {@code USER}, {@code APOP} or the SASL mechanism name
         * @param reason why, for operators; the client saw only a response code
         * @throws NullPointerException if an argument is null
         */
        public LoginFailed {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(mechanism, "mechanism");
            Objects.requireNonNull(reason, "reason");
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
    }
}
