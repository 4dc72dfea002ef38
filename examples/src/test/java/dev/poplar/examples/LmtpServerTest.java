package dev.poplar.examples;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The LMTP listener of the standalone server, delivering into real Maildirs. */
class LmtpServerTest {

    @TempDir
    Path dir;

    Standalone start(String storeOptions) throws Exception {
        Files.writeString(dir.resolve("users"), "alice:{PLAIN}alice-pass\nbob:{PLAIN}bob-pass\n");
        Files.createDirectories(dir.resolve("mail"));
        Path file = dir.resolve("poplar.yaml");
        Files.writeString(file, String.join("\n",
                "listeners: [{port: 0}]",
                "store: {maildir: {root: mail" + storeOptions + "}}",
                "auth: {users_file: users}",
                "lmtp: {address: 127.0.0.1, port: 0}",
                ""));
        ServerConfig config = ServerConfig.fromFile(file, Map.<String, String>of()::get);
        return Standalone.start(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    List<String> newMail(String user) throws IOException {
        Path news = dir.resolve("mail").resolve(user).resolve("new");
        if (!Files.isDirectory(news)) {
            return List.of();
        }
        List<String> contents = new ArrayList<>();
        try (Stream<Path> files = Files.list(news)) {
            for (Path f : files.sorted().toList()) {
                contents.add(Files.readString(f));
            }
        }
        return contents;
    }

    /** An LMTP client: one command, its reply lines (all of a multi-line reply). */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client(InetSocketAddress address) throws IOException {
            socket = new Socket(address.getAddress(), address.getPort());
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("220 ");
        }

        String send(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply();
        }

        String reply() throws IOException {
            String line = in.readLine();
            while (line != null && line.length() > 3 && line.charAt(3) == '-') {
                line = in.readLine();
            }
            return line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Nested
    class Delivering {

        @Test
        void aMessageForTwoRecipientsIsDotUnstuffedAndGetsOneReplyPerRecipient() throws Exception {
            try (Standalone server = start(""); Client lmtp = new Client(server.lmtp().orElseThrow().address())) {
                assertThat(lmtp.send("LHLO mta.example.org")).startsWith("250 ");
                assertThat(lmtp.send("MAIL FROM:<sender@example.org>")).startsWith("250 ");
                assertThat(lmtp.send("RCPT TO:<alice@example.org>")).startsWith("250 ");
                assertThat(lmtp.send("RCPT TO:<bob@example.org>")).startsWith("250 ");
                assertThat(lmtp.send("DATA")).startsWith("354 ");
                String replyAlice = lmtp.send("Subject: hi\r\n\r\n..leading dot\r\n.");
                String replyBob = lmtp.reply();
                assertThat(replyAlice).startsWith("250 2.0.0 ");
                assertThat(replyBob).startsWith("250 2.0.0 ");
                assertThat(lmtp.send("QUIT")).startsWith("221 ");
            }
            String expected = "Subject: hi\r\n\r\n.leading dot\r\n";
            assertThat(newMail("alice")).containsExactly(expected);
            assertThat(newMail("bob")).containsExactly(expected);
        }

        @Test
        void aRefusedMailboxFailsThatRecipientAloneAndTheSessionGoesOn() throws Exception {
            Files.createDirectories(dir.resolve("mail/alice/new"));
            Files.createDirectories(dir.resolve("mail/alice/cur"));
            Files.createDirectories(dir.resolve("mail/alice/tmp"));
            try (Standalone server = start(", create_missing_mailboxes: false");
                 Client lmtp = new Client(server.lmtp().orElseThrow().address())) {
                lmtp.send("LHLO mta");
                lmtp.send("MAIL FROM:<>");
                lmtp.send("RCPT TO:<nobody@example.org>");
                lmtp.send("DATA");
                assertThat(lmtp.send("Subject: one\r\n\r\nbody\r\n.")).startsWith("550 5.1.1");
                lmtp.send("MAIL FROM:<>");
                lmtp.send("RCPT TO:<nobody@example.org>");
                lmtp.send("RCPT TO:<alice@example.org>");
                lmtp.send("DATA");
                assertThat(lmtp.send("Subject: two\r\n\r\nbody\r\n.")).startsWith("550 5.1.1");
                assertThat(lmtp.reply()).startsWith("250 2.0.0");
            }
            assertThat(newMail("alice")).containsExactly("Subject: two\r\n\r\nbody\r\n");
            assertThat(dir.resolve("mail/nobody")).doesNotExist();
        }

        @Test
        void commandsOutOfOrderAreRefusedWithoutEndingTheSession() throws Exception {
            try (Standalone server = start(""); Client lmtp = new Client(server.lmtp().orElseThrow().address())) {
                assertThat(lmtp.send("MAIL FROM:<a@b>")).startsWith("503 ");
                assertThat(lmtp.send("LHLO mta")).startsWith("250 ");
                assertThat(lmtp.send("RCPT TO:<alice@b>")).startsWith("503 ");
                assertThat(lmtp.send("DATA")).startsWith("503 ");
                assertThat(lmtp.send("HELO mta")).startsWith("500 ");
                assertThat(lmtp.send("NOOP")).startsWith("250 ");
            }
            assertThat(newMail("alice")).isEmpty();
        }
    }

    @Nested
    class DotStuffing {

        String read(String wire) throws IOException {
            InputStream in = new LmtpServer.DotStuffedInput(new ByteArrayInputStream(
                    wire.getBytes(StandardCharsets.US_ASCII)));
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }

        @Test
        void theTerminatingLineEndsTheMessageAndLeadingDotsAreRemoved() throws IOException {
            assertThat(read("a\r\n..b\r\n.c\r\n.\r\nafter")).isEqualTo("a\r\n.b\r\nc\r\n");
            assertThat(read(".\r\n")).isEmpty();
            assertThat(read("bare\n.\n")).isEqualTo("bare\n");
            assertThat(read("x.\r\n.\r\n")).isEqualTo("x.\r\n");
        }

        @Test
        void aConnectionThatEndsBeforeTheTerminatingLineIsAnError() {
            assertThatThrownBy(() -> read("Subject: cut\r\n\r\npart")).isInstanceOf(IOException.class);
        }

        @Test
        void theMailboxIsTheLocalPartOfTheAddress() {
            assertThat(LmtpServer.mailbox("<alice@example.org>")).isEqualTo("alice");
            assertThat(LmtpServer.mailbox(" <bob@example.org> NOTIFY=NEVER")).isEqualTo("bob");
            assertThat(LmtpServer.mailbox("<@example.org>")).isNull();
        }
    }
}
