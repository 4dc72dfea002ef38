package dev.poplar.pop3.store;

import java.util.Set;

/**
 * Where a POP3 server finds the maildrops it serves.
 *
 * <p><b>Lifecycle.</b> The server calls {@link #open(String)} once per session, after the client has authenticated,
 * and {@link Maildrop#close()} on the returned maildrop exactly once when the session ends, however it ends.
 *
 * <p><b>Threading.</b> Implementations must be thread-safe: many sessions call {@code open} concurrently. Every method
 * may block (disk, database, network); the server calls it on a worker thread, never on a network I/O thread, unless
 * {@link #mayBlock(Operation)} says that an operation never blocks.
 *
 * <p><b>Exclusivity.</b> RFC 1939 section 4 requires an exclusive-access lock on the maildrop for the duration of a
 * session. A store must not return a second {@code Maildrop} for the same mailbox while one is open; it throws
 * {@link StoreException.Kind#IN_USE} instead, which the client sees as {@code -ERR [IN-USE]}. A store shared by
 * several server nodes must make this hold across the nodes.
 *
 * <p><b>Failures.</b> A store reports failure by throwing {@link StoreException}: its
 * {@linkplain StoreException.Kind kind} decides the reply, and its text goes to the log, never to the client. Any other
 * {@code RuntimeException} from a store is a bug in the store, which the server survives: it logs the exception and
 * answers {@code -ERR [SYS/TEMP]}, as for {@link StoreException.Kind#TEMPORARY}. Thrown by {@link #open(String)}, or
 * by the {@link Maildrop#messages()} call that follows it, the exception fails the login (the maildrop returned, if
 * any, is closed); the connection stays open in the AUTHORIZATION state, so the client may log in again.
 * {@link Maildrop} says what happens after the login.
 *
 * @see dev.poplar.pop3.store.memory.InMemoryMailboxStore
 */
@FunctionalInterface
public interface MailboxStore {

    /**
     * Opens a mailbox and takes the exclusive hold on it until {@link Maildrop#close()}.
     *
     * <p>A mailbox that does not exist yet is opened as an empty maildrop unless the store decides otherwise (it then
     * throws with {@link StoreException.Kind#PERMANENT}).
     *
     * @param mailbox the mailbox name the {@code Authenticator} accepted the client for; never {@code null}
     * @return a snapshot of the mailbox, held exclusively by the caller until closed
     * @throws StoreException with kind {@link StoreException.Kind#IN_USE} if another session holds the mailbox
     *     ({@code -ERR [IN-USE]}), {@link StoreException.Kind#TEMPORARY} if the store cannot serve it now
     *     ({@code -ERR [SYS/TEMP]}), {@link StoreException.Kind#PERMANENT} if it never will without an administrator
     *     ({@code -ERR [SYS/PERM]}). In every case the session stays in the AUTHORIZATION state. A
     *     {@code RuntimeException} is answered like {@link StoreException.Kind#TEMPORARY}.
     */
    Maildrop open(String mailbox) throws StoreException;

    /**
     * Whether an operation of this store may block: wait on disk, network, a database or a lock held by others. The
     * server runs an operation that may block on a worker thread and one that never blocks on the connection's
     * network thread, which saves a thread hand-off per command (the in-memory store and local files). The default,
     * {@code true} for every operation, is always safe; answering {@code false} wrongly stalls every connection that
     * shares the network thread. A store whose {@link Operation#CONTENT} never blocks also lets the server read the
     * next message ahead of a client that retrieves its messages in order (the server builder's
     * {@code readAheadBuffers}): {@link Maildrop#content(MessageInfo)} is then called for a message before the client
     * asks for it, and sometimes for one it never asks for.
     *
     * @param operation the operation
     * @return {@code false} only if the operation never waits
     */
    default boolean mayBlock(Operation operation) {
        return true;
    }

    /**
     * Which times about messages this store's maildrops report, for a server's retention policy: a server whose
     * policy needs a time the store does not report refuses to be built (it would announce an {@code EXPIRE} it
     * cannot keep). The default, none, suits a store that implements neither {@link Maildrop#arrived} nor
     * {@link Maildrop#firstRetrieved}; such a store still supports a policy that removes retrieved messages at the
     * end of the session ({@code EXPIRE 0}), which needs no recorded time.
     *
     * @return the times its maildrops report; never {@code null}
     */
    default Set<MessageTime> messageTimes() {
        return Set.of();
    }

    /** A time that a store's maildrops may report about each message (see {@link #messageTimes()}). */
    enum MessageTime {
        /** {@link Maildrop#arrived(MessageInfo)}: when the message was delivered. */
        ARRIVAL,
        /**
         * {@link Maildrop#firstRetrieved(MessageInfo)}: when a session first retrieved it, recorded durably by
         * {@link Maildrop#update(java.util.Set, java.util.Set)}, and seen by every server that shares the store.
         */
        FIRST_RETRIEVAL
    }

    /** The groups of calls that {@link #mayBlock(Operation)} answers for. */
    enum Operation {
        /** {@link MailboxStore#open(String)} and {@link Maildrop#messages()}. */
        OPEN,
        /** {@link Maildrop#content(MessageInfo)}, reading the content and closing it. */
        CONTENT,
        /**
         * {@link Maildrop#update(java.util.Set, java.util.Set)}, {@link Maildrop#expire(java.util.Set)} and
         * {@link Maildrop#close()}. A maildrop may still say that its close, when no update ran, never blocks
         * ({@link Maildrop#closeMayBlock()}).
         */
        UPDATE
    }
}
