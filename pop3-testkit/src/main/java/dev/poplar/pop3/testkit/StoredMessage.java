package dev.poplar.pop3.testkit;

import java.util.Objects;

/**
 * A message as a test mailbox holds it: its POP3 unique id ({@code UIDL}) and its content.
 *
 * @param uid the unique id the server reports for it
 * @param message the message
 */
public record StoredMessage(String uid, TestMessage message) {

    /**
     * Validates the fields.
     *
     * @param uid the unique id the server reports for it
     * @param message the message
     * @throws NullPointerException if any is null
     */
    public StoredMessage {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The message's subject.
     *
     * @return the decoded subject, or an empty string
     */
    public String subject() {
        return message.subject();
    }

    /**
     * The message's POP3 size.
     *
     * @return the octets {@code LIST} reports
     */
    public long size() {
        return message.size();
    }

    @Override
    public String toString() {
        return uid + " " + message;
    }
}
