package dev.poplar.examples;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The standalone server on real Maildirs and a Dovecot users file, through clients we did not write. */
class StandaloneServerTest {

    @TempDir
    Path dir;
    MaildirFixture fixture;

    @BeforeEach
    void fixture() throws IOException {
        fixture = new MaildirFixture(dir);
    }

    ServerOptions options() {
        return new ServerOptions(Optional.of(fixture.root), Optional.of(fixture.users), "127.0.0.1",
                ServerOptions.ANY_PORT, ServerOptions.ANY_PORT, Optional.empty(), Optional.empty(),
                Optional.of(dir.resolve("ca.pem")), false);
    }

    Standalone start() throws Exception {
        return Standalone.start(options(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    SSLContext trustingCa(Path caFile) throws Exception {
        return CdsTraining.trusting(caFile);
    }

    /** A minimal line client for the cases no library client can provoke. */
    static final class Line implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Line(InetSocketAddress address) throws IOException {
            socket = new Socket(address.getAddress(), address.getPort());
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
            in.readLine();
        }

        String send(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return in.readLine();
        }

        List<String> lines() throws IOException {
            List<String> lines = new ArrayList<>();
            for (String l; !(l = in.readLine()).equals("."); ) {
                lines.add(l);
            }
            return lines;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Nested
    class Clients {
        @Test
        void angusMailReadsEveryMaildirMessageByteForByteOverStlsAndDeletes() throws Exception {
            try (Standalone server = start()) {
                InetSocketAddress address = server.server().localAddress(server.plain().get());
                Properties props = new Properties();
                props.put("mail.pop3.starttls.enable", "true");
                props.put("mail.pop3.starttls.required", "true");
                props.put("mail.pop3.ssl.socketFactory", trustingCa(server.caFile().get()).getSocketFactory());
                props.put("mail.pop3.timeout", "20000");
                Store store = Session.getInstance(props).getStore("pop3");
                store.connect(address.getHostString(), address.getPort(), "alice", MaildirFixture.ALICE_PASSWORD);
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_WRITE);
                Message[] messages = inbox.getMessages();
                assertThat(messages).hasSize(fixture.alice.size());
                for (int i = 0; i < messages.length; i++) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    messages[i].writeTo(out);
                    assertThat(out.toByteArray()).as("message %d", i + 1)
                            .isEqualTo(MaildirFixture.received(fixture.alice.get(i)));
                }
                messages[1].setFlag(Flags.Flag.DELETED, true);
                inbox.close(true);
                store.close();
                assertThat(fixture.aliceFiles.get(1)).doesNotExist();
            }
            try (Stream<Path> files = Files.list(fixture.root.resolve("alice/cur"))) {
                assertThat(files.count() + Files.list(fixture.root.resolve("alice/new")).count())
                        .isEqualTo(fixture.alice.size() - 1);
            }
        }

        @Test
        void pythonPoplibReadsEveryMessageOverPop3sWithASha512CryptUser() throws Exception {
            try (Standalone server = start()) {
                Path script = dir.resolve("read.py");
                Files.writeString(script, String.join("\n",
                        "import poplib, ssl, sys",
                        "ctx = ssl.create_default_context(cafile=sys.argv[1])",
                        "out = open(sys.argv[5], 'wb')",
                        "for user, password in (('alice', sys.argv[3]), ('bob', sys.argv[4])):",
                        "    p = poplib.POP3_SSL('127.0.0.1', int(sys.argv[2]), context=ctx, timeout=30)",
                        "    p.user(user); p.pass_(password)",
                        "    for n in range(1, p.stat()[0] + 1):",
                        "        out.write(b''.join(l + b'\\r\\n' for l in p.retr(n)[1]) + b'\\0')",
                        "    p.quit()",
                        ""));
                Path output = dir.resolve("read.bin");
                Process python = new ProcessBuilder("python3", script.toString(), server.caFile().get().toString(),
                        Integer.toString(server.server().localAddress(server.secure().get()).getPort()),
                        MaildirFixture.ALICE_PASSWORD, MaildirFixture.BOB_PASSWORD, output.toString())
                        .redirectErrorStream(true).start();
                String log = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(python.exitValue()).as(log).isZero();
                byte[] all = Files.readAllBytes(output);
                List<byte[]> expected = new ArrayList<>();
                fixture.alice.forEach(m -> expected.add(MaildirFixture.received(m)));
                expected.add(MaildirFixture.received("Subject: for bob\n\nhello bob\n".getBytes()));
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                for (byte[] e : expected) {
                    joined.write(e);
                    joined.write(0);
                }
                assertThat(all).isEqualTo(joined.toByteArray());
            }
        }
    }

    @Nested
    class Maildirs {
        @Test
        void aSecondServerOnTheSameRootGetsInUseAndTheLockIsReleasedAfterADroppedConnection() throws Exception {
            try (Standalone one = start(); Standalone two = start()) {
                Line first = new Line(one.server().localAddress(one.plain().get()));
                first.send("USER alice");
                assertThat(first.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("+OK");
                try (Line second = new Line(two.server().localAddress(two.plain().get()))) {
                    second.send("USER alice");
                    assertThat(second.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("-ERR [IN-USE]");
                }
                assertThat(first.send("DELE 1")).startsWith("+OK");
                first.close();
                long deadline = System.nanoTime() + 10_000_000_000L;
                String reply = "";
                while (System.nanoTime() < deadline) {
                    try (Line third = new Line(two.server().localAddress(two.plain().get()))) {
                        third.send("USER alice");
                        reply = third.send("PASS " + MaildirFixture.ALICE_PASSWORD);
                        if (reply.startsWith("+OK")) {
                            assertThat(third.send("STAT")).startsWith("+OK " + fixture.alice.size() + " ");
                            break;
                        }
                    }
                    // Not released yet: try again shortly, without holding a core meanwhile.
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                }
                assertThat(reply).startsWith("+OK");
            }
        }

        @Test
        void mailDeliveredDuringASessionAppearsInTheNextAndVanishedFilesGetAClearError() throws Exception {
            try (Standalone server = start()) {
                InetSocketAddress address = server.server().localAddress(server.plain().get());
                try (Line session = new Line(address)) {
                    session.send("USER alice");
                    session.send("PASS " + MaildirFixture.ALICE_PASSWORD);
                    fixture.deliver("alice", "Subject: late\n\nlate\n".getBytes(), 0, true);
                    assertThat(session.send("STAT")).startsWith("+OK " + fixture.alice.size() + " ");
                    Files.delete(fixture.aliceFiles.get(0));
                    assertThat(session.send("RETR 1")).startsWith("-ERR").doesNotContain("[SYS");
                    assertThat(session.send("RETR 2")).startsWith("+OK");
                    session.lines();
                    assertThat(session.send("QUIT")).startsWith("+OK");
                }
                try (Line next = new Line(address)) {
                    next.send("USER alice");
                    next.send("PASS " + MaildirFixture.ALICE_PASSWORD);
                    assertThat(next.send("STAT")).startsWith("+OK " + fixture.alice.size() + " ");
                }
            }
        }

        @Test
        void aMessageThatCannotBeRemovedIsReportedAndTheOthersAreRemoved() throws Exception {
            try (Standalone server = start()) {
                try (Line session = new Line(server.server().localAddress(server.plain().get()))) {
                    session.send("USER alice");
                    session.send("PASS " + MaildirFixture.ALICE_PASSWORD);
                    session.send("DELE 1");
                    session.send("DELE 2");
                    // Something in the way: the file became a non-empty directory that cannot be unlinked.
                    Path stuck = fixture.aliceFiles.get(1);
                    Files.delete(stuck);
                    Files.createDirectories(stuck.resolve("in-the-way"));
                    assertThat(session.send("QUIT")).startsWith("-ERR [SYS/TEMP]").contains("1 of 2");
                }
                assertThat(fixture.aliceFiles.get(0)).doesNotExist();
                assertThat(fixture.aliceFiles.get(1)).isDirectory();
                assertThat(fixture.aliceFiles.subList(2, fixture.aliceFiles.size())).allMatch(Files::exists);
            }
        }
    }

    @Nested
    class CommandLine {
        @Test
        void badArgumentsAreOneClearLine() throws Exception {
            assertThatThrownBy(() -> ServerOptions.parse("--port", "x")).hasMessage("--port must be a number: x");
            assertThatThrownBy(() -> ServerOptions.parse("--maildir-root", "/srv/mail"))
                    .hasMessage("--maildir-root and --users go together");
            assertThatThrownBy(() -> ServerOptions.parse("--cert", "c.pem")).hasMessage("--cert and --key go together");
            assertThatThrownBy(() -> ServerOptions.parse("--frobnicate")).hasMessageContaining("unknown option");
            assertThatThrownBy(() -> ServerOptions.parse("--port", "0", "--tls-port", "0"))
                    .hasMessageContaining("nothing to listen on");
            assertThatThrownBy(() -> ServerOptions.parse("--bind")).hasMessage("--bind needs a value");
            assertThatThrownBy(() -> ServerOptions.parse("--max-connections", "0"))
                    .hasMessage("--max-connections must be at least 1: 0");
            assertThat(ServerOptions.parse("--max-connections", "5", "--max-connections-per-address", "2"))
                    .hasValueSatisfying(o -> {
                        assertThat(o.maxConnections()).isEqualTo(5);
                        assertThat(o.maxConnectionsPerAddress()).isEqualTo(2);
                    });
        }

        @Test
        void badFilesAreOneLineNamingTheFile() throws Exception {
            Files.writeString(fixture.users, "alice:{NOPE}secret\n");
            assertThatThrownBy(StandaloneServerTest.this::start).isInstanceOf(Standalone.StartupException.class)
                    .hasMessageContaining(fixture.users.toString()).hasMessageContaining("1")
                    .satisfies(e -> assertThat(((Standalone.StartupException) e).status()).isEqualTo(2));
            Path missing = dir.resolve("missing.pem");
            ServerOptions o = options();
            ServerOptions withCert = new ServerOptions(o.maildirRoot(), o.users(), o.bind(), o.port(), o.tlsPort(),
                    Optional.of(missing), Optional.of(missing), o.caFile(), false);
            Files.writeString(fixture.users, "alice:{PLAIN}x\n");
            assertThatThrownBy(() -> Standalone.start(withCert, System.out))
                    .isInstanceOf(Standalone.StartupException.class).hasMessageContaining(missing.toString());
        }

        @Test
        void theProcessExitsWithStatus2AndOneLineOnABadArgument() throws Exception {
            Process process = java("--port", "99999");
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(2);
            assertThat(err.strip()).isEqualTo("poplar: --port must be between 0 and 65535: 99999");
        }

        @Test
        void theProcessServesMaildirsLogsOneLinePerSessionAndStopsGracefullyOnSigterm() throws Exception {
            // The child needs a port number: a free one is found and closed here, and another test may bind it
            // before the child does. Then the child fails to listen, and it is started again on another port.
            int port = 0;
            Process process = null;
            BufferedReader out = null;
            List<String> printed = new ArrayList<>();
            for (int attempt = 1; process == null && attempt <= 5; attempt++) {
                try (ServerSocket probe = new ServerSocket(0)) {
                    port = probe.getLocalPort();
                }
                Process started = java("--maildir-root", fixture.root.toString(), "--users",
                        fixture.users.toString(), "--port", Integer.toString(port), "--tls-port", "0");
                BufferedReader reader = new BufferedReader(new InputStreamReader(started.getInputStream(),
                        StandardCharsets.UTF_8));
                printed.clear();
                String line;
                while ((line = reader.readLine()) != null && !line.contains("Stop with Ctrl-C")) {
                    printed.add(line);
                }
                if (line != null) {
                    process = started;
                    out = reader;
                } else {
                    String err = new String(started.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(started.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(err).as("why the server did not start").contains(Integer.toString(port));
                }
            }
            assertThat(process).as("the server started on a free port within five tries").isNotNull();
            int listening = port;
            assertThat(printed).anyMatch(l -> l.contains("POP3 with STLS on 127.0.0.1:" + listening));
            try (Line session = new Line(new InetSocketAddress("127.0.0.1", port))) {
                session.send("USER bob");
                assertThat(session.send("PASS " + MaildirFixture.BOB_PASSWORD)).startsWith("+OK");
                assertThat(session.send("QUIT")).startsWith("+OK");
            }
            process.toHandle().destroy();
            StringBuilder rest = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                rest.append(line).append('\n');
            }
            String log = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(rest.toString()).contains("Poplar POP3 server stopped.");
            assertThat(log.lines().filter(l -> l.contains("user=bob"))).singleElement()
                    .satisfies(l -> assertThat(l).contains("end=QUIT"));
            assertThat(log).doesNotContain("Exception");
        }

        Process java(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), PoplarServer.class.getName()));
            command.addAll(List.of(args));
            return new ProcessBuilder(command).start();
        }
    }
}
