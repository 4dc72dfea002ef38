package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.Retention;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;

import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The session's view of its maildrop: the fixed message list, the deletion marks (session-local until {@code QUIT},
 * RFC 1939 section 5) and what was retrieved. Message numbers start at 1. The list is the maildrop's less what the
 * retention policy removed at login, and the sizes are those the content hook declares. Not thread-safe: one session.
 */
public final class MaildropView {

    private final Maildrop maildrop;
    private final String mailbox;
    private final List<MessageInfo> messages;
    private final long[] sizes;
    private final Retention retention;
    private final BitSet deleted = new BitSet();
    private final BitSet retrieved = new BitSet();
    private final long totalOctets;
    private long deletedOctets;

    /**
     * Wraps an opened maildrop.
     *
     * @param maildrop the maildrop
     * @param mailbox its name
     */
    public MaildropView(Maildrop maildrop, String mailbox) {
        this(maildrop, mailbox, maildrop.messages(), null, null);
    }

    /**
     * Wraps an opened maildrop as a session lists it.
     *
     * @param maildrop the maildrop
     * @param mailbox its name
     * @param messages the messages to number, in order: the maildrop's, less those removed at login
     * @param sizes the size to report for each of {@code messages}, or {@code null} for the sizes the store reports
     * @param retention the mailbox's retention policy, or {@code null}
     */
    public MaildropView(Maildrop maildrop, String mailbox, List<MessageInfo> messages, long[] sizes,
                        Retention retention) {
        this.maildrop = maildrop;
        this.mailbox = mailbox;
        this.messages = List.copyOf(messages);
        this.sizes = sizes == null ? null : sizes.clone();
        this.retention = retention;
        long total = 0;
        for (int n = 1; n <= this.messages.size(); n++) {
            total += size(n);
        }
        this.totalOctets = total;
    }

    /** @return the mailbox's retention policy, if it has one */
    public Optional<Retention> retention() {
        return Optional.ofNullable(retention);
    }

    /**
     * The size of a message as the session reports it ({@code LIST}, {@code STAT}, {@code RETR}).
     *
     * @param number the number of an existing message
     * @return its size in octets
     */
    public long size(int number) {
        return sizes == null ? messages.get(number - 1).size() : sizes[number - 1];
    }

    /** @return the maildrop */
    public Maildrop maildrop() {
        return maildrop;
    }

    /** @return the mailbox name */
    public String mailbox() {
        return mailbox;
    }

    /** @return the number of messages including deleted ones: the highest message number */
    public int highest() {
        return messages.size();
    }

    /** @return messages not marked deleted */
    public int liveCount() {
        return messages.size() - deleted.cardinality();
    }

    /** @return octets of messages not marked deleted */
    public long liveOctets() {
        return totalOctets - deletedOctets;
    }

    /**
     * A message by number, unless it does not exist or is marked deleted.
     *
     * @param number the message number
     * @return the message, or {@code null}
     */
    public MessageInfo live(int number) {
        if (number < 1 || number > messages.size() || deleted.get(number - 1)) {
            return null;
        }
        return messages.get(number - 1);
    }

    /**
     * Whether a message number exists at all, deleted or not.
     *
     * @param number the message number
     * @return {@code true} if within 1..highest
     */
    public boolean exists(int number) {
        return number >= 1 && number <= messages.size();
    }

    /**
     * Marks a live message deleted.
     *
     * @param number the message number of a live message
     */
    public void delete(int number) {
        deleted.set(number - 1);
        deletedOctets += size(number);
    }

    /** Unmarks every deleted message ({@code RSET}). */
    public void reset() {
        deleted.clear();
        deletedOctets = 0;
    }

    /**
     * Notes that a message was sent in full by {@code RETR}.
     *
     * @param number the message number
     */
    public void retrieved(int number) {
        retrieved.set(number - 1);
    }

    /** @return the messages marked deleted */
    public Set<MessageInfo> deletedMessages() {
        return select(deleted);
    }

    /** @return the messages retrieved and not deleted */
    public Set<MessageInfo> retrievedMessages() {
        BitSet kept = (BitSet) retrieved.clone();
        kept.andNot(deleted);
        return select(kept);
    }

    private Set<MessageInfo> select(BitSet bits) {
        Set<MessageInfo> selected = new LinkedHashSet<>();
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            selected.add(messages.get(i));
        }
        return selected;
    }
}
