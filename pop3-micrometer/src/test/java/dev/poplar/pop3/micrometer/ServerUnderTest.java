package dev.poplar.pop3.micrometer;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsException;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server with a plain and an implicit-TLS listener, observed by a binder and, after it, by the test: once the
 * test has seen an event, the binder has recorded it.
 */
final class ServerUnderTest implements AutoCloseable {

    final DevCertificateAuthority ca = DevCertificateAuthority.create();
    final ServerTls tls;
    final Pop3Server server;
    private final BlockingQueue<Pop3Event> seen = new LinkedBlockingQueue<>();

    ServerUnderTest(Pop3MeterBinder binder, int maxConnections) throws IOException, TlsException {
        tls = ServerTls.builder().keyMaterial(ca.issue("localhost")).build();
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        store.add("alice", "Subject: one\r\n\r\nfirst\r\n");
        store.add("alice", "Subject: two\r\n\r\nsecond\r\n");
        server = Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))
                .tls(tls.sslContext())
                .listener(Listener.plain("127.0.0.1", 0))
                .listener(Listener.implicitTls("127.0.0.1", 0))
                .maxConnections(maxConnections)
                .authFailureDelay(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMinutes(1))
                .shutdownGracePeriod(Duration.ofMillis(100))
                .observer(binder)
                .observer(seen::add)
                .build();
        server.start();
        binder.bindServer(server).bindCertificate(() -> tls.keyMaterial().chain());
    }

    InetSocketAddress plain() {
        return server.localAddresses().get(0);
    }

    InetSocketAddress implicitTls() {
        return server.localAddresses().get(1);
    }

    /** What {@link #await} has taken so far, for its failure message. */
    private final List<String> passed = new CopyOnWriteArrayList<>();

    /** Waits until the binder has seen an event of a type. */
    <T extends Pop3Event> T await(Class<T> type) throws InterruptedException {
        return await(type, e -> true);
    }

    /** Waits until the binder has seen an event of a type that matches. */
    <T extends Pop3Event> T await(Class<T> type, Predicate<? super T> matching) throws InterruptedException {
        while (true) {
            Pop3Event event = seen.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("an event of type %s after %s", type.getSimpleName(), passed).isNotNull();
            passed.add(event.getClass().getSimpleName() + (event instanceof Pop3Event.CommandCompleted c ? ":" + c.command() : ""));
            if (type.isInstance(event) && matching.test(type.cast(event))) {
                return type.cast(event);
            }
        }
    }

    /** Jakarta Mail logs in, reads both messages, deletes the first and quits. */
    void downloadAndDeleteOne() throws Exception {
        Properties props = new Properties();
        props.put("mail.pop3.connectiontimeout", "5000");
        props.put("mail.pop3.timeout", "10000");
        Store pop3 = Session.getInstance(props).getStore("pop3");
        pop3.connect(plain().getHostString(), plain().getPort(), "alice", "s3cret");
        Folder inbox = pop3.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        for (Message message : inbox.getMessages()) {
            message.writeTo(OutputStream.nullOutputStream());
        }
        inbox.getMessage(1).setFlag(Flags.Flag.DELETED, true);
        inbox.close(true);
        pop3.close();
    }

    /** A raw client sends lines and reads one reply line for each. */
    static void converse(Socket socket, String... commands) throws IOException {
        socket.setSoTimeout(10_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.US_ASCII));
        OutputStream out = socket.getOutputStream();
        assertThat(in.readLine()).startsWith("+OK");
        for (String command : commands) {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).isNotNull();
        }
    }

    @Override
    public void close() {
        server.close();
        tls.close();
    }
}
