package dev.poplar.pop3.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One session's exclusive view of a mailbox: a fixed list of messages, their content, and the deletion at the end.
 *
 * <p><b>Lifecycle.</b> Returned by {@link MailboxStore#open(String)}. The server then calls {@link #messages()}; with
 * a retention policy, {@link #arrived} and {@link #firstRetrieved} for the messages and at most once {@link #expire}
 * (only when the policy finds messages to remove, before the client sees the listing);
 * {@link #content(MessageInfo)} any number of times, {@link #update(Set, Set)} at most once (only when the
 * client ends the session with {@code QUIT}), and {@link #close()} exactly once, last. A session that ends any other way (dropped
 * connection, idle timeout, server stop) never calls {@code update}: nothing is deleted.
 *
 * <p><b>Threading.</b> The server calls the methods of one maildrop from one session, one call at a time (never
 * concurrently), but not always from the same thread. Calls may block.
 *
 * <p><b>Failures.</b> A {@link StoreException} is answered according to its {@linkplain StoreException.Kind kind};
 * the client never sees the exception's text. A {@code RuntimeException} is a bug in the store, which the server
 * survives: it logs the exception and goes on as follows.
 * <ul>
 *   <li>From {@link #messages()}, called once right after {@link MailboxStore#open(String)}: the login fails with
 *       {@code -ERR [SYS/TEMP]}, the maildrop is closed, and the session stays in the AUTHORIZATION state.
 *   <li>From {@link #content(MessageInfo)}: that {@code RETR} or {@code TOP} is answered {@code -ERR [SYS/TEMP]} and
 *       the session goes on.
 *   <li>From reading the {@link MessageContent} (an {@code IOException} as well): if no octet of the reply has been
 *       sent yet, {@code -ERR [SYS/TEMP]} and the session goes on; once part of the message has been sent, the client
 *       can no longer be told, so the server closes the connection. The session then ends without {@code QUIT}:
 *       nothing is deleted.
 *   <li>From {@link #update(Set, Set)}: as a {@link StoreException}, see there.
 *   <li>From {@link #close()}: logged and otherwise ignored.
 * </ul>
 */
public interface Maildrop extends AutoCloseable {

    /**
     * The messages of this maildrop as they were when it was opened. Message number {@code n} of the session is
     * element {@code n - 1}. The list must not change for the life of the maildrop, even if mail arrives or is
     * removed by someone else meanwhile (RFC 1939 section 5: message numbers are fixed for the session).
     *
     * @return an unmodifiable list, never {@code null}
     */
    List<MessageInfo> messages();

    /**
     * Opens the content of one message for reading. The server reads it from the first octet to the end and closes
     * it, also when the client goes away in the middle.
     *
     * @param message one of {@link #messages()}
     * @return the content, open for reading
     * @throws StoreException {@link StoreException.Kind#GONE} if the message has disappeared since the maildrop was
     *     opened (the client sees a plain {@code -ERR} and the session goes on), {@link StoreException.Kind#TEMPORARY}
     *     or {@link StoreException.Kind#PERMANENT} if it cannot be read
     */
    MessageContent content(MessageInfo message) throws StoreException;

    /**
     * Ends the session in the RFC 1939 UPDATE state: removes the messages the client deleted and records those it
     * retrieved. Called at most once, after {@code QUIT}, and only if the client deleted or retrieved something.
     *
     * <p>A store removes what it can: a message it cannot remove stays whole in the mailbox and is reported in the
     * result; the others are removed. A crash in the middle must leave each message either present and whole, or gone.
     *
     * @param deleted the messages marked with {@code DELE} and not unmarked by {@code RSET}; never {@code null},
     *     possibly empty
     * @param retrieved the messages sent in full by {@code RETR} (stores may mark them seen) that are not in
     *     {@code deleted}: a message both retrieved and deleted is only in {@code deleted}. Never {@code null},
     *     possibly empty; {@code TOP} does not count as retrieval. A store that reports
     *     {@link #firstRetrieved(MessageInfo)} records the time now, durably, for each of them that has none yet: a
     *     retention policy deletes messages some time after it
     * @return which deletions did not happen
     * @throws StoreException if nothing could be removed at all: the server counts every deleted message as not
     *     removed and answers {@code QUIT} with {@code -ERR [SYS/TEMP]}, whatever the
     *     {@linkplain StoreException.Kind kind}; then it closes the maildrop and the connection. A
     *     {@code RuntimeException} is handled the same way.
     */
    UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved) throws StoreException;

    /**
     * Removes messages at once because the server's retention policy says they have been kept long enough (see
     * {@link #arrived(MessageInfo)} and {@link #firstRetrieved(MessageInfo)}). Called at most once, right after the
     * maildrop was opened, before the client is told anything about the mailbox; the server then leaves the removed
     * messages out of the session's listing (the list {@link #messages()} returns stays as it is). The hold on the
     * mailbox guarantees that no session sees them disappear.
     *
     * <p>Like {@link #update}, a store removes what it can, and a crash in the middle leaves each message either
     * present and whole, or gone. The default removes nothing: a store that reports message times should implement
     * it.
     *
     * @param expired messages of {@link #messages()}; never {@code null} or empty
     * @return which of them were not removed (the session lists them as usual)
     * @throws StoreException if nothing could be removed; the session goes on and lists every message. A
     *     {@code RuntimeException} is handled the same way.
     */
    default UpdateResult expire(Set<MessageInfo> expired) throws StoreException {
        return UpdateResult.partial(expired);
    }

    /**
     * When a message was delivered to the mailbox, for a retention policy that deletes messages some time after they
     * arrived. Called only when the server has such a policy, for each message, right after {@link #messages()}:
     * a store should have the answer at hand (read with the listing), not look it up per message.
     *
     * @param message one of {@link #messages()}
     * @return the time, or empty if the store does not know (the default): the message never expires by arrival
     */
    default Optional<Instant> arrived(MessageInfo message) {
        return Optional.empty();
    }

    /**
     * When a session first retrieved a message in full and ended with {@code QUIT} (the first {@link #update} whose
     * {@code retrieved} set held it), for a retention policy that deletes messages some time after that. Called
     * only when the server has such a policy, for each message, right after {@link #messages()}: a store should
     * have the answer at hand, as of when the maildrop was opened.
     *
     * @param message one of {@link #messages()}
     * @return the time, or empty if it was never retrieved or the store does not record it (the default): the
     *     message never expires by retrieval
     */
    default Optional<Instant> firstRetrieved(MessageInfo message) {
        return Optional.empty();
    }

    /**
     * Releases the exclusive hold on the mailbox. Called exactly once, whatever happened before. Must not throw:
     * a failure here is the store's to log.
     */
    @Override
    void close();

    /**
     * Whether {@link #close()} may block when {@link #update} was not called: a session whose client only looked
     * ({@code STAT}, {@code LIST}, {@code UIDL}, then {@code QUIT}) or that ended without {@code QUIT}, so that only
     * the hold is released. The server asks only if the store's
     * {@link MailboxStore#mayBlock(MailboxStore.Operation) mayBlock(UPDATE)} is {@code true}; answering {@code false}
     * lets such a session end on its network thread, without a thread hand-off. The default, {@code true}, is always
     * safe; answering {@code false} wrongly stalls every connection that shares the network thread.
     *
     * @return {@code false} only if releasing the hold never waits (a lock in memory, or on a local file)
     */
    default boolean closeMayBlock() {
        return true;
    }
}
