package dev.poplar.pop3.spring.boot;

import dev.poplar.pop3.spring.boot.sample.MailApplication;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS from PEM files named in properties: STLS on the plain port, and a pop3s port. */
@SpringBootTest(classes = MailApplication.class, properties = {"poplar.port=0", "poplar.pop3s-port=0"})
class PemFilesTlsTest {

    static final DevCertificateAuthority CA = DevCertificateAuthority.create();

    @TempDir
    static Path files;

    @DynamicPropertySource
    static void certificateFiles(DynamicPropertyRegistry registry) throws IOException {
        Path chain = files.resolve("fullchain.pem");
        Path key = files.resolve("privkey.pem");
        CA.issue().writePem(chain, key);
        registry.add("poplar.tls.certificate", chain::toString);
        registry.add("poplar.tls.private-key", key::toString);
    }

    @Value("${local.poplar.port}")
    int port;

    @Value("${local.poplar.pop3s-port}")
    int pop3sPort;

    @Test
    void angusMailReadsOverPop3s() throws Exception {
        assertThat(AngusMail.fetchSubjects(AngusMail.properties("pop3s", pop3sPort, CA.clientSslContext()), "alice",
                "s3cret", false)).containsExactly("Your order, alice");
    }

    @Test
    void angusMailUpgradesWithStlsOnThePlainPort() throws Exception {
        assertThat(AngusMail.fetchSubjects(AngusMail.properties("pop3", port, CA.clientSslContext()), "bob", "b0b",
                false)).containsExactly("Your order, bob");
    }

    @Test
    void aClientTrustingAnotherAuthorityIsRefused() {
        assertThatThrownBy(() -> AngusMail.fetchSubjects(AngusMail.properties("pop3s", pop3sPort,
                DevCertificateAuthority.create().clientSslContext()), "carol", "c4rol", false))
                .isInstanceOf(MessagingException.class);
    }
}
