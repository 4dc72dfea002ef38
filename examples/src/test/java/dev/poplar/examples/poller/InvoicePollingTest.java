package dev.poplar.examples.poller;

import dev.poplar.pop3.testkit.Fault;
import dev.poplar.pop3.testkit.Pop3ServerExtension;
import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.testkit.TestMessages;
import dev.poplar.pop3.testkit.TlsMode;
import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

class InvoicePollingTest {

    @RegisterExtension
    final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
            .user("alice", "s3cret", TestMessages.text("Invoice 42", "EUR 10"))
            .tls(TlsMode.STARTTLS_REQUIRED)                  // STLS with a CA made for this server
            .build();

    final List<String> imported = new ArrayList<>();

    MailPoller poller(Pop3TestServer server) {
        return new MailPoller(server.jakartaMailProperties(), "alice", "s3cret",
                message -> imported.add(message.getSubject()));
    }

    @Test
    void importsTheInvoiceAndDeletesIt(Pop3TestServer server) throws Exception {
        poller(server).poll();

        assertThat(imported).containsExactly("Invoice 42");
        assertThat(server.mailbox("alice")).isEmpty();
        assertThat(server.takeSession(Duration.ofSeconds(5)))
                .issued("STLS", "RETR 1", "DELE 1").usedTls().quitCleanly();
    }

    @Test
    void aConnectionDroppedDuringRetrDeletesNothing(Pop3TestServer server) throws Exception {
        server.inject(Fault.on("RETR").once().dropAfter(100));

        assertThatThrownBy(poller(server)::poll).isInstanceOf(MessagingException.class);
        assertThat(server.mailbox("alice")).hasMessageCount(1).hasNothingDeleted();

        poller(server).poll();                               // the next poll gets it
        assertThat(imported).containsExactly("Invoice 42");
    }
}
