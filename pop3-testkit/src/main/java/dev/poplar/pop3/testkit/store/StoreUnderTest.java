package dev.poplar.pop3.testkit.store;

import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.MessageInfo;

import java.io.InputStream;
import java.util.Objects;

/**
 * A fresh store for one test of {@link MailboxStoreContract}, with the means the contract needs to act on it from
 * outside the SPI: putting mail in, and taking mail away behind the store's back as another mail client would.
 *
 * <p>Made by {@link MailboxStoreContract#createStore()} once per test and closed after it.
 */
public interface StoreUnderTest extends AutoCloseable {

    /**
     * The store, empty when the test starts (mailboxes may exist, but hold no messages).
     *
     * @return the store
     */
    MailboxStore store();

    /**
     * Puts a message into a mailbox, as arriving mail: it must be in the next session's snapshot, never in one that
     * is open already. The default delivers it through {@link Delivery} and fails if the store has none.
     *
     * @param mailbox the mailbox name
     * @param message the octets, read to their end (possibly tens of MiB: do not hold them if the store need not)
     * @return the unique-id and POP3 size the store will list for it
     * @throws Exception if the message cannot be stored
     */
    default MessageInfo seed(String mailbox, InputStream message) throws Exception {
        if (store() instanceof Delivery delivery) {
            return delivery.deliver(mailbox, message);
        }
        throw new UnsupportedOperationException("the store is not a Delivery: override StoreUnderTest.seed");
    }

    /**
     * Removes a message behind the store's back, as another mail client of the same storage would (an IMAP client
     * expunging it), also while a session holds the mailbox.
     *
     * @param mailbox the mailbox name
     * @param uid the message's unique-id
     * @throws Exception if it cannot be removed
     */
    void removeBehindTheStore(String mailbox, String uid) throws Exception;

    /**
     * Makes the store unable to remove a message at the next {@code update}, if the test can arrange that (for
     * example by putting something in the way of the file); the message must stay readable. Used to check that partial
     * failure is reported. The default cannot.
     *
     * @param mailbox the mailbox name
     * @param uid the message's unique-id
     * @return {@code true} if removal will fail, {@code false} if this store offers no way (the contract then checks
     *     that every removal succeeds and is reported so)
     * @throws Exception if arranging it failed
     */
    default boolean preventRemoval(String mailbox, String uid) throws Exception {
        return false;
    }

    /**
     * Releases what the store holds (threads, files, connections). Called once after each test; the default does
     * nothing.
     *
     * @throws Exception if closing fails
     */
    @Override
    default void close() throws Exception {
    }

    /** Removes a message behind a store's back; see {@link StoreUnderTest#removeBehindTheStore(String, String)}. */
    @FunctionalInterface
    interface Remover {
        /**
         * Removes the message.
         *
         * @param mailbox the mailbox name
         * @param uid the message's unique-id
         * @throws Exception if it cannot be removed
         */
        void remove(String mailbox, String uid) throws Exception;
    }

    /** Puts a message into a store that is not a {@link Delivery}; see {@link StoreUnderTest#seed}. */
    @FunctionalInterface
    interface Seeder {
        /**
         * Stores the message.
         *
         * @param mailbox the mailbox name
         * @param message the octets
         * @return its unique-id and POP3 size
         * @throws Exception if it cannot be stored
         */
        MessageInfo seed(String mailbox, InputStream message) throws Exception;
    }

    /**
     * A store that is a {@link Delivery}: seeding delivers.
     *
     * @param store the store
     * @param remover how to remove a message behind its back
     * @param closer what to close after the test, or {@code null}
     * @return the store under test
     */
    static StoreUnderTest of(MailboxStore store, Remover remover, AutoCloseable closer) {
        return new SimpleStoreUnderTest(store, null, remover, closer);
    }

    /**
     * A store with its own way of seeding.
     *
     * @param store the store
     * @param seeder how to put a message in
     * @param remover how to remove a message behind its back
     * @param closer what to close after the test, or {@code null}
     * @return the store under test
     */
    static StoreUnderTest of(MailboxStore store, Seeder seeder, Remover remover, AutoCloseable closer) {
        return new SimpleStoreUnderTest(store, Objects.requireNonNull(seeder, "seeder"), remover, closer);
    }
}
