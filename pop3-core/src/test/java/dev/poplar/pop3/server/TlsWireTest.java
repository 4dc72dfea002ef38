package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * STLS (RFC 2595) and implicit TLS (RFC 8314) over real sockets, with the server's TLS on the JDK provider;
 * {@link OpenSslTlsWireTest} runs every test again with the server on OpenSSL.
 */
class TlsWireTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final TestTls tls = TestTls.create(provider());
    final BlockingQueue<Pop3Event> events = new LinkedBlockingQueue<>();
    Pop3Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        tls.server().close();
    }

    /** The provider of the servers' TLS in this class's tests. */
    TlsProvider provider() {
        return TlsProvider.JDK;
    }

    Pop3Server start(Pop3Server.Builder builder) throws IOException {
        server = TestServers.start(builder.observer(events::add));
        return server;
    }

    @Nested
    class ImplicitTls {
        @Test
        void greetsAfterTheHandshakeAndServesMailOverTls13() throws IOException {
            store.add("alice", "Subject: secret\r\n\r\nover TLS\r\n");
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(tls.server()).listener(pop3s));
            try (SSLSocket socket = tls.connectTls(server.localAddress(pop3s));
                 WireClient client = new WireClient(socket)) {
                assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
                assertThat(client.greeting()).startsWith("+OK Poplar");
                assertThat(client.send("CAPA")).startsWith("+OK");
                assertThat(client.lines()).contains("USER", "SASL SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS "
                        + "SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN").doesNotContain("STLS");
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                assertThat(client.send("RETR 1")).startsWith("+OK");
                assertThat(new String(client.body(), StandardCharsets.US_ASCII)).contains("over TLS");
                assertThat(client.send("QUIT")).startsWith("+OK");
            }
        }

        @Test
        void theGreetingComesFirstWhenTheFirstCommandsShareASegmentWithTheClientsFinished() throws Exception {
            // An engine may finish the handshake and decrypt the commands after it in one unwrap (OpenSSL's does):
            // the session must still greet first, and know that TLS is up when it reads them.
            store.add("alice", "Subject: one\r\n\r\nbody\r\n");
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(tls.server()).listener(pop3s));
            try (EngineClient client = EngineClient.connect(tls.client(), server.localAddress(pop3s))) {
                client.finishWith("CAPA\r\nSTLS\r\nUSER alice\r\nPASS s3cret\r\nSTAT\r\nQUIT\r\n");
                assertThat(client.readUntil("+OK Poplar signing off\r\n")).startsWith("+OK Poplar")
                        .containsSubsequence("+OK capability list follows\r\n", "\r\n.\r\n",
                                "-ERR TLS is already active\r\n", "+OK ", "+OK maildrop has 1 message",
                                "+OK 1 ", "+OK Poplar signing off")
                        .doesNotContain("\r\nSTLS\r\n");
            }
            assertThat(server.metrics().tlsHandshakesFailed()).isZero();
        }

        @Test
        void messagesRetrievedInOrderArriveExactlyOverTls() throws Exception {
            // Each next message is read ahead in clear and encrypted only when the client asks for it.
            for (String message : ReadAheadWireTest.MESSAGES) {
                store.add("alice", message);
            }
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(tls.server()).listener(pop3s));
            try (WireClient client = new WireClient(tls.connectTls(server.localAddress(pop3s)))) {
                client.greeting();
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
                for (int i = 0; i < ReadAheadWireTest.MESSAGES.length; i++) {
                    assertThat(ReadAheadWireTest.retr(client, i + 1)).as("RETR %d", i + 1)
                            .isEqualTo(ReadAheadWireTest.wire(ReadAheadWireTest.MESSAGES[i]));
                }
                client.write("RETR 1\r\nRETR 2\r\nRETR 3\r\n");
                for (int i = 0; i < 3; i++) {
                    assertThat(ReadAheadWireTest.readReply(client.input())).as("pipelined RETR %d", i + 1)
                            .isEqualTo(ReadAheadWireTest.wire(ReadAheadWireTest.MESSAGES[i]));
                }
                assertThat(client.send("QUIT")).startsWith("+OK");
            }
        }

        @Test
        void largeMessagesStreamIntactOverTls() throws Exception {
            // Many chunks in flight over TLS: records must reach the client in order (a MAC failure otherwise).
            StringBuilder body = new StringBuilder("Subject: large\r\n\r\n");
            for (int i = 0; body.length() < 8 * 1024 * 1024; i++) {
                body.append(i % 7 == 0 ? "." : "").append("line ").append(i).append(" of a long message\r\n");
            }
            store.add("alice", body.toString());
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(tls.server()).listener(pop3s));
            for (int round = 0; round < 3; round++) {
                try (WireClient client = new WireClient(tls.connectTls(server.localAddress(pop3s)))) {
                    client.greeting();
                    client.login("alice", "s3cret");
                    assertThat(client.send("RETR 1")).startsWith("+OK");
                    assertThat(new String(client.body(), StandardCharsets.US_ASCII)).isEqualTo(body.toString());
                    assertThat(client.send("QUIT")).startsWith("+OK");
                }
            }
        }

        @Test
        void manyConcurrentHandshakesAllSucceed() throws Exception {
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(tls.server()).listener(pop3s));
            InetSocketAddress address = server.localAddress(pop3s);
            java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                results.add(clients.submit(() -> {
                    try (WireClient client = new WireClient(tls.connectTls(address))) {
                        client.greeting();
                        return client.send("QUIT");
                    }
                }));
            }
            for (java.util.concurrent.Future<String> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).startsWith("+OK");
            }
            clients.shutdown();
            assertThat(server.metrics().tlsHandshakesFailed()).isZero();
        }

        @Test
        void oneServerServesPlainAndImplicitTlsObserversFromOneStore() throws IOException {
            store.add("alice", "Subject: a\r\n\r\na\r\n");
            Listener plain = Listener.plain("127.0.0.1", 0);
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(tls.server()).listener(plain).listener(pop3s));
            try (WireClient clear = new WireClient(server.localAddress(plain));
                 WireClient secure = new WireClient(tls.connectTls(server.localAddress(pop3s)))) {
                clear.greeting();
                secure.greeting();
                assertThat(clear.login("alice", "s3cret")).startsWith("+OK");
                assertThat(secure.login("alice", "s3cret")).startsWith("-ERR [IN-USE]");
            }
        }

        @Test
        void plainTextSpokenToTheTlsPortIsClosedAndTheServerGoesOn() throws Exception {
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(tls.server()).listener(pop3s));
            try (Socket socket = new Socket()) {
                socket.connect(server.localAddress(pop3s), 5000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("USER alice\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = socket.getInputStream().readNBytes(1024);
                assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("+OK");
            }
            assertThat(next(Pop3Event.ConnectionClosed.class).summary().end())
                    .isEqualTo(SessionSummary.EndReason.TLS_FAILED);
            assertThat(server.metrics().tlsHandshakesFailed()).isEqualTo(1);
            try (WireClient client = new WireClient(tls.connectTls(server.localAddress(pop3s)))) {
                assertThat(client.greeting()).startsWith("+OK");
            }
        }

        @Test
        void aClientThatDoesNotTrustTheCertificateFailsAndTheServerGoesOn() throws Exception {
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(tls.server()).listener(pop3s));
            SSLContext stranger = DevCertificateAuthority.create().clientSslContext();
            InetSocketAddress address = server.localAddress(pop3s);
            assertThatThrownBy(() -> {
                try (SSLSocket socket = (SSLSocket) stranger.getSocketFactory().createSocket(address.getHostString(),
                        address.getPort())) {
                    socket.startHandshake();
                }
            }).isInstanceOf(IOException.class);
            try (WireClient client = new WireClient(tls.connectTls(address))) {
                assertThat(client.greeting()).startsWith("+OK");
            }
        }
    }

    @Nested
    class Stls {
        @Test
        void upgradesTheConnectionAndCapaIsRecomputed() throws IOException {
            start(TestServers.builder(store).tls(tls.server()));
            try (WireClient client = WireClient.connect(server)) {
                assertThat(client.greeting()).startsWith("+OK");
                assertThat(client.send("CAPA")).startsWith("+OK");
                assertThat(client.lines()).contains("STLS");
                assertThat(client.send("STLS")).isEqualTo("+OK begin TLS negotiation");
                SSLSocket socket = tls.upgrade(client.socket(), server.localAddress());
                client.use(socket);
                assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
                assertThat(client.send("CAPA")).startsWith("+OK");
                assertThat(client.lines()).doesNotContain("STLS").contains("USER");
                assertThat(client.send("STLS")).isEqualTo("-ERR TLS is already active");
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
            }
        }

        @Test
        void commandsPipelinedAfterStlsAreDiscardedNotExecutedAfterTheHandshake() throws Exception {
            start(TestServers.builder(store).tls(tls.server()));
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                // The classic STARTTLS command injection: a man in the middle appends commands in clear.
                client.write("STLS\r\nUSER alice\r\nPASS s3cret\r\n");
                assertThat(client.line()).isEqualTo("+OK begin TLS negotiation");
                client.use(tls.upgrade(client.socket(), server.localAddress()));
                // Had USER and PASS survived, the session would now be logged in.
                assertThat(client.send("STAT")).isEqualTo("-ERR command not valid in this state");
                assertThat(client.send("PASS s3cret")).isEqualTo("-ERR send USER first");
            }
            List<String> commands = new CopyOnWriteArrayList<>();
            for (Pop3Event e; (e = events.poll(2, TimeUnit.SECONDS)) != null; ) {
                if (e instanceof Pop3Event.CommandCompleted c) {
                    commands.add(c.command());
                }
                if (e instanceof Pop3Event.ConnectionClosed) {
                    break;
                }
            }
            assertThat(commands).containsExactly("STLS", "STAT", "PASS ***");
        }

        @Test
        void aUserNameGivenBeforeStlsIsForgotten() throws IOException {
            start(TestServers.builder(store).tls(tls.server()));
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                assertThat(client.send("USER alice")).startsWith("+OK");
                assertThat(client.send("STLS")).isEqualTo("+OK begin TLS negotiation");
                client.use(tls.upgrade(client.socket(), server.localAddress()));
                // RFC 2595 section 4: the server MUST discard what it learned from the client before TLS, such as
                // the argument of USER.
                assertThat(client.send("PASS s3cret")).isEqualTo("-ERR send USER first");
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
            }
        }

        @Test
        void isRefusedWithoutTlsAndAfterLogin() throws IOException {
            start(TestServers.builder(store));
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                assertThat(client.send("CAPA")).startsWith("+OK");
                assertThat(client.lines()).doesNotContain("STLS");
                assertThat(client.send("STLS")).isEqualTo("-ERR STLS is not available");
                assertThat(client.send("USER alice")).startsWith("+OK");
            }
            server.close();
            start(TestServers.builder(store).tls(tls.server()));
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                client.login("alice", "s3cret");
                assertThat(client.send("STLS")).isEqualTo("-ERR command not valid in this state");
            }
        }

        @Test
        void clearTextPasswordsFromTheNetworkAreAllowedOnceTheConnectionIsSecure() throws IOException {
            String address = NetworkAddresses.nonLoopback();
            start(TestServers.builder(store).tls(tls.server()).listener(Listener.plain(address, 0)));
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                assertThat(client.send("USER alice")).startsWith("-ERR [AUTH]");
                assertThat(client.send("STLS")).startsWith("+OK");
                client.use(upgradeTrustingAnyName(client.socket()));
                assertThat(client.login("alice", "s3cret")).startsWith("+OK");
            }
        }

        @Test
        void tlsSpokenToThePlainPortIsClosed() throws Exception {
            start(TestServers.builder(store).tls(tls.server()));
            InetSocketAddress address = server.localAddress();
            assertThatThrownBy(() -> tls.connectTls(address)).isInstanceOf(IOException.class);
            assertThat(next(Pop3Event.ConnectionClosed.class).summary().end())
                    .isEqualTo(SessionSummary.EndReason.PROTOCOL_ERROR);
        }
    }

    @Nested
    class Certificates {
        @Test
        void theAuthenticatorSeesTheVerifiedClientCertificateChain() throws Exception {
            DevCertificateAuthority ca = DevCertificateAuthority.create();
            ServerTls mutual = ServerTls.builder().keyMaterial(ca.issue()).trustedClientCas(List.of(ca.certificate()))
                    .provider(provider()).build();
            List<ClientInfo> seen = new CopyOnWriteArrayList<>();
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).tls(mutual).clientAuth(ClientAuth.NEED).listener(pop3s)
                    .authenticator((c, info) -> {
                        seen.add(info);
                        return AuthResult.accept(c.username());
                    }));
            SSLContext withIdentity = ca.clientSslContext(ca.issueClient("alice"));
            InetSocketAddress address = server.localAddress(pop3s);
            try (SSLSocket socket = (SSLSocket) withIdentity.getSocketFactory().createSocket(address.getHostString(),
                    address.getPort()); WireClient client = new WireClient(socket)) {
                client.greeting();
                client.login("alice", "x");
            }
            assertThat(seen).singleElement().satisfies(info -> {
                assertThat(info.secure()).isTrue();
                assertThat(info.peerCertificates()).isNotEmpty();
                X509Certificate leaf = info.peerCertificates().get(0);
                assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=alice");
            });
            assertThatThrownBy(() -> {
                try (SSLSocket anonymous = (SSLSocket) ca.clientSslContext().getSocketFactory()
                        .createSocket(address.getHostString(), address.getPort())) {
                    anonymous.setSoTimeout(10_000);
                    anonymous.startHandshake();
                    // TLS 1.3 reports a missing client certificate only on the first read.
                    anonymous.getInputStream().read();
                }
            }).isInstanceOf(IOException.class);
            mutual.close();
        }

        @Test
        void eachNewConnectionAsksTheSupplierForTheCurrentContext() throws Exception {
            TestTls other = TestTls.create(provider());
            AtomicInteger calls = new AtomicInteger();
            Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
            start(TestServers.builder(store).listener(pop3s).tls(() ->
                    calls.incrementAndGet() <= 1 ? tls.server().sslContext() : other.server().sslContext()));
            InetSocketAddress address = server.localAddress(pop3s);
            try (SSLSocket first = tls.connectTls(address)) {
                assertThat(new WireClient(first).greeting()).startsWith("+OK");
                try (SSLSocket second = other.connectTls(address)) {
                    assertThat(new WireClient(second).greeting()).startsWith("+OK");
                    assertThat(second.getSession().getPeerCertificates()[0])
                            .isNotEqualTo(first.getSession().getPeerCertificates()[0]);
                }
                // The first connection is not disturbed by the new certificate.
                OutputStream out = first.getOutputStream();
                out.write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new WireClient(first).line()).startsWith("-ERR");
            }
            other.server().close();
        }
    }

    SSLSocket upgradeTrustingAnyName(Socket plain) {
        try {
            SSLContext context = tls.ca().clientTls().hostnameVerification(false).build();
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain,
                    plain.getInetAddress().getHostAddress(), plain.getPort(), true);
            socket.startHandshake();
            return socket;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    <T extends Pop3Event> T next(Class<T> type) throws InterruptedException {
        while (true) {
            Pop3Event event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("an event of type %s", type.getSimpleName()).isNotNull();
            if (type.isInstance(event)) {
                return type.cast(event);
            }
        }
    }
}
