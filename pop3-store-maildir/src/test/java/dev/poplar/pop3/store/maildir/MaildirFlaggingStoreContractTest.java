package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.testkit.store.MailboxStoreContract;
import dev.poplar.pop3.testkit.store.StoreUnderTest;

import java.io.IOException;
import java.nio.file.Files;

/**
 * The Maildir store against the storage contract with deleted messages flagged {@code T} instead of unlinked; here a
 * removal can be made to fail, so partial failure is checked too.
 */
class MaildirFlaggingStoreContractTest extends MailboxStoreContract {

    @Override
    protected StoreUnderTest createStore() throws IOException {
        return MaildirStoreContractTest.maildirStore(MaildirStore.builder(Files.createTempDirectory("poplar-contract")),
                true);
    }

    @Override
    protected long largeMessageSize() {
        return 8L << 20;
    }
}
