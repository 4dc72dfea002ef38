package dev.poplar.pop3.spring.boot.test;

import dev.poplar.pop3.spring.boot.test.sample.InvoiceApplication;
import dev.poplar.pop3.spring.boot.test.sample.InvoiceImporter;
import dev.poplar.pop3.testkit.Fault;
import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.testkit.TestMessages;
import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import java.time.Duration;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** A Boot application's POP3 client against the test server, configured through the environment. */
@SpringBootTest(classes = InvoiceApplication.class, properties = {"invoices.pop3.host=${poplar.test.host}", "invoices.pop3.port=${poplar.test.port}",
        "invoices.pop3.user=alice", "invoices.pop3.password=s3cret"})
@EnablePop3TestServer(users = "alice:s3cret")
@Execution(ExecutionMode.SAME_THREAD)
class InvoiceImportTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    Pop3TestServer pop3;

    @Autowired
    InvoiceImporter importer;

    @Test
    void importsTheInvoicesAndDeletesThem() throws Exception {
        pop3.deliver("alice", TestMessages.text("Invoice 42", "EUR 10"), TestMessages.text("Invoice 43", "EUR 12"));

        assertThat(importer.importAll()).containsExactly("Invoice 42", "Invoice 43");

        assertThat(pop3.mailbox("alice")).isEmpty();
        assertThat(pop3.takeSession(WAIT)).loggedInAs("alice").issued("RETR 1", "RETR 2", "DELE 1", "DELE 2")
                .quitCleanly();
    }

    @Test
    void aConnectionDroppedDuringRetrDeletesNothingAndTheNextRunImports() throws Exception {
        pop3.deliver("alice", TestMessages.text("Invoice 44", "EUR 14"));
        pop3.inject(Fault.on("RETR").once().dropAfter(20));

        assertThatThrownBy(importer::importAll).isInstanceOf(MessagingException.class);
        assertThat(pop3.mailbox("alice")).hasMessageCount(1);
        assertThat(pop3.takeSession(WAIT)).didNotIssue("DELE 1");

        assertThat(importer.importAll()).containsExactly("Invoice 44");
        assertThat(pop3.takeSession(WAIT)).quitCleanly();
    }

    @Test
    void theServerIsABeanAndItsAddressIsInTheEnvironment(@Value("${poplar.test.host}") String host,
                                                         @Value("${poplar.test.port}") int port) {
        assertThat(host).isEqualTo("127.0.0.1").isEqualTo(pop3.host());
        assertThat(port).isEqualTo(pop3.port()).isPositive();
    }
}
