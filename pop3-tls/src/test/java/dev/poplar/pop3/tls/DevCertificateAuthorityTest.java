package dev.poplar.pop3.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poplar.pop3.tls.Fixtures.Authority;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertificateAuthorityTest {

    private final DevCertificateAuthority ca = DevCertificateAuthority.create();

    private static List<Object> alternativeNames(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(entry -> (Object) entry.get(1)).toList();
    }

    @Nested
    class Issuing {

        @Test
        void aServerCertificateNamesTheLoopbackAndTheAskedNames() throws Exception {
            KeyMaterial material = ca.issue("mail.test", "*.pop.test", "192.0.2.7");
            X509Certificate leaf = material.certificate();
            assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=mail.test");
            assertThat(alternativeNames(leaf)).containsExactly("mail.test", "*.pop.test", "192.0.2.7",
                    "localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
            assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
            assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
            assertThat(material.chain()).containsExactly(leaf, ca.certificate());
            leaf.verify(ca.certificate().getPublicKey());
        }

        @Test
        void withoutNamesTheCertificateIsForLocalhost() throws Exception {
            X509Certificate leaf = ca.issue().certificate();
            assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
            assertThat(alternativeNames(leaf)).containsExactly("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
        }

        @Test
        void certificatesAreValidForNinetyDaysUnlessAsked() {
            Instant now = Instant.now();
            assertThat(ca.issue().notAfter()).isBetween(now.plus(Duration.ofDays(90)).minusSeconds(5),
                    now.plus(Duration.ofDays(90)).plusSeconds(5));
            assertThat(ca.issue(Duration.ofHours(1)).notAfter()).isBefore(now.plus(Duration.ofHours(2)));
        }

        @Test
        void theAuthorityIsACaWithItsOwnName() {
            X509Certificate authority = ca.certificate();
            assertThat(authority.getBasicConstraints()).isZero();
            assertThat(authority.getSubjectX500Principal()).isEqualTo(authority.getIssuerX500Principal());
            assertThat(authority.getSubjectX500Principal().getName())
                    .startsWith("CN=Poplar Development CA ")
                    .isNotEqualTo(DevCertificateAuthority.create().certificate().getSubjectX500Principal()
                            .getName());
        }

        @Test
        void aClientCertificateIsForClientAuthentication() throws Exception {
            X509Certificate client = ca.issueClient("alice").certificate();
            assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=alice");
            assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        }

        @Test
        void badNamesAndValiditiesAreRefused() {
            assertThatThrownBy(() -> ca.issue("mail test")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'mail test'");
            assertThatThrownBy(() -> ca.issue(" ")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ca.issue(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("validity");
            assertThatThrownBy(() -> ca.issue(Duration.ofDays(400))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outlives this authority");
            assertThatThrownBy(() -> ca.issueClient("")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Exporting {

        @Test
        void thePemIsTheAuthoritysCertificate() throws Exception {
            X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(ca.caPem().getBytes(StandardCharsets.US_ASCII)));
            assertThat(parsed).isEqualTo(ca.certificate());
            assertThat(ca.caPem()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        }

        @Test
        void aClientTrustingTheWrittenPemConnects(@TempDir Path dir) throws Exception {
            Path caFile = dir.resolve("ca.pem");
            ca.writeCaPem(caFile);
            SSLContext client = ClientTls.builder().trustedCas(caFile).build();
            try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext());
                    TlsTestClient connection = TlsTestClient.connect(client, server.port())) {
                assertThat(connection.greeting()).isEqualTo("+OK 1");
            }
        }
    }

    @Nested
    class ClientContexts {

        @Test
        void theClientContextConnectsByNameAndByAddress() throws Exception {
            try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                for (String host : List.of("localhost", "127.0.0.1")) {
                    try (TlsTestClient connection = TlsTestClient.connect(ca.clientSslContext(), host,
                            server.port(), socket -> { })) {
                        assertThat(connection.greeting()).as(host).startsWith("+OK");
                    }
                }
            }
        }

        @Test
        void aClientOfAnotherAuthorityDoesNotTrustThisOne() throws Exception {
            try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                SSLContext stranger = DevCertificateAuthority.create().clientSslContext();
                assertThatThrownBy(() -> TlsTestClient.connect(stranger, server.port()))
                        .isInstanceOf(SSLHandshakeException.class);
            }
        }

        @Test
        void theHostNameIsChecked() throws Exception {
            Authority authority = Authority.create("Names CA");
            KeyPair keys = Fixtures.ec();
            Instant now = Instant.now();
            KeyMaterial elsewhere = KeyMaterial.of(keys.getPrivate(), List.of(authority.server(keys, "elsewhere",
                    List.of("mail.elsewhere.test"), now.minusSeconds(60), now.plus(Duration.ofDays(1)))));
            ClientTls.Builder client = ClientTls.builder().trustedCas(List.of(authority.certificate()));
            try (ServerTls tls = ServerTls.builder().keyMaterial(elsewhere).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                assertThatThrownBy(() -> TlsTestClient.connect(client.build(), server.port()))
                        .isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("localhost");
                try (TlsTestClient connection = TlsTestClient.connect(client.hostnameVerification(false).build(),
                        server.port())) {
                    assertThat(connection.greeting()).isEqualTo("+OK 2");
                }
            }
        }
    }
}
