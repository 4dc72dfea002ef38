package dev.poplar.examples;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;

/** The embedding example shown in the README; a test checks that the README shows exactly this code and runs it. */
public final class EmbeddingExample {

    private EmbeddingExample() {
    }

    /**
     * Starts a server with one mailbox, as the README shows.
     *
     * @return the running server; the caller closes it
     * @throws IOException if the port cannot be bound
     */
    public static Pop3Server start() throws IOException {
        // README-BEGIN
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        store.add("alice", "From: shop@example.com\r\nSubject: Your order\r\n\r\nIt has shipped.\r\n");

        Pop3Server server = Pop3Server.builder()
                .store(store)                                               // your MailboxStore
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))  // your Authenticator
                .listener(Listener.plain("127.0.0.1", 0))                   // port 0: any free port
                .build();
        server.start();
        InetSocketAddress address = server.localAddress();                  // where clients connect
        // README-END
        System.out.println("POP3 server on " + address);
        return server;
    }
}
