package dev.poplar.pop3.testkit;

import java.util.List;
import java.util.Objects;

/**
 * What a test mailbox holds now and what happened to it, taken at one moment by
 * {@link Pop3TestServer#mailbox(String)}. Lists are in the order things happened.
 *
 * @param name the mailbox (the user's name)
 * @param messages the messages in it now, oldest first
 * @param retrieved each message sent in full by {@code RETR}, once per retrieval (a message retrieved in two
 *     sessions appears twice)
 * @param deleted the messages removed by a session that ended with {@code QUIT} (RFC 1939 UPDATE state)
 * @param abandonedDeletions the messages marked with {@code DELE} in sessions that ended without {@code QUIT}
 *     (dropped, timed out): still in the mailbox, unless a later session deleted them
 * @param sessions the sessions that logged in to this mailbox and have ended, in order
 */
public record Mailbox(String name, List<StoredMessage> messages, List<StoredMessage> retrieved,
                      List<StoredMessage> deleted, List<StoredMessage> abandonedDeletions,
                      List<RecordedSession> sessions) {

    /**
     * Validates and copies the fields.
     *
     * @param name the mailbox (the user's name)
     * @param messages the messages in it now, oldest first
     * @param retrieved each message sent in full by {@code RETR}, once per retrieval (a message retrieved in two
     *     sessions appears twice)
     * @param deleted the messages removed by a session that ended with {@code QUIT} (RFC 1939 UPDATE state)
     * @param abandonedDeletions the messages marked with {@code DELE} in sessions that ended without {@code QUIT}
     *     (dropped, timed out): still in the mailbox, unless a later session deleted them
     * @param sessions the sessions that logged in to this mailbox and have ended, in order
     * @throws NullPointerException if any is null
     */
    public Mailbox {
        Objects.requireNonNull(name, "name");
        messages = List.copyOf(messages);
        retrieved = List.copyOf(retrieved);
        deleted = List.copyOf(deleted);
        abandonedDeletions = List.copyOf(abandonedDeletions);
        sessions = List.copyOf(sessions);
    }

    /**
     * Whether the mailbox holds no message now.
     *
     * @return {@code true} if empty
     */
    public boolean isEmpty() {
        return messages.isEmpty();
    }

    /**
     * How many messages it holds now.
     *
     * @return the count
     */
    public int size() {
        return messages.size();
    }

    /**
     * The subjects of the messages it holds now.
     *
     * @return the subjects, oldest first
     */
    public List<String> subjects() {
        return messages.stream().map(StoredMessage::subject).toList();
    }

    /**
     * The sessions' transcripts, for assertion messages.
     *
     * @return the transcripts one after the other, or a note that no session logged in
     */
    public String transcripts() {
        if (sessions.isEmpty()) {
            return "(no session logged in to mailbox " + name + ")";
        }
        StringBuilder out = new StringBuilder();
        sessions.forEach(s -> out.append(s.transcript()).append('\n'));
        return out.toString().stripTrailing();
    }
}
