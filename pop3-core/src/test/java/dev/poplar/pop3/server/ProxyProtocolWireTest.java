package dev.poplar.pop3.server;

import dev.poplar.pop3.server.Pop3Event.ConnectionRefused;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Listeners behind a PROXY protocol balancer, with headers written by hand on real sockets. */
class ProxyProtocolWireTest {

    static final ProxyProtocol LOOPBACK_BALANCER = ProxyProtocol.builder().trust("127.0.0.0/8")
            .headerTimeout(Duration.ofSeconds(1)).build();

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final RecordedEvents events = new RecordedEvents();

    <T extends Pop3Event> T next(Class<T> type) throws InterruptedException {
        return events.next(type);
    }

    Pop3Server start(ProxyProtocol proxy, Pop3Server.Builder builder) throws IOException {
        return TestServers.start(builder.listener(Listener.plain("127.0.0.1", 0).behindProxy(proxy))
                .observer(events));
    }

    Pop3Server start(ProxyProtocol proxy) throws IOException {
        return start(proxy, TestServers.builder(store));
    }

    static byte[] v1(String source, int port) {
        return ("PROXY TCP4 " + source + " 198.51.100.1 " + port + " 110\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 header for TCP over IPv4, with an SSL TLV saying the client used TLS if asked. */
    static byte[] v2(String source, int port, boolean clientTls) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(InetAddress.getByName(source).getAddress());
        body.writeBytes(InetAddress.getByName("198.51.100.1").getAddress());
        body.write(port >> 8);
        body.write(port);
        body.write(0);
        body.write(110);
        if (clientTls) {
            byte[] version = "TLSv1.3".getBytes(StandardCharsets.US_ASCII);
            body.write(0x20);
            body.write(0);
            body.write(5 + 3 + version.length);
            body.writeBytes(new byte[] {0x01, 0, 0, 0, 0});
            body.write(0x21);
            body.write(0);
            body.write(version.length);
            body.writeBytes(version);
        }
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11});
        header.write(body.size() >> 8);
        header.write(body.size());
        body.writeTo(header);
        return header.toByteArray();
    }

    @Nested
    class FromATrustedBalancer {
        @Test
        void aV1HeaderNamesTheClientForEventsAndLogin() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER, TestServers.builder(store)
                    .plaintextAuth(PlaintextAuth.ALLOW));
                 WireClient client = WireClient.connect(server)) {
                client.write(v1("192.0.2.7", 40123));
                assertThat(client.greeting()).startsWith("+OK");
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                Pop3Event.ConnectionOpened opened = next(Pop3Event.ConnectionOpened.class);
                assertThat(opened.client().remoteAddress()).isEqualTo(new InetSocketAddress("192.0.2.7", 40123));
                assertThat(opened.client().localAddress()).isEqualTo(new InetSocketAddress("198.51.100.1", 110));
                assertThat(next(Pop3Event.LoginSucceeded.class).client().remoteAddress().getAddress())
                        .isEqualTo(InetAddress.getByName("192.0.2.7"));
            }
        }

        @Test
        void aV2HeaderSentOneOctetAtATimeWithCommandsBehindItWorks() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER, TestServers.builder(store)
                    .plaintextAuth(PlaintextAuth.ALLOW));
                 WireClient client = WireClient.connect(server)) {
                for (byte b : v2("203.0.113.9", 5555, false)) {
                    client.write(new byte[] {b});
                }
                client.write("CAPA\r\n");
                assertThat(client.greeting()).startsWith("+OK");
                assertThat(client.line()).startsWith("+OK");
                assertThat(client.lines()).contains("USER");
                assertThat(next(Pop3Event.ConnectionOpened.class).client().remoteAddress())
                        .isEqualTo(new InetSocketAddress("203.0.113.9", 5555));
            }
        }

        @Test
        void theClearTextPolicyJudgesTheClientNotTheBalancer() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER);
                 WireClient remote = WireClient.connect(server);
                 WireClient local = WireClient.connect(server)) {
                remote.write(v1("192.0.2.7", 40123));
                remote.greeting();
                assertThat(remote.send("USER alice")).startsWith("-ERR [AUTH] plain-text");
                local.write(v1("127.0.0.1", 40124));
                local.greeting();
                assertThat(local.login("alice", "s3cret")).startsWith("+OK");
            }
        }

        @Test
        void tlsReportedByATrustedBalancerCountsAsSecureOnlyWhenConfigured() throws Exception {
            ProxyProtocol trustingTls = ProxyProtocol.builder().trust("127.0.0.1").trustClientTls(true).build();
            try (Pop3Server server = start(trustingTls, TestServers.builder(store)
                    .plaintextAuth(PlaintextAuth.REQUIRE_TLS));
                 WireClient viaTls = WireClient.connect(server);
                 WireClient inClear = WireClient.connect(server)) {
                viaTls.write(v2("192.0.2.7", 1000, true));
                viaTls.greeting();
                assertThat(viaTls.login("alice", "s3cret")).startsWith("+OK");
                inClear.write(v2("192.0.2.8", 1000, false));
                inClear.greeting();
                assertThat(inClear.send("USER bob")).startsWith("-ERR [AUTH] plain-text");
            }
            try (Pop3Server server = start(LOOPBACK_BALANCER, TestServers.builder(store).tls(TestTls.serverContext())
                    .plaintextAuth(PlaintextAuth.REQUIRE_TLS));
                 WireClient viaTls = WireClient.connect(server)) {
                viaTls.write(v2("192.0.2.7", 1000, true));
                viaTls.greeting();
                assertThat(viaTls.send("USER alice")).startsWith("-ERR [AUTH] plain-text");
            }
        }

        @Test
        void aHealthCheckWithoutAddressesKeepsTheConnectionsOwn() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER);
                 WireClient client = WireClient.connect(server)) {
                client.write("PROXY UNKNOWN\r\n");
                assertThat(client.greeting()).startsWith("+OK");
                assertThat(next(Pop3Event.ConnectionOpened.class).client().isLoopback()).isTrue();
            }
        }

        @Test
        void connectionsAreLimitedPerClientAddressNotPerBalancer() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER, TestServers.builder(store)
                    .maxConnectionsPerAddress(1));
                 WireClient first = WireClient.connect(server);
                 WireClient second = WireClient.connect(server);
                 WireClient other = WireClient.connect(server)) {
                first.write(v1("192.0.2.7", 1));
                assertThat(first.greeting()).startsWith("+OK");
                second.write(v1("192.0.2.7", 2));
                assertThat(second.line()).startsWith("-ERR [SYS/TEMP]");
                assertThat(second.closedByServer()).isTrue();
                other.write(v1("192.0.2.8", 3));
                assertThat(other.greeting()).startsWith("+OK");
                ConnectionRefused refused = next(ConnectionRefused.class);
                assertThat(refused.reason()).isEqualTo(ConnectionRefused.Reason.TOO_MANY_FROM_ADDRESS);
                assertThat(refused.client().remoteAddress().getAddress())
                        .isEqualTo(InetAddress.getByName("192.0.2.7"));
            }
        }

        @Test
        void implicitTlsFollowsTheHeader() throws Exception {
            TestTls tls = TestTls.create();
            try (Pop3Server server = TestServers.start(TestServers.builder(store).tls(tls.server().sslContext())
                    .listener(Listener.implicitTls("127.0.0.1", 0).behindProxy(LOOPBACK_BALANCER))
                    .observer(events))) {
                InetSocketAddress address = server.localAddress();
                Socket plain = new Socket();
                plain.connect(address, 5000);
                plain.getOutputStream().write(v1("192.0.2.7", 40123));
                plain.getOutputStream().flush();
                SSLSocket secured = (SSLSocket) tls.client().getSocketFactory().createSocket(plain,
                        address.getHostString(), address.getPort(), true);
                try (WireClient client = new WireClient(secured)) {
                    assertThat(client.greeting()).startsWith("+OK");
                    assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                }
                Pop3Event.TlsEstablished established = next(Pop3Event.TlsEstablished.class);
                assertThat(established.client().remoteAddress().getHostString()).isEqualTo("192.0.2.7");
                assertThat(established.protocol()).startsWith("TLSv1.");
            }
        }
    }

    @Nested
    class BadHeaders {
        @Test
        void aMalformedHeaderClosesTheConnectionWithoutAGreeting() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER);
                 WireClient client = WireClient.connect(server)) {
                client.write("PROXY TCP4 192.0.2.07 198.51.100.1 1 110\r\nCAPA\r\n");
                assertThat(client.closedByServer()).isTrue();
                ConnectionRefused refused = next(ConnectionRefused.class);
                assertThat(refused.reason()).isEqualTo(ConnectionRefused.Reason.PROXY_HEADER);
                assertThat(refused.client().isLoopback()).isTrue();
            }
        }

        @Test
        void aConnectionWithoutHeaderFromATrustedSourceIsClosedNotGuessed() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER);
                 WireClient client = WireClient.connect(server)) {
                client.write("CAPA\r\n");
                assertThat(client.closedByServer()).isTrue();
                assertThat(next(ConnectionRefused.class).reason()).isEqualTo(ConnectionRefused.Reason.PROXY_HEADER);
            }
        }

        @Test
        void aSilentBalancerConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER);
                 WireClient client = WireClient.connect(server)) {
                long start = System.nanoTime();
                assertThat(client.closedByServer()).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900),
                        Duration.ofSeconds(5));
                assertThat(next(ConnectionRefused.class).reason()).isEqualTo(ConnectionRefused.Reason.PROXY_HEADER);
            }
        }

        @Test
        void aHeaderDrippedPastTheDeadlineIsRefused() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER);
                 WireClient client = WireClient.connect(server)) {
                byte[] header = v1("192.0.2.7", 1);
                long start = System.nanoTime();
                // A slow sender: one octet every 300 ms keeps the connection from ever being idle for a second.
                for (int i = 0; i < header.length && !client.socket().isClosed(); i++) {
                    try {
                        client.write(new byte[] {header[i]});
                    } catch (IOException closed) {
                        break;
                    }
                    if (Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(3)) > 0) {
                        break;
                    }
                    Thread.sleep(300);
                }
                assertThat(client.closedByServer()).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
                assertThat(next(ConnectionRefused.class).reason()).isEqualTo(ConnectionRefused.Reason.PROXY_HEADER);
            }
        }

        @Test
        void anOversizedV2HeaderIsRefusedAtItsLength() throws Exception {
            try (Pop3Server server = start(LOOPBACK_BALANCER);
                 WireClient client = WireClient.connect(server)) {
                client.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21,
                    0x11, (byte) 0xFF, (byte) 0xFF});
                assertThat(client.closedByServer()).isTrue();
                assertThat(next(ConnectionRefused.class).reason()).isEqualTo(ConnectionRefused.Reason.PROXY_HEADER);
            }
        }
    }

    @Nested
    class FromOtherSources {
        static final ProxyProtocol ELSEWHERE = ProxyProtocol.builder().trust("192.0.2.1").build();

        @Test
        void aDirectClientIsServedAtOnceWithItsOwnAddress() throws Exception {
            try (Pop3Server server = start(ELSEWHERE);
                 WireClient client = WireClient.connect(server)) {
                assertThat(client.greeting()).startsWith("+OK");
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                assertThat(next(Pop3Event.ConnectionOpened.class).client().isLoopback()).isTrue();
            }
        }

        @Test
        void aDirectClientOfAnImplicitTlsObserverHandshakesAtOnce() throws Exception {
            TestTls tls = TestTls.create();
            try (Pop3Server server = TestServers.start(TestServers.builder(store).tls(tls.server().sslContext())
                    .listener(Listener.implicitTls("127.0.0.1", 0).behindProxy(ELSEWHERE)).observer(events));
                 WireClient client = new WireClient(tls.connectTls(server.localAddress()))) {
                assertThat(client.greeting()).startsWith("+OK");
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                assertThat(next(Pop3Event.TlsEstablished.class).client().isLoopback()).isTrue();
            }
        }

        @Test
        void aHeaderFromAnUntrustedSourceIsAProtocolError() throws Exception {
            try (Pop3Server server = start(ELSEWHERE);
                 WireClient client = WireClient.connect(server)) {
                assertThat(client.greeting()).startsWith("+OK");
                client.write("PRO");
                client.write("XY TCP4 192.0.2.7 198.51.100.1 1 110\r\nUSER alice\r\n");
                assertThat(client.closedByServer()).isTrue();
                assertThat(next(Pop3Event.ConnectionClosed.class).summary().end())
                        .isEqualTo(SessionSummary.EndReason.PROTOCOL_ERROR);
            }
        }
    }
}
