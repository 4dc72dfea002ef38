package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.testkit.store.MailboxStoreContract;
import dev.poplar.pop3.testkit.store.StoreUnderTest;

import java.io.IOException;
import java.nio.file.Files;

/** The Maildir store against the storage contract with its hold kept in memory ({@link LockScope#STORE}). */
class MaildirInMemoryHoldContractTest extends MailboxStoreContract {

    @Override
    protected StoreUnderTest createStore() throws IOException {
        return MaildirStoreContractTest.maildirStore(
                MaildirStore.builder(Files.createTempDirectory("poplar-contract")).lockScope(LockScope.STORE), false);
    }
}
