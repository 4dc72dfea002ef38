package dev.poplar.pop3.server.interop;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.server.ProxyProtocol;
import dev.poplar.pop3.server.RecordedEvents;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.KeyMaterial;
import dev.poplar.pop3.tls.ServerTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Poplar behind a real HAProxy (Debian's {@code haproxy} package), started with a generated configuration on free
 * ports: {@code send-proxy} (v1) and {@code send-proxy-v2} to a plain listener, {@code send-proxy-v2} in front of an
 * implicit-TLS listener with TLS passed through ({@code mode tcp}), and {@code send-proxy-v2-ssl} from a frontend that
 * ends TLS itself. The client connects from 127.0.0.2 while HAProxy connects from 127.0.0.1, so the address the
 * server reports can only have come from the header. A missing {@code haproxy} fails the test (CI installs it).
 */
class HaproxyInteropTest {

    static final String CLIENT_ADDRESS = "127.0.0.2";

    final RecordedEvents events = new RecordedEvents();
    final DevCertificateAuthority ca = DevCertificateAuthority.create();
    @TempDir
    Path dir;
    Pop3Server server;
    Process haproxy;
    Path haproxyLog;
    final Map<String, Integer> frontends = new java.util.HashMap<>();

    @BeforeEach
    void start() throws Exception {
        KeyMaterial material = ca.issue("localhost", "127.0.0.1");
        ServerTls tls = ServerTls.builder().keyMaterial(material).build();
        ProxyProtocol balancer = ProxyProtocol.builder().trust("127.0.0.1").trustClientTls(true).build();
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        store.add("alice", "Subject: hello\r\n\r\nthrough the balancer\r\n");
        server = Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))
                .tls(tls.sslContext())
                .plaintextAuth(PlaintextAuth.REQUIRE_TLS)
                .listener(Listener.plain("127.0.0.1", 0).behindProxy(balancer))
                .listener(Listener.implicitTls("127.0.0.1", 0).behindProxy(balancer))
                .observer(events)
                .shutdownGracePeriod(Duration.ofMillis(100))
                .build();
        server.start();
        int plain = server.localAddresses().get(0).getPort();
        int implicit = server.localAddresses().get(1).getPort();

        Path pem = dir.resolve("haproxy.pem");
        Files.writeString(pem, material.chainPem() + material.privateKeyPem());
        for (String name : List.of("v1", "v2", "passthrough", "terminated")) {
            frontends.put(name, freePort());
        }
        String config = String.join("\n",
                "global",
                "    maxconn 200",
                "defaults",
                "    mode tcp",
                "    timeout connect 5s",
                "    timeout client 30s",
                "    timeout server 30s",
                frontend("v1", "", "127.0.0.1:" + plain + " send-proxy"),
                frontend("v2", "", "127.0.0.1:" + plain + " send-proxy-v2"),
                frontend("passthrough", "", "127.0.0.1:" + implicit + " send-proxy-v2"),
                frontend("terminated", " ssl crt " + pem, "127.0.0.1:" + plain + " send-proxy-v2-ssl"),
                "");
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        haproxyLog = dir.resolve("haproxy.log");
        haproxy = new ProcessBuilder(haproxyBinary(), "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(haproxyLog.toFile()).start();
        for (int port : frontends.values()) {
            awaitListening(port);
        }
    }

    String frontend(String name, String bindOptions, String server) {
        return String.join("\n",
                "frontend " + name,
                "    bind 127.0.0.1:" + frontends.get(name) + bindOptions,
                "    default_backend " + name + "_poplar",
                "backend " + name + "_poplar",
                "    server poplar " + server);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    static String haproxyBinary() {
        for (String candidate : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return fail("haproxy is not installed: apt-get install haproxy");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!haproxy.isAlive() || System.nanoTime() > deadline) {
                    fail("haproxy did not listen on " + port + ": " + Files.readString(haproxyLog));
                }
                Thread.onSpinWait();
            }
        }
    }

    /** A client socket from {@link #CLIENT_ADDRESS} to a frontend. */
    Socket connect(String frontend) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(CLIENT_ADDRESS, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", frontends.get(frontend)), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    Socket connectTls(String frontend) throws IOException {
        Socket plain = connect(frontend);
        Socket tls = ca.clientSslContext().getSocketFactory().createSocket(plain, "localhost",
                plain.getPort(), true);
        tls.setSoTimeout(10_000);
        ((javax.net.ssl.SSLSocket) tls).startHandshake();
        return tls;
    }

    /** Logs in and retrieves the message; returns the replies. */
    static List<String> session(Socket socket) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.US_ASCII));
        OutputStream out = socket.getOutputStream();
        List<String> replies = new ArrayList<>();
        replies.add(in.readLine());
        for (String command : List.of("USER alice", "PASS s3cret", "RETR 1", "QUIT")) {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = in.readLine();
            replies.add(reply);
            if (command.startsWith("RETR") && reply.startsWith("+OK")) {
                for (String line; !(line = in.readLine()).equals("."); ) {
                    replies.add(line);
                }
            }
        }
        return replies;
    }

    /** The session of a client socket: the probes that waited for HAProxy have sessions too, from other ports. */
    Pop3Event.ConnectionOpened opened(Socket client) throws InterruptedException {
        return events.next(Pop3Event.ConnectionOpened.class,
                opened -> opened.client().remoteAddress().getPort() == client.getLocalPort());
    }

    void assertClientSeen(Socket client, String frontend) throws InterruptedException {
        Pop3Event.ConnectionOpened opened = opened(client);
        assertThat(opened.client().remoteAddress())
                .isEqualTo(new InetSocketAddress(CLIENT_ADDRESS, client.getLocalPort()));
        assertThat(opened.client().localAddress().getPort()).isEqualTo(frontends.get(frontend));
    }

    @Test
    void sendProxyV1PassesTheClientsAddressAndClearTextStaysRefused() throws Exception {
        try (Socket client = connect("v1")) {
            List<String> replies = session(client);
            assertThat(replies.get(0)).startsWith("+OK");
            assertThat(replies.get(1)).startsWith("-ERR [AUTH] plain-text");
            assertClientSeen(client, "v1");
        }
    }

    @Test
    void sendProxyV2PassesTheClientsAddress() throws Exception {
        try (Socket client = connect("v2")) {
            assertThat(session(client).get(0)).startsWith("+OK");
            assertClientSeen(client, "v2");
        }
    }

    @Test
    void implicitTlsPassesThroughBehindTheHeader() throws Exception {
        try (Socket client = connectTls("passthrough")) {
            List<String> replies = session(client);
            assertThat(replies).contains("through the balancer");
            assertThat(replies.get(replies.size() - 1)).startsWith("+OK");
            assertClientSeen(client, "passthrough");
        }
    }

    @Test
    void tlsEndedAtTheBalancerCountsAsSecureWhenTrusted() throws Exception {
        try (Socket client = connectTls("terminated")) {
            List<String> replies = session(client);
            assertThat(replies.get(2)).as("PASS over TLS ended at HAProxy").startsWith("+OK");
            assertThat(replies).contains("through the balancer");
            Pop3Event.ConnectionOpened opened = opened(client);
            assertThat(opened.client().secure()).isTrue();
            assertThat(opened.client().remoteAddress().getHostString()).isEqualTo(CLIENT_ADDRESS);
        }
    }
}
