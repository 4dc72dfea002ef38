package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.testkit.store.MailboxStoreContract;
import dev.poplar.pop3.testkit.store.StoreUnderTest;
import org.junit.jupiter.api.extension.ExtendWith;

/** The PostgreSQL store against the storage contract of the test kit, each test on a schema of its own. */
@ExtendWith(PostgresExtension.class)
class JdbcStoreContractTest extends MailboxStoreContract {

    private final PostgresServer server;

    JdbcStoreContractTest(PostgresServer server) {
        this.server = server;
    }

    @Override
    protected StoreUnderTest createStore() throws Exception {
        TestSchema schema = new TestSchema(server);
        JdbcMailboxStore store = schema.store();
        return StoreUnderTest.of(store,
                (mailbox, uid) -> schema.execute("DELETE FROM " + schema.table("message") + " WHERE uid = ?", uid),
                schema);
    }
}
