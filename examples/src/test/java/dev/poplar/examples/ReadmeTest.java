package dev.poplar.examples;

import dev.poplar.pop3.server.Pop3Server;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README cannot rot: its embedding example is this module's code, and what it promises works. */
class ReadmeTest {

    static final Path ROOT = Path.of("..");

    static String between(String text, String begin, String end) {
        int from = text.indexOf(begin);
        int to = text.indexOf(end, from + begin.length());
        assertThat(from).as("marker %s", begin).isNotNegative();
        assertThat(to).as("marker %s", end).isPositive();
        return text.substring(from + begin.length(), to);
    }

    @Test
    void theReadmeShowsExactlyTheEmbeddingExampleCode() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String snippet = between(readme, "## Embedding\n\n```java\n", "```");
        String source = Files.readString(Path.of("src/main/java/dev/poplar/examples/EmbeddingExample.java"));
        String code = between(source, "// README-BEGIN\n", "        // README-END");
        assertThat(snippet).isEqualTo(code.replaceAll("(?m)^ {8}", ""));
    }

    @Test
    void theEmbeddingExampleServesItsMailboxToAJakartaMailClient() throws Exception {
        try (Pop3Server server = EmbeddingExample.start()) {
            Store store = Session.getInstance(new Properties()).getStore("pop3");
            store.connect(server.localAddress().getHostString(), server.localAddress().getPort(), "alice", "s3cret");
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message[] messages = inbox.getMessages();
            assertThat(messages).hasSize(1);
            assertThat(messages[0].getSubject()).isEqualTo("Your order");
            inbox.close(false);
            store.close();
        }
    }

    @Test
    void theDemoServerPrintsCurlCommandsThatListTheMailboxInClearAndOverTls() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ServerOptions demo = new ServerOptions(Optional.empty(), Optional.empty(), "127.0.0.1",
                ServerOptions.ANY_PORT, ServerOptions.ANY_PORT, Optional.empty(), Optional.empty(), Optional.empty(),
                false);
        try (Standalone server = Standalone.start(demo, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            String out = printed.toString(StandardCharsets.UTF_8);
            Matcher curl = Pattern.compile("curl -u demo:(\\S+) pop3://127\\.0\\.0\\.1:(\\d+)/\\n").matcher(out);
            assertThat(curl.find()).as(out).isTrue();
            assertThat(Integer.parseInt(curl.group(2))).isEqualTo(server.server().localAddress().getPort());
            String listing = run("curl", "-sS", "-u", "demo:" + curl.group(1), "pop3://127.0.0.1:" + curl.group(2) + "/");
            assertThat(listing.split("\r\n")).hasSize(3).allMatch(line -> line.matches("\\d+ \\d+"));
            Matcher tls = Pattern.compile("(curl --cacert \\S+ -u demo:\\S+ pop3s://127\\.0\\.0\\.1:\\d+/1)\\n")
                    .matcher(out);
            assertThat(tls.find()).as(out).isTrue();
            String message = run((tls.group(1).replace("curl ", "curl -sS ")).split(" "));
            assertThat(message).contains("Subject: Welcome to Poplar");
        }
    }

    /** Runs a command to its end, within a minute: its output goes to a file, so a hung command cannot hang the test. */
    static String run(String... command) throws Exception {
        Path output = Files.createTempFile("command", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within 60 s: "
                        + Files.readString(output));
            }
            String printed = Files.readString(output);
            assertThat(process.exitValue()).as(printed).isZero();
            return printed;
        } finally {
            Files.delete(output);
        }
    }

    @Test
    void theReadmeOpensWithTheTwoCommands() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String commands = between(readme, "```sh\n", "```");
        assertThat(commands).contains("java -jar examples/target/poplar-server.jar").contains("mvn -B verify");
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>poplar-server</finalName>");
    }
}
