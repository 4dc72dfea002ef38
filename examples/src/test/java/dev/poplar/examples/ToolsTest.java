package dev.poplar.examples;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** poplar pw and poplar app-password, checked by logging in to a real server with what they produced. */
class ToolsTest {

    @TempDir
    Path dir;
    MaildirFixture fixture;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void fixture() throws IOException {
        fixture = new MaildirFixture(dir);
    }

    PrintStream print(ByteArrayOutputStream to) {
        return new PrintStream(to, true, StandardCharsets.UTF_8);
    }

    int pw(String stdin, String... args) {
        out.reset();
        err.reset();
        return PasswordTool.run(args, Optional.empty(), new BufferedReader(new StringReader(stdin)), print(out),
                print(err));
    }

    String printed() {
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    Standalone server(String extraAuth) throws Exception {
        Path config = dir.resolve("poplar.yaml");
        Files.writeString(config, "listeners: [{port: 0}]\nstore: {maildir: {root: mail}}\n"
                + "auth:\n  users_file: users\n  reload_check_interval: 0s\n" + extraAuth);
        return Standalone.start(ServerConfig.fromFile(config, name -> null), print(new ByteArrayOutputStream()));
    }

    String login(Standalone server, String user, String password) throws IOException {
        try (StandaloneServerTest.Line session = new StandaloneServerTest.Line(
                server.server().localAddress(server.plain().get()))) {
            session.send("USER " + user);
            return session.send("PASS " + password);
        }
    }

    @Nested
    class Pw {
        @Test
        void aHashFromStandardInputLogsInThroughTheUsersFile() throws Exception {
            assertThat(pw("carol-pass\n", "-s", "SHA256-CRYPT", "-r", "6000")).isZero();
            assertThat(printed()).startsWith("{SHA256-CRYPT}$5$rounds=6000$");
            Files.writeString(fixture.users, "carol:" + printed() + "\n", java.nio.file.StandardOpenOption.APPEND);
            try (Standalone server = server("")) {
                assertThat(login(server, "carol", "carol-pass")).startsWith("+OK");
                assertThat(login(server, "carol", "wrong")).startsWith("-ERR");
            }
        }

        @Test
        void everySchemeHashesAndVerifiesAndTestingAHashSaysWhetherItMatches() {
            assertThat(pw("", "-l")).isZero();
            assertThat(printed().lines()).contains("PLAIN", "SHA512-CRYPT", "BLF-CRYPT", "ARGON2ID", "SCRAM-SHA-256");
            for (String scheme : printed().lines().toList()) {
                assertThat(pw("", "-s", scheme, "-p", "pa55word", "-V")).as(scheme).isZero();
                assertThat(printed()).startsWith("{" + scheme + "}").endsWith(" (verified)");
            }
            assertThat(pw("", "-p", "s3cret")).isZero();
            String hash = printed();
            assertThat(pw("s3cret\n", "-t", hash)).isZero();
            assertThat(printed()).isEqualTo(hash + " (verified)");
            assertThat(pw("", "-t", hash, "-p", "other")).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("does not match");
        }

        @Test
        void badArgumentsAreOneLineAndStatus2() {
            assertThat(pw("x\n", "-s", "ROT13")).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("poplar pw: unknown password scheme ROT13");
            assertThat(pw("x\n", "-s", "SHA512-CRYPT", "-r", "10")).isEqualTo(2);
            assertThat(pw("", "-s", "SHA512-CRYPT")).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("no password on standard input");
            assertThat(pw("\n")).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("the password is empty");
        }
    }

    @Nested
    class AppPassword {
        int run(String... args) {
            out.reset();
            err.reset();
            return AppPasswordTool.run(args, print(out), print(err));
        }

        @Test
        void anAddedAppPasswordLogsInUntilItIsRevoked() throws Exception {
            try (Standalone server = server("  app_passwords: app-passwords\n")) {
                Path config = dir.resolve("poplar.yaml");
                assertThat(run("add", "alice", "Phone", "--network", "127.0.0.0/8", "--config", config.toString()))
                        .isZero();
                String secret = printed().lines().toList().get(1).strip();
                assertThat(printed()).contains("for alice (Phone), from 127.0.0.0/8");
                assertThat(login(server, "alice", secret)).startsWith("+OK");

                assertThat(run("list", "alice", "--config", config.toString())).isZero();
                String line = printed().lines().filter(l -> l.startsWith("alice")).findFirst().orElseThrow();
                assertThat(line).contains("valid", "127.0.0.0/8", "Phone").doesNotContain(secret);
                String id = line.split("\\s+")[1];

                assertThat(run("revoke", "alice", id, "--file", dir.resolve("app-passwords").toString())).isZero();
                assertThat(login(server, "alice", secret)).startsWith("-ERR");
                assertThat(run("revoke", "alice", id, "--config", config.toString())).isEqualTo(1);
            }
        }

        @Test
        void withoutAFileOrWithBadArgumentsItSaysWhyAndExitsWith2() throws Exception {
            assertThat(run("add", "alice", "Phone")).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("give --config FILE or --file FILE");
            Path config = dir.resolve("no-apps.yaml");
            Files.writeString(config, "auth: {users_file: users}\n");
            assertThat(run("list", "--config", config.toString())).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("has no auth.app_passwords");
            assertThat(run("add", "alice", "Phone", "--network", "not-a-network", "--file",
                    dir.resolve("apps").toString())).isEqualTo(2);
            assertThat(run("frobnicate", "--file", dir.resolve("apps").toString())).isEqualTo(2);
        }
    }
}
