package dev.poplar.pop3.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine path, as a network framework uses it: the server engine comes from the context with nothing set but
 * what the framework sets (client auth), and handshakes with a client engine in memory.
 */
class EngineTest {

    private final DevCertificateAuthority ca = DevCertificateAuthority.create();

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aServerEngineHandshakesAndCarriesData(TlsProvider provider) throws Exception {
        try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).provider(provider).build()) {
            SSLEngine server = tls.get().createSSLEngine();
            SSLEngine client = ca.clientSslContext().createSSLEngine("localhost", 995);
            Pair pair = new Pair(client, server);
            pair.handshake();
            assertThat(server.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(pair.send(client, server, "USER alice")).isEqualTo("USER alice");
            assertThat(pair.send(server, client, "+OK")).isEqualTo("+OK");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aServerEngineAsksForTheClientCertificateWhenTheFrameworkWantsIt(TlsProvider provider) throws Exception {
        DevCertificateAuthority clients = DevCertificateAuthority.create();
        try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).provider(provider)
                .trustedClientCas(java.util.List.of(clients.certificate())).build()) {
            SSLEngine server = tls.get().createSSLEngine();
            server.setWantClientAuth(true);
            SSLEngine client = ca.clientSslContext(clients.issueClient("carol")).createSSLEngine("localhost", 995);
            new Pair(client, server).handshake();
            assertThat(server.getSession().getPeerPrincipal().getName()).isEqualTo("CN=carol");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aTls12ClientEngineIsServed(TlsProvider provider) throws Exception {
        try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).provider(provider).build()) {
            SSLEngine server = tls.get().createSSLEngine();
            SSLEngine client = ca.clientSslContext().createSSLEngine("localhost", 995);
            client.setEnabledProtocols(new String[] {"TLSv1.2"});
            new Pair(client, server).handshake();
            assertThat(server.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aClientEngineTrustingAnotherAuthorityFails(TlsProvider provider) throws Exception {
        try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue()).provider(provider).build()) {
            SSLEngine server = tls.get().createSSLEngine();
            SSLEngine client = DevCertificateAuthority.create().clientSslContext().createSSLEngine("localhost", 995);
            assertThatThrownBy(() -> new Pair(client, server).handshake()).isInstanceOf(SSLException.class);
        }
    }

    /** Two engines joined by in-memory buffers. */
    private static final class Pair {
        private final SSLEngine client;
        private final SSLEngine server;
        private final ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        private final ByteBuffer toClient = ByteBuffer.allocate(1 << 17);

        Pair(SSLEngine client, SSLEngine server) {
            this.client = client;
            this.server = server;
        }

        void handshake() throws SSLException {
            client.beginHandshake();
            server.beginHandshake();
            for (int round = 0; round < 200; round++) {
                boolean moved = step(client, toClient, toServer) | step(server, toServer, toClient);
                if (done(client) && done(server)) {
                    return;
                }
                if (!moved) {
                    throw new AssertionError("handshake stalled: client " + client.getHandshakeStatus()
                            + ", server " + server.getHandshakeStatus());
                }
            }
            throw new AssertionError("handshake did not finish in 200 rounds");
        }

        private static boolean done(SSLEngine engine) {
            HandshakeStatus status = engine.getHandshakeStatus();
            return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
        }

        private static boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws SSLException {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP:
                    engine.wrap(ByteBuffer.allocate(0), out);
                    return true;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    in.flip();
                    int before = in.remaining();
                    engine.unwrap(in, ByteBuffer.allocate(1 << 17));
                    boolean consumed = in.remaining() < before;
                    in.compact();
                    return consumed;
                case NEED_TASK:
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                        task.run();
                    }
                    return true;
                default:
                    return false;
            }
        }

        String send(SSLEngine from, SSLEngine to, String text) throws SSLException {
            ByteBuffer wire = from == client ? toServer : toClient;
            from.wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), wire);
            wire.flip();
            ByteBuffer received = ByteBuffer.allocate(1 << 17);
            while (wire.hasRemaining() && received.position() == 0) {
                to.unwrap(wire, received);
            }
            wire.compact();
            received.flip();
            return StandardCharsets.US_ASCII.decode(received).toString();
        }
    }
}
