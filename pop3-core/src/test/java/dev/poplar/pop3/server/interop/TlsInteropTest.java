package dev.poplar.pop3.server.interop;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsProvider;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * STLS and implicit TLS with clients we did not write: Angus Mail, python3 {@code poplib}, {@code openssl s_client}.
 * The server refuses clear-text passwords entirely here, so every login below really went over TLS. The server's
 * TLS runs on the JDK provider here and on OpenSSL in {@link OpenSslTlsInteropTest}.
 */
class TlsInteropTest {

    /** The provider of the server's TLS. */
    TlsProvider provider() {
        return TlsProvider.JDK;
    }

    final Listener plain = Listener.plain("127.0.0.1", 0);
    final Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final DevCertificateAuthority ca = DevCertificateAuthority.create();
    List<byte[]> stored;
    ServerTls tls;
    Pop3Server server;
    Path caFile;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        stored = new ArrayList<>(TrickyMessages.stored().values()).subList(0, 6);
        stored.forEach(m -> store.add("alice", m));
        tls = ServerTls.builder().keyMaterial(ca.issue()).provider(provider()).build();
        caFile = dir.resolve("ca.pem");
        ca.writeCaPem(caFile);
        server = Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))
                .tls(tls).plaintextAuth(PlaintextAuth.REQUIRE_TLS)
                .listener(plain).listener(pop3s)
                .shutdownGracePeriod(Duration.ofMillis(100)).build();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        tls.close();
    }

    void readAllWithAngus(Properties props, String protocol, InetSocketAddress address) throws Exception {
        props.put("mail." + protocol + ".connectiontimeout", "5000");
        props.put("mail." + protocol + ".timeout", "10000");
        Store pop3 = Session.getInstance(props).getStore(protocol);
        pop3.connect(address.getHostString(), address.getPort(), "alice", "s3cret");
        Folder inbox = pop3.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        Message[] messages = inbox.getMessages();
        assertThat(messages).hasSize(stored.size());
        for (int i = 0; i < messages.length; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            messages[i].writeTo(out);
            assertThat(out.toByteArray()).isEqualTo(TrickyMessages.received(stored.get(i)));
        }
        inbox.close(false);
        pop3.close();
    }

    @Test
    void angusMailOverPop3s() throws Exception {
        Properties props = new Properties();
        props.put("mail.pop3s.ssl.socketFactory", ca.clientSslContext().getSocketFactory());
        props.put("mail.pop3s.ssl.checkserveridentity", "true");
        readAllWithAngus(props, "pop3s", server.localAddress(pop3s));
    }

    @Test
    void angusMailOverPop3WithStartTlsRequired() throws Exception {
        Properties props = new Properties();
        props.put("mail.pop3.starttls.enable", "true");
        props.put("mail.pop3.starttls.required", "true");
        props.put("mail.pop3.ssl.socketFactory", ca.clientSslContext().getSocketFactory());
        props.put("mail.pop3.ssl.checkserveridentity", "true");
        readAllWithAngus(props, "pop3", server.localAddress(plain));
    }

    static String run(List<String> command, String stdin) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return "exit=" + process.exitValue() + "\n" + out;
    }

    @Test
    void pythonPoplibWithStlsAndPop3Ssl() throws Exception {
        Path script = dir.resolve("tls.py");
        Files.writeString(script, String.join("\n",
                "import poplib, ssl, sys",
                "ctx = ssl.create_default_context(cafile=sys.argv[1])",
                "p = poplib.POP3('127.0.0.1', int(sys.argv[2]), timeout=20)",
                "p.stls(context=ctx)",
                "p.user('alice'); p.pass_('s3cret')",
                "print('stls', p.sock.version(), p.stat()[0])",
                "p.quit()",
                "s = poplib.POP3_SSL('127.0.0.1', int(sys.argv[3]), context=ctx, timeout=20)",
                "s.user('alice'); s.pass_('s3cret')",
                "lines = s.retr(1)[1]",
                "print('pop3s', s.sock.version(), lines[0].decode())",
                "s.quit()",
                ""));
        String out = run(List.of("python3", script.toString(), caFile.toString(),
                Integer.toString(server.localAddress(plain).getPort()),
                Integer.toString(server.localAddress(pop3s).getPort())), "");
        assertThat(out).startsWith("exit=0").contains("stls TLSv1.3 " + stored.size())
                .contains("pop3s TLSv1.3 Subject: dot");
    }

    @Test
    void opensslStartTlsAndImplicitTlsNegotiateTls13() throws Exception {
        String starttls = run(List.of("openssl", "s_client", "-starttls", "pop3", "-connect",
                "127.0.0.1:" + server.localAddress(plain).getPort(), "-CAfile", caFile.toString(),
                "-verify_return_error", "-brief", "-ign_eof"), "CAPA\r\nQUIT\r\n");
        assertThat(starttls).startsWith("exit=0").contains("Protocol version: TLSv1.3")
                .contains("Verification: OK").contains("USER");
        String implicit = run(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + server.localAddress(pop3s).getPort(), "-CAfile", caFile.toString(),
                "-verify_return_error", "-brief", "-ign_eof"), "QUIT\r\n");
        assertThat(implicit).startsWith("exit=0").contains("Verification: OK").contains("Protocol version: TLSv1.3")
                .contains("+OK Poplar POP3 server ready").contains("+OK Poplar signing off");
    }

    @Test
    void opensslOfferingOnlyTls11IsRefusedByTheServer() throws Exception {
        // SECLEVEL=0 makes the client really offer TLS 1.1, so the refusal below is the server's.
        String out = run(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + server.localAddress(pop3s).getPort(), "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0",
                "-CAfile", caFile.toString()), "QUIT\r\n");
        assertThat(out).doesNotStartWith("exit=0").containsIgnoringCase("alert protocol version")
                .doesNotContain("+OK Poplar");
    }
}
