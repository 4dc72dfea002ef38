package dev.poplar.pop3.tls;

import static dev.poplar.pop3.tls.RecordingListener.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReloadTest {

    private final DevCertificateAuthority ca = DevCertificateAuthority.create();
    private final RecordingListener events = new RecordingListener();

    @TempDir
    Path dir;

    private Path chain;
    private Path key;

    @BeforeEach
    void writeFirstCertificate() throws Exception {
        chain = dir.resolve("fullchain.pem");
        key = dir.resolve("privkey.pem");
        ca.issue("first.test").writePem(chain, key);
    }

    private static String served(TlsTestClient client) throws Exception {
        return client.serverCertificate().getSubjectX500Principal().getName();
    }

    @Nested
    class WatchingTheFiles {

        private ServerTls watching(TlsProvider provider) throws TlsException {
            ServerTls tls = ServerTls.builder().pemFiles(chain, key).provider(provider)
                    .reloadInterval(Duration.ofMillis(20)).observer(events).build();
            assertThat(events.loaded.poll()).isNotNull();
            return tls;
        }

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void aNewConnectionGetsTheReplacedCertificateAndAnOpenOneGoesOn(TlsProvider provider) throws Exception {
            try (ServerTls tls = watching(provider); TlsTestServer server = TlsTestServer.start(tls.sslContext());
                    TlsTestClient before = TlsTestClient.connect(ca.clientSslContext(), server.port())) {
                assertThat(tls.watching()).isTrue();
                assertThat(served(before)).isEqualTo("CN=first.test");

                ca.issue("second.test").writePem(chain, key);
                assertThat(take(events.loaded, "reload").certificate().getSubjectX500Principal().getName())
                        .isEqualTo("CN=second.test");

                try (TlsTestClient after = TlsTestClient.connect(ca.clientSslContext(), server.port())) {
                    assertThat(served(after)).isEqualTo("CN=second.test");
                }
                assertThat(before.echo("NOOP")).isEqualTo("NOOP");
                assertThat(tls.sslContext()).isSameAs(tls.get());
            }
        }

        @Test
        void aBrokenReplacementKeepsTheOldCertificateAndSaysWhy() throws Exception {
            try (ServerTls tls = watching(TlsProvider.JDK);
                    TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                Files.writeString(key, "-----BEGIN PRIVATE KEY-----\ntruncated");
                TlsException problem = take(events.failed, "reload failure");
                assertThat(problem).hasMessageStartingWith(key.toString());
                assertThat(problem.file()).contains(key);

                assertThat(tls.keyMaterial().certificate().getSubjectX500Principal().getName())
                        .isEqualTo("CN=first.test");
                try (TlsTestClient after = TlsTestClient.connect(ca.clientSslContext(), server.port())) {
                    assertThat(served(after)).isEqualTo("CN=first.test");
                }
            }
        }

        @Test
        void aKeyFromAnotherCertificateIsNotServed() throws Exception {
            try (ServerTls tls = watching(TlsProvider.JDK)) {
                Path otherChain = dir.resolve("other-chain.pem");
                ca.issue("other.test").writePem(otherChain, key);
                assertThat(take(events.failed, "reload failure"))
                        .hasMessageContaining("does not match the certificate CN=first.test");
                assertThat(tls.keyMaterial().certificate().getSubjectX500Principal().getName())
                        .isEqualTo("CN=first.test");
            }
        }

        @Test
        void afterAFailureTheNextGoodFilesAreServed() throws Exception {
            try (ServerTls tls = watching(TlsProvider.JDK)) {
                Files.writeString(chain, "garbage");
                take(events.failed, "reload failure");
                ca.issue("third.test").writePem(chain, key);
                assertThat(take(events.loaded, "reload").certificate().getSubjectX500Principal().getName())
                        .isEqualTo("CN=third.test");
            }
        }

        /** Files that cannot be used yet (a certificate valid from a moment to come) are tried again, not given up. */
        @Test
        void filesThatCannotBeUsedYetAreTriedAgainUntilTheyCan() throws Exception {
            try (ServerTls tls = watching(TlsProvider.JDK)) {
                Fixtures.Authority authority = Fixtures.Authority.create("Later CA");
                KeyPair keys = Fixtures.ec();
                Instant notBefore = Instant.now().plusSeconds(3);
                Fixtures.writePkcs8(key, keys.getPrivate());
                Fixtures.writeCertificates(chain, authority.server(keys, "later.test", notBefore,
                        notBefore.plus(Duration.ofDays(30))), authority.certificate());

                take(events.failed, "the refusal of a certificate not valid yet");
                assertThat(tls.keyMaterial().certificate().getSubjectX500Principal().getName())
                        .isEqualTo("CN=first.test");
                assertThat(take(events.loaded, "the same files, served once valid").certificate()
                        .getSubjectX500Principal().getName()).isEqualTo("CN=later.test");
            }
        }

        @Test
        void closingStopsTheWatch() throws Exception {
            ServerTls tls = watching(TlsProvider.JDK);
            tls.close();
            assertThat(tls.watching()).isFalse();
            tls.close();
        }
    }

    @Nested
    class OnRequest {

        @Test
        void reloadServesChangedFilesWithoutAWatch() throws Exception {
            try (ServerTls tls = ServerTls.builder().pemFiles(chain, key).reloadInterval(Duration.ZERO).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                assertThat(tls.watching()).isFalse();
                ca.issue("second.test").writePem(chain, key);
                tls.reload();
                try (TlsTestClient after = TlsTestClient.connect(ca.clientSslContext(), server.port())) {
                    assertThat(served(after)).isEqualTo("CN=second.test");
                }
            }
        }

        @Test
        void aFailedReloadThrowsAndKeepsTheOldCertificate() throws Exception {
            try (ServerTls tls = ServerTls.builder().pemFiles(chain, key).reloadInterval(Duration.ZERO).build()) {
                Files.delete(key);
                assertThatThrownBy(tls::reload).isInstanceOf(TlsException.class)
                        .hasMessage(key + ": file does not exist");
                assertThat(tls.keyMaterial().certificate().getSubjectX500Principal().getName())
                        .isEqualTo("CN=first.test");
            }
        }

        @Test
        void aPkcs12FileIsReloadedToo() throws Exception {
            char[] password = "secret".toCharArray();
            Path p12 = dir.resolve("server.p12");
            KeyMaterial first = ca.issue("p12-first.test");
            Fixtures.writePkcs12(p12, first.privateKey(), password,
                    first.chain().toArray(java.security.cert.X509Certificate[]::new));
            try (ServerTls tls = ServerTls.builder().pkcs12File(p12, password).reloadInterval(Duration.ZERO)
                    .build()) {
                KeyMaterial second = ca.issue("p12-second.test");
                Fixtures.writePkcs12(p12, second.privateKey(), password,
                        second.chain().toArray(java.security.cert.X509Certificate[]::new));
                tls.reload();
                assertThat(tls.keyMaterial().certificate()).isEqualTo(second.certificate());
            }
        }
    }
}
