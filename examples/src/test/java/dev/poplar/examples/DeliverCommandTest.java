package dev.poplar.examples;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.jdbc.JdbcMailboxStore;
import dev.poplar.pop3.store.jdbc.PostgresExtension;
import dev.poplar.pop3.store.jdbc.TestSchema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code poplar deliver}: a message on standard input into the configured store, with sysexits statuses, against real
 * Maildirs and a real PostgreSQL, through {@link DeliverCommand#run} and through the main method in a process of its
 * own.
 */
class DeliverCommandTest {

    static final String MESSAGE = "Subject: delivered\n\nhello from the delivery agent\n";

    @TempDir
    Path dir;

    /** What one run printed and returned. */
    record Result(int status, String out, String err) {
    }

    Result deliver(Path config, String user, InputStream message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DeliverCommand.run(new String[] {"--config", config.toString(), user}, message,
                Map.of("DB_PASSWORD", "trust-ignores-it")::get, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static InputStream text(String message) {
        return new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8));
    }

    Path config(String store) throws IOException {
        Files.writeString(dir.resolve("users"), "alice:{PLAIN}alice-pass\n");
        Path file = dir.resolve("poplar.yaml");
        Files.writeString(file, String.join("\n",
                "listeners: [{address: 127.0.0.1, port: 0}]",
                "store: " + store,
                store.startsWith("{memory") ? "" : "auth: {users_file: users}",
                ""));
        return file;
    }

    @Nested
    class IntoMaildirs {

        Path mail;

        @BeforeEach
        void root() throws IOException {
            mail = Files.createDirectories(dir.resolve("mail"));
        }

        List<Path> newMail(String user) throws IOException {
            try (Stream<Path> files = Files.list(mail.resolve(user).resolve("new"))) {
                return files.toList();
            }
        }

        @Test
        void theMessageLandsInTheUsersMaildirAndItsUniqueIdIsPrinted() throws Exception {
            Result result = deliver(config("{maildir: {root: mail}}"), "alice", text(MESSAGE));

            assertThat(result.status()).as(result.err()).isZero();
            assertThat(newMail("alice")).singleElement().satisfies(file -> {
                assertThat(file).hasContent(MESSAGE);
                assertThat(result.out()).startsWith(file.getFileName().toString().split(",")[0]);
            });
            assertThat(result.out().strip()).endsWith(" " + MESSAGE.replace("\n", "\r\n").length());
        }

        @Test
        void anMboxEnvelopeLineBeforeTheHeadersIsDropped() throws Exception {
            Result result = deliver(config("{maildir: {root: mail}}"), "alice",
                    text("From sender@example.org Sat Nov 28 17:00:00 2026\n" + MESSAGE));

            assertThat(result.status()).as(result.err()).isZero();
            assertThat(newMail("alice")).singleElement().satisfies(file -> assertThat(file).hasContent(MESSAGE));
        }

        @Test
        void aMessageStartingWithAnotherWordKeepsItsFirstLine() throws Exception {
            String message = "Fro: not an envelope\n" + MESSAGE;
            Result result = deliver(config("{maildir: {root: mail}}"), "alice", text(message));

            assertThat(result.status()).as(result.err()).isZero();
            assertThat(newMail("alice")).singleElement().satisfies(file -> assertThat(file).hasContent(message));
        }

        @Test
        void aMissingMailboxThatMayNotBeCreatedIsAnUnknownUser() throws Exception {
            Result result = deliver(config("{maildir: {root: mail, create_missing_mailboxes: false}}"), "nobody",
                    text(MESSAGE));

            assertThat(result.status()).isEqualTo(DeliverCommand.EX_NOUSER);
            assertThat(result.err()).startsWith("poplar deliver: ");
            assertThat(mail.resolve("nobody")).doesNotExist();
        }

        @Test
        void aFailureReadingTheMessageIsTemporaryAndLeavesNothing() throws Exception {
            InputStream breaking = new InputStream() {
                int sent;

                @Override
                public int read() throws IOException {
                    if (sent++ < 100) {
                        return 'x';
                    }
                    throw new IOException("pipe closed");
                }
            };
            Result result = deliver(config("{maildir: {root: mail}}"), "alice", breaking);

            assertThat(result.status()).isEqualTo(DeliverCommand.EX_TEMPFAIL);
            assertThat(result.err()).contains("pipe closed");
            assertThat(newMail("alice")).isEmpty();
        }
    }

    @Nested
    class Refusals {

        @Test
        void argumentsOtherThanConfigAndUserAreAUsageError() {
            Result result = deliver(dir.resolve("poplar.yaml"), "alice", text(MESSAGE));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int missingUser = DeliverCommand.run(new String[] {"--config", "poplar.yaml"}, text(MESSAGE),
                    k -> null, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(missingUser).isEqualTo(DeliverCommand.EX_USAGE);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(DeliverCommand.USAGE);
            assertThat(result.status()).as("a missing file").isEqualTo(DeliverCommand.EX_TEMPFAIL);
        }

        @Test
        void aBrokenConfigurationKeepsTheMailQueued() throws Exception {
            Result result = deliver(config("{maildir: {root: mail, no_such_key: 1}}"), "alice", text(MESSAGE));

            assertThat(result.status()).isEqualTo(DeliverCommand.EX_TEMPFAIL);
            assertThat(result.err()).contains("no_such_key");
        }

        @Test
        void theDemoStoreCannotReceiveMail() throws Exception {
            Result result = deliver(config("{memory: {user: demo, password: x}}"), "demo", text(MESSAGE));

            assertThat(result.status()).isEqualTo(DeliverCommand.EX_UNAVAILABLE);
            assertThat(result.err()).contains("cannot receive mail");
        }
    }

    @Nested
    @ExtendWith(PostgresExtension.class)
    class IntoPostgres {

        TestSchema schema;

        @BeforeEach
        void schema(TestSchema schema) {
            this.schema = schema;
        }

        String jdbc(String extra) {
            return "{jdbc: {url: '" + schema.server().jdbcUrl("postgres") + "', user: postgres, password: "
                    + "'${env:DB_PASSWORD}', schema: " + schema.name() + extra + "}}";
        }

        List<MessageInfo> listing(String user) throws Exception {
            JdbcMailboxStore store = schema.store();
            try (Maildrop maildrop = store.open(user)) {
                return maildrop.messages();
            }
        }

        @Test
        void theMessageIsStoredAndServedWithThePrintedUniqueIdAndSize() throws Exception {
            Result result = deliver(config(jdbc("")), "alice", text(MESSAGE));

            assertThat(result.status()).as(result.err()).isZero();
            assertThat(listing("alice")).singleElement().satisfies(m ->
                    assertThat(result.out().strip()).isEqualTo(m.uid() + " " + m.size()));
        }

        @Test
        void aMessageOverTheSizeLimitIsADataErrorAndLeavesNothing() throws Exception {
            Result result = deliver(config(jdbc(", max_message_size: 1000")), "alice",
                    text("Subject: big\n\n" + "x".repeat(5000) + "\n"));

            assertThat(result.status()).as(result.err()).isEqualTo(DeliverCommand.EX_DATAERR);
            assertThat(listing("alice")).isEmpty();
        }

        @Test
        void aMailboxThatDoesNotExistIsAnUnknownUser() throws Exception {
            Result result = deliver(config(jdbc(", create_missing_mailboxes: false")), "nobody", text(MESSAGE));

            assertThat(result.status()).as(result.err()).isEqualTo(DeliverCommand.EX_NOUSER);
            assertThat(result.err()).contains("nobody");
        }

        @Test
        void aDatabaseThatDoesNotAnswerIsATemporaryFailure() throws Exception {
            int closed;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closed = socket.getLocalPort();
            }
            String store = "{jdbc: {url: 'jdbc:postgresql://127.0.0.1:" + closed + "/postgres', user: postgres,"
                    + " connection_timeout: 1s}}";
            Result result = deliver(config(store), "alice", text(MESSAGE));

            assertThat(result.status()).as(result.err()).isEqualTo(DeliverCommand.EX_TEMPFAIL);
            assertThat(result.err()).startsWith("poplar deliver: ");
        }

        @Test
        void theMainMethodInAProcessOfItsOwnDeliversStandardInputAndExitsZero() throws Exception {
            Path config = config(jdbc(""));
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), PoplarServer.class.getName(),
                    "deliver", "--config", config.toString()));
            Process ok = start(command, "alice", MESSAGE);

            assertThat(ok.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String err = new String(ok.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ok.exitValue()).as(err).isZero();
            assertThat(err).as("only problems on standard error").isEmpty();
            String printed = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(listing("alice")).singleElement()
                    .satisfies(m -> assertThat(printed).isEqualTo(m.uid() + " " + m.size()));
            Process unknown = start(command, "", MESSAGE);
            assertThat(unknown.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(unknown.exitValue()).as("an empty user name: %s",
                    new String(unknown.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(DeliverCommand.EX_NOUSER);
        }

        Process start(List<String> command, String user, String message) throws IOException {
            List<String> full = new ArrayList<>(command);
            full.add(user);
            ProcessBuilder builder = new ProcessBuilder(full);
            builder.environment().put("DB_PASSWORD", "trust-ignores-it");
            Process process = builder.start();
            process.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            return process;
        }
    }
}
