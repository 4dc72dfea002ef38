package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.MessageInfo;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages of a Maildir listing in the forms a session needs, built once per listing and shared by the sessions
 * that open the mailbox while it is cached. Immutable.
 *
 * @param messages the messages in order
 * @param infos what POP3 sees of them, in the same order
 * @param byUid the messages by unique-id
 */
public record Snapshot(List<ListedMessage> messages, List<MessageInfo> infos, Map<String, ListedMessage> byUid) {

    /**
     * Builds the forms of a listing.
     *
     * @param messages the messages in order
     * @return the snapshot
     */
    public static Snapshot of(List<ListedMessage> messages) {
        Map<String, ListedMessage> byUid = new HashMap<>(messages.size() * 2);
        messages.forEach(m -> byUid.put(m.info().uid(), m));
        return new Snapshot(List.copyOf(messages), messages.stream().map(ListedMessage::info).toList(),
                Collections.unmodifiableMap(byUid));
    }
}
