package dev.poplar.pop3.spring.boot.test;

import dev.poplar.pop3.spring.boot.test.sample.InvoiceApplication;
import dev.poplar.pop3.spring.boot.test.sample.InvoiceImporter;
import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.testkit.TestMessages;
import dev.poplar.pop3.testkit.TlsMode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.time.Duration;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;

/** pop3s: the application trusts the test server's authority through a Spring Boot SSL bundle of its own. */
@SpringBootTest(classes = InvoiceApplication.class, properties = {"invoices.pop3.protocol=pop3s", "invoices.pop3.host=${poplar.test.host}",
        "invoices.pop3.port=${poplar.test.pop3s-port}", "invoices.pop3.user=bob", "invoices.pop3.password=b0b",
        "invoices.pop3.ssl-bundle=invoices",
        "spring.ssl.bundle.pem.invoices.truststore.certificate=file:${poplar.test.ca-file}"})
@EnablePop3TestServer(users = "bob:b0b", tls = TlsMode.IMPLICIT)
class InvoiceImportOverTlsTest {

    @Autowired
    Pop3TestServer pop3;

    @Autowired
    InvoiceImporter importer;

    @Test
    void importsOverPop3sTrustingTheTestAuthority() throws Exception {
        pop3.deliver("bob", TestMessages.text("Invoice 7", "EUR 70"));

        assertThat(importer.importAll()).containsExactly("Invoice 7");
        assertThat(pop3.takeSession(Duration.ofSeconds(10))).usedTls().quitCleanly();
    }
}
