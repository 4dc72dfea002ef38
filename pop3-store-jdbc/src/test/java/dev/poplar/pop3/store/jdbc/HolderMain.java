package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.Maildrop;

import java.io.OutputStream;
import java.time.Duration;

/**
 * A server node in a process of its own that holds one mailbox: prints {@code HELD <messages>} once it holds it, and
 * releases it and ends when its standard input ends. Arguments: JDBC URL, schema, mailbox, hold lease and heartbeat in
 * milliseconds.
 */
public final class HolderMain {

    private HolderMain() {
    }

    /**
     * Runs the node.
     *
     * @param args URL, schema, mailbox, lease millis, heartbeat millis
     * @throws Exception if the mailbox cannot be held
     */
    public static void main(String[] args) throws Exception {
        try (JdbcMailboxStore store = JdbcMailboxStore.builder(args[0], PostgresServer.SUPERUSER, "")
                .schema(args[1])
                .poolSize(2)
                .connectionTimeout(Duration.ofSeconds(30))
                .statementTimeout(Duration.ofSeconds(30))
                .nodeName("holder-" + ProcessHandle.current().pid())
                .holdLease(Duration.ofMillis(Long.parseLong(args[3])))
                .heartbeat(Duration.ofMillis(Long.parseLong(args[4])))
                .build();
             Maildrop maildrop = store.open(args[2])) {
            System.out.println("HELD " + maildrop.messages().size());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
