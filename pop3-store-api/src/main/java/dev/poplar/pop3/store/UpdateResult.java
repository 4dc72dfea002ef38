package dev.poplar.pop3.store;

import java.util.Set;

/**
 * The outcome of {@link Maildrop#update(Set, Set)}: which of the deleted messages could not be removed.
 *
 * @param notRemoved the messages that stay in the mailbox although the client deleted them; empty when all went
 */
public record UpdateResult(Set<MessageInfo> notRemoved) {

    private static final UpdateResult COMPLETE = new UpdateResult(Set.of());

    /**
     * Copies the set.
     *
     * @param notRemoved the messages that stay in the mailbox although the client deleted them
     * @throws NullPointerException if {@code notRemoved} is null
     */
    public UpdateResult {
        notRemoved = Set.copyOf(notRemoved);
    }

    /**
     * Every deleted message was removed.
     *
     * @return the shared complete result
     */
    public static UpdateResult complete() {
        return COMPLETE;
    }

    /**
     * Some deleted messages stay.
     *
     * @param notRemoved the messages that could not be removed
     * @return a result naming them
     */
    public static UpdateResult partial(Set<MessageInfo> notRemoved) {
        return notRemoved.isEmpty() ? COMPLETE : new UpdateResult(notRemoved);
    }

    /**
     * Whether every deleted message was removed.
     *
     * @return {@code true} if nothing stayed
     */
    public boolean isComplete() {
        return notRemoved.isEmpty();
    }
}
