package dev.poplar.pop3.server;

import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A TLS 1.2 client that tries to renegotiate is refused: renegotiation costs the server a handshake each time. */
class TlsRenegotiationWireTest {

    final TestTls tls = TestTls.create();
    final BlockingQueue<Pop3Event> events = new LinkedBlockingQueue<>();
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        tls.server().close();
    }

    @Test
    void clientInitiatedRenegotiationClosesTheConnection() throws Exception {
        server = TestServers.start(TestServers.builder(new InMemoryMailboxStore()).tls(tls.server().sslContext())
                .listener(Listener.implicitTls("127.0.0.1", 0)).observer(events::add));
        try (SSLSocket socket = (SSLSocket) tls.client().getSocketFactory().createSocket(
                server.localAddress().getHostString(), server.localAddress().getPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            WireClient client = new WireClient(socket);
            assertThat(client.greeting()).startsWith("+OK");
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
            socket.startHandshake();
            assertThat(endOfStream(socket.getInputStream())).as("the server closes the connection").isTrue();
        }
        Pop3Event.ConnectionClosed closed = closedEvent();
        assertThat(closed.summary().end()).isEqualTo(EndReason.PROTOCOL_ERROR);
    }

    @Test
    void tls13KeyUpdatesAreNotRenegotiation() throws Exception {
        server = TestServers.start(TestServers.builder(new InMemoryMailboxStore()).tls(tls.server().sslContext())
                .listener(Listener.implicitTls("127.0.0.1", 0)).observer(events::add));
        try (SSLSocket socket = tls.connectTls(server.localAddress())) {
            WireClient client = new WireClient(socket);
            assertThat(client.greeting()).startsWith("+OK");
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            // On TLS 1.3, JSSE answers startHandshake with a KeyUpdate (RFC 8446 section 4.6.3).
            socket.startHandshake();
            assertThat(client.send("NOOP")).isEqualTo("-ERR command not valid in this state");
            assertThat(client.send("QUIT")).startsWith("+OK");
        }
        assertThat(closedEvent().summary().end()).isEqualTo(EndReason.QUIT);
    }

    private Pop3Event.ConnectionClosed closedEvent() throws InterruptedException {
        while (true) {
            Pop3Event event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("a ConnectionClosed event").isNotNull();
            if (event instanceof Pop3Event.ConnectionClosed closed) {
                return closed;
            }
        }
    }

    private static boolean endOfStream(InputStream in) {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }
}
