package dev.poplar.pop3.testkit.store;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.MessageInfo;

import java.io.InputStream;
import java.util.Objects;

/** What {@link StoreUnderTest#of} makes: a store with a remover, and a seeder unless it is a delivery. */
final class SimpleStoreUnderTest implements StoreUnderTest {

    private final MailboxStore store;
    private final Seeder seeder;
    private final Remover remover;
    private final AutoCloseable closer;

    SimpleStoreUnderTest(MailboxStore store, Seeder seeder, Remover remover, AutoCloseable closer) {
        this.store = Objects.requireNonNull(store, "store");
        this.seeder = seeder;
        this.remover = Objects.requireNonNull(remover, "remover");
        this.closer = closer;
    }

    @Override
    public MailboxStore store() {
        return store;
    }

    @Override
    public MessageInfo seed(String mailbox, InputStream message) throws Exception {
        return seeder == null ? StoreUnderTest.super.seed(mailbox, message) : seeder.seed(mailbox, message);
    }

    @Override
    public void removeBehindTheStore(String mailbox, String uid) throws Exception {
        remover.remove(mailbox, uid);
    }

    @Override
    public void close() throws Exception {
        if (closer != null) {
            closer.close();
        }
    }
}
