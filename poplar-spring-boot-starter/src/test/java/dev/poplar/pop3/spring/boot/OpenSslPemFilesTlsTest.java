package dev.poplar.pop3.spring.boot;

import dev.poplar.pop3.spring.boot.internal.TlsContexts;
import dev.poplar.pop3.spring.boot.sample.MailApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The tests of {@link PemFilesTlsTest} again with {@code poplar.tls.provider=openssl}. */
@SpringBootTest(classes = MailApplication.class,
        properties = {"poplar.port=0", "poplar.pop3s-port=0", "poplar.tls.provider=openssl"})
class OpenSslPemFilesTlsTest extends PemFilesTlsTest {

    @Autowired
    TlsContexts contexts;

    @Test
    void theServersContextRunsOnOpenssl() {
        assertThat(contexts.get().getProvider().getName()).isEqualTo("PoplarOpenSSL");
    }
}
