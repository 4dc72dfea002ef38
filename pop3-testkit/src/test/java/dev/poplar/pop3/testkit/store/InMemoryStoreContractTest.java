package dev.poplar.pop3.testkit.store;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

/** Poplar's in-memory store against the storage contract. */
class InMemoryStoreContractTest extends MailboxStoreContract {

    @Override
    protected StoreUnderTest createStore() {
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        return StoreUnderTest.of(store, (mailbox, uid) -> {
            if (!store.remove(mailbox, uid)) {
                throw new IllegalStateException("no message " + uid + " in " + mailbox);
            }
        }, null);
    }
}
