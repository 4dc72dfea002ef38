package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.testkit.store.MailboxStoreContract;
import dev.poplar.pop3.testkit.store.StoreUnderTest;

import java.io.IOException;
import java.nio.file.Files;

/** The Maildir store against the storage contract with its hold kept by record locks ({@link LockScope#PROCESSES}). */
class MaildirRecordLockContractTest extends MailboxStoreContract {

    @Override
    protected StoreUnderTest createStore() throws IOException {
        return MaildirStoreContractTest.maildirStore(
                MaildirStore.builder(Files.createTempDirectory("poplar-contract")).lockScope(LockScope.PROCESSES),
                false);
    }
}
