package dev.poplar.pop3.server;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void aClientCanLogInListAndRetrieve() throws Exception {
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        store.add("alice", "Subject: hi\n\nHello\n.dot line\n");
        try (Pop3Server server = TestServers.start(TestServers.builder(store));
             WireClient client = WireClient.connect(server)) {
            assertThat(client.greeting()).startsWith("+OK Poplar POP3 server ready");
            assertThat(client.login("alice", "s3cret")).isEqualTo("+OK maildrop has 1 message (33 octets)");
            assertThat(client.send("STAT")).isEqualTo("+OK 1 33");
            assertThat(client.send("LIST")).startsWith("+OK");
            assertThat(client.lines()).containsExactly("1 33");
            assertThat(client.send("RETR 1")).isEqualTo("+OK 33 octets");
            assertThat(new String(client.body())).isEqualTo("Subject: hi\r\n\r\nHello\r\n.dot line\r\n");
            assertThat(client.send("QUIT")).startsWith("+OK");
        }
    }
}
