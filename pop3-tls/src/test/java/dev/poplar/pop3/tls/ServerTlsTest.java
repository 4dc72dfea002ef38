package dev.poplar.pop3.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poplar.pop3.tls.Fixtures.Authority;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ServerTlsTest {

    private final DevCertificateAuthority ca = DevCertificateAuthority.create();

    private ServerTls serverTls(TlsProvider provider) throws TlsException {
        return ServerTls.builder().keyMaterial(ca.issue()).provider(provider).build();
    }

    @Nested
    class Policy {

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void aTls13ClientConnects(TlsProvider provider) throws Exception {
            try (ServerTls tls = serverTls(provider); TlsTestServer server = TlsTestServer.start(tls.sslContext());
                    TlsTestClient client = TlsTestClient.connect(ca.clientSslContext(), server.port())) {
                assertThat(client.greeting()).isEqualTo("+OK 1");
                assertThat(client.session().getProtocol()).isEqualTo("TLSv1.3");
                assertThat(client.echo("CAPA")).isEqualTo("CAPA");
            }
        }

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void aClientLimitedToTls12Connects(TlsProvider provider) throws Exception {
            try (ServerTls tls = serverTls(provider); TlsTestServer server = TlsTestServer.start(tls.sslContext());
                    TlsTestClient client = TlsTestClient.connect(ca.clientSslContext(), "localhost", server.port(),
                            s -> s.setEnabledProtocols(new String[] {"TLSv1.2"}))) {
                assertThat(client.session().getProtocol()).isEqualTo("TLSv1.2");
                assertThat(client.session().getCipherSuite()).startsWith("TLS_ECDHE_ECDSA_WITH_AES_256_GCM");
            }
        }

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void aClientLimitedToTls11IsRefused(TlsProvider provider) throws Exception {
            try (ServerTls tls = serverTls(provider); TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                assertThatThrownBy(() -> RawTlsClient.connect(server.port(), ProtocolVersion.TLSv11,
                        NamedGroup.x25519, NamedGroup.secp256r1))
                        .isInstanceOf(TlsFatalAlertReceived.class)
                        .hasMessageContaining("protocol_version");
                assertThat(server.takeFailure()).isInstanceOf(IOException.class);
            }
        }

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void theSameRawClientOfferingTls12IsServed(TlsProvider provider) throws Exception {
            try (ServerTls tls = serverTls(provider); TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                RawTlsClient.Negotiated negotiated = RawTlsClient.connect(server.port(), ProtocolVersion.TLSv12,
                        NamedGroup.x25519, NamedGroup.secp256r1);
                assertThat(negotiated.version()).isEqualTo(ProtocolVersion.TLSv12);
                assertThat(negotiated.greeting()).isEqualTo("+OK 1");
            }
        }

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void enginesStartAsServersWithThePolicy(TlsProvider provider) throws Exception {
            try (ServerTls tls = serverTls(provider)) {
                SSLEngine engine = tls.get().createSSLEngine("client.example", 51000);
                assertThat(engine.getUseClientMode()).isFalse();
                // Netty's OpenSSL engine always lists the SSLv2Hello pseudo-protocol, which BoringSSL never accepts.
                assertThat(engine.getEnabledProtocols()).filteredOn(p -> !p.equals("SSLv2Hello"))
                        .containsExactly("TLSv1.3", "TLSv1.2");
                assertThat(engine.getEnabledCipherSuites()).isNotEmpty()
                        .allSatisfy(suite -> assertThat(suite).matches("TLS_(AES|CHACHA20|ECDHE_).*"))
                        .noneMatch(suite -> suite.contains("CBC") || suite.startsWith("TLS_RSA_"));
                assertThat(engine.getSSLParameters().getUseCipherSuitesOrder()).isTrue();
            }
        }

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void theDefaultParametersAreThePolicy(TlsProvider provider) throws Exception {
            try (ServerTls tls = serverTls(provider)) {
                SSLParameters defaults = tls.sslContext().getDefaultSSLParameters();
                assertThat(defaults.getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
                assertThat(defaults.getUseCipherSuitesOrder()).isTrue();
            }
        }

        @Test
        void anOpenSslContextMakesEnginesOnlyAndServesServersOnly() throws Exception {
            try (ServerTls tls = serverTls(TlsProvider.OPENSSL)) {
                assertThat(tls.sslContext().getProvider().getName()).isEqualTo("PoplarOpenSSL");
                assertThat(tls.sslContext().createSSLEngine().getClass().getName()).contains("OpenSsl");
                assertThatThrownBy(() -> tls.sslContext().getServerSocketFactory())
                        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("SSLEngines only");
            }
            assertThatThrownBy(() -> ClientTls.builder().provider(TlsProvider.OPENSSL))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server contexts only");
        }

        @Test
        void theContextCannotBeInitialisedAgain() throws Exception {
            try (ServerTls tls = serverTls(TlsProvider.JDK)) {
                assertThatThrownBy(() -> tls.sslContext().init(null, null, null))
                        .hasMessageContaining("already initialised");
            }
        }
    }

    @Nested
    class KeyTypes {

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void rsaEcAndEd25519KeysAllServeTls13OrOpenSslRefusesEd25519AtOnce(TlsProvider provider, @TempDir Path dir) throws Exception {
            Authority authority = Authority.create("Key types CA");
            SSLContext client = ClientTls.builder().trustedCas(List.of(authority.certificate())).build();
            for (KeyPair keys : List.of(Fixtures.rsa(), Fixtures.ec(), Fixtures.ed25519())) {
                String algorithm = keys.getPrivate().getAlgorithm();
                KeyMaterial material = KeyMaterial.of(keys.getPrivate(),
                        List.of(authority.server(keys, algorithm + " server")));
                if (provider == TlsProvider.OPENSSL && !List.of("RSA", "EC").contains(algorithm)) {
                    assertThatThrownBy(() -> ServerTls.builder().keyMaterial(material).provider(provider).build())
                            .isInstanceOf(TlsException.class)
                            .hasMessageContaining("TlsProvider.OPENSSL serves RSA and EC keys only, not " + algorithm);
                    continue;
                }
                try (ServerTls tls = ServerTls.builder().keyMaterial(material).provider(provider).build();
                        TlsTestServer server = TlsTestServer.start(tls.sslContext());
                        TlsTestClient connection = TlsTestClient.connect(client, server.port())) {
                    assertThat(connection.serverCertificate().getSubjectX500Principal().getName())
                            .as(algorithm).isEqualTo("CN=" + algorithm + " server");
                }
            }
        }

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void rsaAndEcKeysServeTls12(TlsProvider provider) throws Exception {
            Authority authority = Authority.create("TLS 1.2 CA");
            SSLContext client = ClientTls.builder().trustedCas(List.of(authority.certificate())).build();
            for (KeyPair keys : List.of(Fixtures.rsa(), Fixtures.ec())) {
                String algorithm = keys.getPrivate().getAlgorithm();
                KeyMaterial material = KeyMaterial.of(keys.getPrivate(),
                        List.of(authority.server(keys, algorithm + " server")));
                if (provider == TlsProvider.OPENSSL && !List.of("RSA", "EC").contains(algorithm)) {
                    assertThatThrownBy(() -> ServerTls.builder().keyMaterial(material).provider(provider).build())
                            .isInstanceOf(TlsException.class)
                            .hasMessageContaining("TlsProvider.OPENSSL serves RSA and EC keys only, not " + algorithm);
                    continue;
                }
                try (ServerTls tls = ServerTls.builder().keyMaterial(material).provider(provider).build();
                        TlsTestServer server = TlsTestServer.start(tls.sslContext());
                        TlsTestClient connection = TlsTestClient.connect(client, "localhost", server.port(),
                                s -> s.setEnabledProtocols(new String[] {"TLSv1.2"}))) {
                    assertThat(connection.session().getProtocol()).as(algorithm).isEqualTo("TLSv1.2");
                    assertThat(connection.session().getCipherSuite()).as(algorithm)
                            .contains(algorithm.equals("RSA") ? "ECDHE_RSA" : "ECDHE_ECDSA");
                }
            }
        }

        @Test
        void aChainWithAnIntermediateIsServedWhole() throws Exception {
            Authority root = Authority.create("Root CA");
            Authority intermediate = root.intermediate("Intermediate CA");
            KeyPair keys = Fixtures.ec();
            KeyMaterial material = KeyMaterial.of(keys.getPrivate(),
                    List.of(intermediate.server(keys, "leaf"), intermediate.certificate()));
            SSLContext client = ClientTls.builder().trustedCas(List.of(root.certificate())).build();
            try (ServerTls tls = ServerTls.builder().keyMaterial(material).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext());
                    TlsTestClient connection = TlsTestClient.connect(client, server.port())) {
                assertThat(connection.session().getPeerCertificates()).hasSize(2);
            }
        }
    }

    @Nested
    class ClientCertificates {

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void aClientWithACertificateFromATrustedCaIsAccepted(TlsProvider provider) throws Exception {
            DevCertificateAuthority clientCa = DevCertificateAuthority.create();
            SSLContext client = ca.clientTls().identity(clientCa.issueClient("alice")).build();
            try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).provider(provider)
                    .trustedClientCas(List.of(clientCa.certificate())).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext(), s -> s.setNeedClientAuth(true));
                    TlsTestClient connection = TlsTestClient.connect(client, server.port())) {
                assertThat(connection.greeting()).isEqualTo("+OK 1");
                assertThat(server.takeSession().getPeerPrincipal().getName()).isEqualTo("CN=alice");
            }
        }

        @ParameterizedTest
        @EnumSource(TlsProvider.class)
        void aClientCertificateFromAnotherCaIsRefused(TlsProvider provider) throws Exception {
            DevCertificateAuthority trusted = DevCertificateAuthority.create();
            DevCertificateAuthority other = DevCertificateAuthority.create();
            SSLContext client = ca.clientTls().identity(other.issueClient("mallory")).build();
            try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).provider(provider)
                    .trustedClientCas(List.of(trusted.certificate())).build()) {
                assertClientIsRefused(tls, client);
            }
        }

        @Test
        void withoutTrustedCasNoClientCertificateIsAccepted() throws Exception {
            SSLContext client = ca.clientTls().identity(ca.issueClient("alice")).build();
            try (ServerTls tls = serverTls(TlsProvider.JDK)) {
                assertClientIsRefused(tls, client);
            }
        }

        private void assertClientIsRefused(ServerTls tls, SSLContext client) throws Exception {
            try (TlsTestServer server = TlsTestServer.start(tls.sslContext(), s -> s.setNeedClientAuth(true))) {
                assertThatThrownBy(() -> {
                    try (TlsTestClient connection = TlsTestClient.connect(client, server.port())) {
                        connection.echo("STAT");
                    }
                }).isInstanceOf(IOException.class);
                assertThat(server.takeFailure()).isInstanceOf(IOException.class);
            }
        }

        @Test
        void trustedClientCasCanComeFromAPemFile(@TempDir Path dir) throws Exception {
            DevCertificateAuthority clientCa = DevCertificateAuthority.create();
            Path caFile = dir.resolve("client-ca.pem");
            clientCa.writeCaPem(caFile);
            SSLContext client = ca.clientTls().identity(clientCa.issueClient("bob")).build();
            try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).trustedClientCas(caFile).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext(), s -> s.setWantClientAuth(true));
                    TlsTestClient connection = TlsTestClient.connect(client, server.port())) {
                assertThat(server.takeSession().getPeerPrincipal().getName()).isEqualTo("CN=bob");
            }
        }
    }

    @Nested
    class Builder {

        @Test
        void withoutKeyMaterialBuildNamesTheSettings() {
            assertThatThrownBy(() -> ServerTls.builder().build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("keyMaterial, pemFiles or pkcs12File");
        }

        @Test
        void twoSourcesOfKeyMaterialAreRefused() {
            assertThatThrownBy(() -> ServerTls.builder().keyMaterial(ca.issue())
                    .pemFiles(Path.of("a.pem"), Path.of("b.pem")).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("keyMaterial and pemFiles");
        }

        @Test
        void postQuantumHybridNeedsBouncyCastle() {
            assertThatThrownBy(() -> ServerTls.builder().keyMaterial(ca.issue()).postQuantumHybrid(true).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("postQuantumHybrid").hasMessageContaining("BOUNCY_CASTLE");
        }

        @Test
        void aNegativeReloadIntervalIsRefused() {
            assertThatThrownBy(() -> ServerTls.builder().keyMaterial(ca.issue())
                    .reloadInterval(java.time.Duration.ofSeconds(-1)).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("reloadInterval");
        }

        @Test
        void aNegativeExpiryThresholdIsRefused() {
            assertThatThrownBy(() -> ServerTls.builder().keyMaterial(ca.issue()).expiryWarningDays(-1).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("expiryWarningDays");
        }

        @Test
        void fixedKeyMaterialIsNotWatched() throws Exception {
            try (ServerTls tls = serverTls(TlsProvider.JDK)) {
                assertThat(tls.watching()).isFalse();
                assertThat(tls.get()).isSameAs(tls.sslContext());
            }
        }
    }
}
