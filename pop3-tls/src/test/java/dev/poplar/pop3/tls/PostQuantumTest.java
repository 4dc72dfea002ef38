package dev.poplar.pop3.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.KeyPair;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.BCSSLSocket;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PostQuantumTest {

    private final DevCertificateAuthority ca = DevCertificateAuthority.create();

    private ServerTls server(boolean hybrid) throws TlsException {
        return ServerTls.builder().keyMaterial(ca.issue()).provider(TlsProvider.BOUNCY_CASTLE)
                .postQuantumHybrid(hybrid).build();
    }

    private static void offerOnly(BCSSLSocket socket, String group) {
        BCSSLParameters parameters = socket.getParameters();
        parameters.setNamedGroups(new String[] {group});
        socket.setParameters(parameters);
    }

    @Nested
    class WithTheHybridEnabled {

        @Test
        void aClientOfferingOnlyX25519Mlkem768NegotiatesIt() throws Exception {
            try (ServerTls tls = server(true); TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                RawTlsClient.Negotiated negotiated = RawTlsClient.connect(server.port(), ProtocolVersion.TLSv13,
                        NamedGroup.X25519MLKEM768);
                assertThat(negotiated.groupName()).isEqualTo("X25519MLKEM768");
                assertThat(negotiated.version()).isEqualTo(ProtocolVersion.TLSv13);
                assertThat(negotiated.greeting()).isEqualTo("+OK 1");
            }
        }

        @Test
        void aClientOfferingTheHybridAndClassicGroupsGetsTheHybrid() throws Exception {
            try (ServerTls tls = server(true); TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                RawTlsClient.Negotiated negotiated = RawTlsClient.connect(server.port(), ProtocolVersion.TLSv13,
                        NamedGroup.x25519, NamedGroup.X25519MLKEM768);
                assertThat(negotiated.groupName()).isEqualTo("X25519MLKEM768");
            }
        }

        /**
         * Bouncy Castle's JSSE client offers ECDSA signature schemes only for curves among its named groups, so a
         * client restricted to the hybrid cannot accept an ECDSA-signed certificate; this chain is all Ed25519.
         */
        @Test
        void aBouncyCastleJsseClientOfferingOnlyTheHybridConnects() throws Exception {
            Fixtures.Authority authority = Fixtures.Authority.create("Hybrid CA", Fixtures.ed25519());
            KeyPair keys = Fixtures.ed25519();
            KeyMaterial material = KeyMaterial.of(keys.getPrivate(), List.of(authority.server(keys, "hybrid")));
            SSLContext client = ClientTls.builder().trustedCas(List.of(authority.certificate()))
                    .provider(TlsProvider.BOUNCY_CASTLE).build();
            try (ServerTls tls = ServerTls.builder().keyMaterial(material).provider(TlsProvider.BOUNCY_CASTLE)
                    .postQuantumHybrid(true).build();
                    TlsTestServer server = TlsTestServer.start(tls.sslContext());
                    TlsTestClient connection = TlsTestClient.connect(client, "localhost", server.port(),
                            socket -> offerOnly((BCSSLSocket) socket, "X25519MLKEM768"))) {
                assertThat(connection.greeting()).isEqualTo("+OK 1");
                assertThat(connection.session().getProtocol()).isEqualTo("TLSv1.3");
                assertThat(((BCSSLSocket) connection.socket()).getParameters().getNamedGroups())
                        .containsExactly("X25519MLKEM768");
            }
        }

        @Test
        void aJdkClientWithClassicGroupsStillConnects() throws Exception {
            try (ServerTls tls = server(true); TlsTestServer server = TlsTestServer.start(tls.sslContext());
                    TlsTestClient connection = TlsTestClient.connect(ca.clientSslContext(), server.port())) {
                assertThat(connection.greeting()).isEqualTo("+OK 1");
                assertThat(connection.session().getProtocol()).isEqualTo("TLSv1.3");
            }
        }

        @Test
        void aClientOfferingOnlyX25519GetsX25519() throws Exception {
            try (ServerTls tls = server(true); TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                RawTlsClient.Negotiated negotiated = RawTlsClient.connect(server.port(), ProtocolVersion.TLSv13,
                        NamedGroup.x25519);
                assertThat(negotiated.groupName()).isEqualTo("x25519");
            }
        }

        @Test
        void theServerEnginesCarryTheHybridFirst() throws Exception {
            try (ServerTls tls = server(true)) {
                SSLEngine engine = tls.get().createSSLEngine();
                assertThat(((BCSSLEngine) engine).getParameters().getNamedGroups())
                        .startsWith("X25519MLKEM768").contains("x25519", "secp256r1");
            }
        }

        @Test
        void aHybridClientContextOffersTheHybrid() throws Exception {
            SSLContext client = ca.clientTls().provider(TlsProvider.BOUNCY_CASTLE).postQuantumHybrid(true).build();
            try (ServerTls tls = server(true); TlsTestServer server = TlsTestServer.start(tls.sslContext());
                    TlsTestClient connection = TlsTestClient.connect(client, server.port())) {
                assertThat(connection.greeting()).isEqualTo("+OK 1");
            }
            assertThat(((BCSSLEngine) client.createSSLEngine()).getParameters().getNamedGroups())
                    .startsWith("X25519MLKEM768");
        }
    }

    @Nested
    class WithoutTheHybrid {

        @Test
        void aClientOfferingOnlyTheHybridIsRefused() throws Exception {
            try (ServerTls tls = server(false); TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                assertThatThrownBy(() -> RawTlsClient.connect(server.port(), ProtocolVersion.TLSv13,
                        NamedGroup.X25519MLKEM768)).isInstanceOf(IOException.class);
                assertThat(server.takeFailure()).isInstanceOf(IOException.class);
            }
        }

        @Test
        void aClientOfferingTheHybridAndX25519GetsX25519() throws Exception {
            try (ServerTls tls = server(false); TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
                RawTlsClient.Negotiated negotiated = RawTlsClient.connect(server.port(), ProtocolVersion.TLSv13,
                        NamedGroup.X25519MLKEM768, NamedGroup.x25519);
                assertThat(negotiated.groupName()).isEqualTo("x25519");
            }
        }
    }
}
