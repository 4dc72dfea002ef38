package dev.poplar.pop3.server.interop;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Await;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Jakarta Mail (Angus Mail, provider {@code pop3}) reads and deletes mail from Poplar exactly. */
class AngusMailInteropTest {

    @Test
    void readsEveryMessageByteForByteAndDeletesOnClose() throws Exception {
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        List<byte[]> stored = new ArrayList<>(TrickyMessages.stored().values());
        List<MessageInfo> infos = new ArrayList<>();
        stored.forEach(m -> infos.add(store.add("alice", m)));
        try (Pop3Server server = Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))
                .shutdownGracePeriod(Duration.ofMillis(100)).build()) {
            server.start();
            Properties props = new Properties();
            props.put("mail.pop3.connectiontimeout", "5000");
            props.put("mail.pop3.timeout", "10000");
            Session session = Session.getInstance(props);
            Store pop3 = session.getStore("pop3");
            pop3.connect(server.localAddress().getHostString(), server.localAddress().getPort(), "alice", "s3cret");
            Folder inbox = pop3.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] messages = inbox.getMessages();
            assertThat(messages).hasSize(stored.size());
            for (int i = 0; i < messages.length; i++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                messages[i].writeTo(out);
                assertThat(out.toByteArray()).as("message %d", i + 1)
                        .isEqualTo(TrickyMessages.received(stored.get(i)));
                assertThat(((POP3Folder) inbox).getUID(messages[i])).isEqualTo(infos.get(i).uid());
            }
            assertThat(messages[4].getSubject()).isEqualTo("Grüße");
            messages[0].setFlag(Flags.Flag.DELETED, true);
            messages[6].setFlag(Flags.Flag.DELETED, true);
            inbox.close(true);
            pop3.close();
            Await.until("alice's mailbox released", () -> !store.isLocked("alice"), java.time.Duration.ofSeconds(5));
            assertThat(store.messages("alice")).containsExactlyElementsOf(infos.subList(1, 6));
        }
    }
}
