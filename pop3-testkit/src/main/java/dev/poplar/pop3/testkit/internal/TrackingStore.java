package dev.poplar.pop3.testkit.internal;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The test server's store: an {@link InMemoryMailboxStore} whose maildrops report to the {@link Journal} when they
 * are opened (with the snapshot that numbers the session's messages) and released.
 *
 * <p>A mailbox held by a session is waited for, up to a grace period, before {@code [IN-USE]} is answered: a client
 * that reconnects at once after its connection was dropped would otherwise race the server's clean-up of the old
 * session. A mailbox {@linkplain #hold(String) held by a test} answers {@code [IN-USE]} at once.
 */
public final class TrackingStore implements MailboxStore {

    private final InMemoryMailboxStore inner;
    private final Journal journal;
    private final Duration lockGrace;
    private final boolean expireRetrieved;

    /**
     * Creates the store.
     *
     * @param inner where the messages are
     * @param journal what is told about opens and releases
     * @param lockGrace how long to wait for a mailbox held by another session
     * @param expireRetrieved whether retrieved messages are removed at {@code QUIT} ({@code EXPIRE 0})
     */
    public TrackingStore(InMemoryMailboxStore inner, Journal journal, Duration lockGrace, boolean expireRetrieved) {
        this.inner = inner;
        this.journal = journal;
        this.lockGrace = lockGrace;
        this.expireRetrieved = expireRetrieved;
    }

    @Override
    public Maildrop open(String mailbox) throws StoreException {
        long deadline = System.nanoTime() + lockGrace.toNanos();
        while (true) {
            if (journal.heldByTest(mailbox)) {
                throw new StoreException(StoreException.Kind.IN_USE, "mailbox " + mailbox + " is held by the test");
            }
            try {
                Maildrop maildrop = inner.open(mailbox);
                journal.opened(mailbox, maildrop.messages());
                return new Tracked(mailbox, maildrop);
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.IN_USE || !journal.awaitRelease(mailbox, deadline)) {
                    throw e;
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code true} for {@link Operation#OPEN}, which may wait out the grace period for a mailbox another
     *     session still holds; otherwise the in-memory store's answer ({@code false}: content and updates work on
     *     memory, and a release only wakes waiters)
     */
    @Override
    public boolean mayBlock(Operation operation) {
        return operation == Operation.OPEN || inner.mayBlock(operation);
    }

    /** @return the in-memory store's: arrival and first retrieval */
    @Override
    public Set<MessageTime> messageTimes() {
        return inner.messageTimes();
    }

    /**
     * Takes the mailbox's lock for the test, waiting up to the grace period for a session to release it.
     *
     * @param mailbox the mailbox
     * @return releases the lock when run
     * @throws IllegalStateException if a session still holds it after the grace period
     */
    public Runnable hold(String mailbox) {
        long deadline = System.nanoTime() + lockGrace.toNanos();
        while (true) {
            try {
                Maildrop maildrop = inner.open(mailbox);
                journal.heldByTest(mailbox, true);
                return () -> {
                    journal.heldByTest(mailbox, false);
                    maildrop.close();
                };
            } catch (StoreException e) {
                if (!journal.awaitRelease(mailbox, deadline)) {
                    throw new IllegalStateException("mailbox " + mailbox + " is held by a session or the test", e);
                }
            }
        }
    }

    /** A maildrop that reports its release and, with {@code EXPIRE 0}, removes what was retrieved. */
    private final class Tracked implements Maildrop {
        private final String mailbox;
        private final Maildrop maildrop;
        private boolean closed;

        Tracked(String mailbox, Maildrop maildrop) {
            this.mailbox = mailbox;
            this.maildrop = maildrop;
        }

        @Override
        public List<MessageInfo> messages() {
            return maildrop.messages();
        }

        @Override
        public MessageContent content(MessageInfo message) throws StoreException {
            return maildrop.content(message);
        }

        @Override
        public Optional<Instant> arrived(MessageInfo message) {
            return maildrop.arrived(message);
        }

        @Override
        public Optional<Instant> firstRetrieved(MessageInfo message) {
            return maildrop.firstRetrieved(message);
        }

        @Override
        public UpdateResult expire(Set<MessageInfo> expired) throws StoreException {
            return maildrop.expire(expired);
        }

        @Override
        public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved) throws StoreException {
            if (!expireRetrieved) {
                return maildrop.update(deleted, retrieved);
            }
            // RFC 2449 section 6.7, EXPIRE 0: retrieved messages go at the end of the session.
            Set<MessageInfo> gone = new LinkedHashSet<>(deleted);
            gone.addAll(retrieved);
            UpdateResult result = maildrop.update(gone, Set.of());
            Set<MessageInfo> kept = new LinkedHashSet<>(result.notRemoved());
            kept.retainAll(deleted);
            return UpdateResult.partial(kept);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                maildrop.close();
                journal.released(mailbox);
            }
        }
    }
}
