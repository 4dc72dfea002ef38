package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PasswdFileAuthenticatorTest {

    static final ClientInfo CLIENT = new ClientInfo("session-1", "default",
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 110), false, List.of());

    @TempDir
    Path dir;

    static Path resource(String name) {
        try {
            return Path.of(PasswdFileAuthenticatorTest.class.getResource("/users/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static AuthResult login(PasswdFileAuthenticator authenticator, String user, String password) {
        return authenticator.authenticate(new Credentials.Password(user, password), CLIENT);
    }

    Path usersFile(String... lines) throws IOException {
        return Files.writeString(dir.resolve("users"), String.join("\n", lines) + "\n");
    }

    PasswdFileException loadFailure(String... lines) throws IOException {
        Path file = usersFile(lines);
        return catchThrowableOfType(PasswdFileException.class, () -> PasswdFileAuthenticator.load(file));
    }

    @Nested
    class ReferenceHashes {

        static Stream<Arguments> referenceUsers() {
            try (Stream<String> lines = Files.lines(resource("reference.passwords"), StandardCharsets.UTF_8)) {
                return lines.map(line -> line.split("\t", 2)).map(f -> Arguments.of(f[0], f[1])).toList().stream();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("referenceUsers")
        void theRightPasswordIsAcceptedWithTheUserAsMailboxAndAWrongOneRejected(String user, String password)
                throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(resource("reference.passwd"));

            assertThat(login(authenticator, user, password)).isEqualTo(AuthResult.accept(user));
            assertThat(login(authenticator, user, "x" + password)).isInstanceOf(AuthResult.Rejected.class);
        }

        @Test
        void everyReferenceEntryIsLoaded() throws Exception {
            long users = ReferenceHashes.referenceUsers().count();
            assertThat(PasswdFileAuthenticator.load(resource("reference.passwd")).userCount()).isEqualTo(users)
                    .isGreaterThan(20);
        }

        @Test
        void bcryptLooksAtTheFirst72OctetsOnlyAsEveryImplementationDoes() throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(resource("reference.passwd"));
            assertThat(login(authenticator, "blfcrypt-long-htpasswd", "L".repeat(72) + "anything"))
                    .isInstanceOf(AuthResult.Accepted.class);
            assertThat(login(authenticator, "blfcrypt-long-htpasswd", "L".repeat(71)))
                    .isInstanceOf(AuthResult.Rejected.class);
        }
    }

    @Nested
    class Rejections {

        @Test
        void aUserMissingFromTheFileIsRejected() throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(usersFile("alice:{PLAIN}secret"));
            assertThat(login(authenticator, "bob", "secret")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "alice", "secreT")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "alice", "")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "Alice", "secret")).isInstanceOf(AuthResult.Rejected.class);
        }

        @Test
        void anotherAuthorizationIdentityIsRejected() throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(usersFile("alice:{PLAIN}secret"));
            assertThat(authenticator.authenticate(new Credentials.Password("alice", "secret", "bob"), CLIENT))
                    .isInstanceOf(AuthResult.Rejected.class);
            assertThat(authenticator.authenticate(new Credentials.Password("alice", "secret", "alice"), CLIENT))
                    .isEqualTo(AuthResult.accept("alice"));
        }

        @Test
        void apopIsNeitherOfferedNorAccepted() throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(usersFile("alice:{PLAIN}secret"));
            assertThat(authenticator.supports(Credentials.Apop.class)).isFalse();
            assertThat(authenticator.supports(Credentials.Password.class)).isTrue();
            // MD5("<1.2@host>secret")
            String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                    .digest("<1.2@host>secret".getBytes(StandardCharsets.UTF_8)));
            assertThat(authenticator.authenticate(new Credentials.Apop("alice", "<1.2@host>", digest), CLIENT))
                    .isInstanceOf(AuthResult.Rejected.class);
        }
    }

    @Nested
    class Format {

        @Test
        void commentsBlankLinesCrlfLineEndsAndFurtherFieldsAreAccepted() throws Exception {
            Path file = Files.writeString(dir.resolve("users"), "# users\r\n\r\n  # indented comment\r\n"
                    + "alice:{PLAIN}secret:1000:1000::/home/alice::userdb_mail=maildir:~/Maildir\r\n"
                    + "bob:{plain}other\r\n");
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(file);
            assertThat(authenticator.userCount()).isEqualTo(2);
            assertThat(login(authenticator, "alice", "secret")).isEqualTo(AuthResult.accept("alice"));
            assertThat(login(authenticator, "bob", "other")).isEqualTo(AuthResult.accept("bob"));
        }

        @Test
        void anUnknownSchemeIsRefusedWithItsLineNumberAndWithoutTheSecret() throws Exception {
            PasswdFileException e = loadFailure("# users", "alice:{PLAIN}secret", "bob:{MD5}$1$topsecrethash");
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.file()).isEqualTo(dir.resolve("users"));
            assertThat(e.getMessage()).contains("users:3", "{MD5}", "bob").doesNotContain("topsecrethash");
        }

        @Test
        void aMalformedSecretOfAKnownSchemeIsRefusedWithItsLineNumber() throws Exception {
            PasswdFileException e = loadFailure("alice:{SHA512-CRYPT}$6$salt$tooshort");
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.getMessage()).contains("SHA512-CRYPT").doesNotContain("tooshort");
        }

        @Test
        void aSecretWithoutSchemeIsCryptAndAPlainWordThereIsRefused() throws Exception {
            assertThat(loadFailure("alice:secret").getMessage()).contains("CRYPT").doesNotContain("secret:");
            assertThat(loadFailure("alice:abJnggxhB/yWI").getMessage()).contains("unsupported kind");
        }

        @Test
        void tooManyShaCryptRoundsAreRefusedAtLoad() throws Exception {
            assertThat(loadFailure("alice:{SHA256-CRYPT}$5$rounds=5000000$salt$"
                    + "a".repeat(43)).getMessage()).contains("rounds=5000000");
        }

        @Test
        void otherMalformedLinesAreRefusedWithTheirLineNumbers() throws Exception {
            assertThat(loadFailure("alice:{PLAIN}x", "no colon here").line()).isEqualTo(2);
            assertThat(loadFailure(":{PLAIN}x").getMessage()).contains("empty");
            assertThat(loadFailure("alice:{PLAIN}x", "", "alice:{PLAIN}y").getMessage())
                    .contains(":3:", "listed again", "line 1");
            assertThat(loadFailure("alice:").getMessage()).contains("empty");
            assertThat(loadFailure("alice:{ARGON2ID}$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaGhhc2g")
                    .getMessage()).contains("out of range");
            assertThat(loadFailure("alice:{BLF-CRYPT}$2x$05$" + "a".repeat(53)).getMessage()).contains("bcrypt");
            assertThat(loadFailure("alice:{SSHA256}not base64!").getMessage()).contains("Base64");
        }

        @Test
        void aFileThatIsNotUtf8IsRefusedWithTheLineNumber() throws Exception {
            Path file = dir.resolve("users");
            Files.write(file, new byte[] {'a', ':', '{', 'P', 'L', 'A', 'I', 'N', '}', 'x', '\n', 'b', (byte) 0xFF,
                    ':', 'y', '\n'});
            PasswdFileException e = catchThrowableOfType(PasswdFileException.class,
                    () -> PasswdFileAuthenticator.load(file));
            assertThat(e.line()).isPositive();
            assertThat(e.getMessage()).contains("UTF-8");
        }

        @Test
        void aMissingFileIsRefusedForTheWholeFile() {
            PasswdFileException e = catchThrowableOfType(PasswdFileException.class,
                    () -> PasswdFileAuthenticator.load(dir.resolve("absent")));
            assertThat(e.line()).isZero();
            assertThat(e.getMessage()).contains("absent", "cannot be read");
        }

        @Test
        void aNegativeReloadIntervalIsRefusedNamingTheSetting() throws Exception {
            Path file = usersFile("alice:{PLAIN}x");
            assertThatThrownBy(() -> PasswdFileAuthenticator.builder(file).reloadCheckInterval(Duration.ofSeconds(-1))
                    .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reloadCheckInterval");
        }
    }

    @Nested
    class Reloading {

        void rewrite(Path file, String content) throws IOException {
            FileTime before = Files.getLastModifiedTime(file);
            Files.writeString(file, content);
            Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusSeconds(1)));
        }

        @Test
        void aChangedFileIsReloadedAtTheNextCheck() throws Exception {
            Path file = usersFile("alice:{PLAIN}old", "bob:{PLAIN}bob");
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.builder(file)
                    .reloadCheckInterval(Duration.ZERO).build();
            assertThat(login(authenticator, "alice", "old")).isInstanceOf(AuthResult.Accepted.class);

            rewrite(file, "alice:{PLAIN}new\ncarol:{PLAIN}carol\n");

            assertThat(login(authenticator, "alice", "old")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "alice", "new")).isInstanceOf(AuthResult.Accepted.class);
            assertThat(login(authenticator, "bob", "bob")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "carol", "carol")).isInstanceOf(AuthResult.Accepted.class);
        }

        @Test
        void aFileReplacedByRenameIsReloaded() throws Exception {
            Path file = usersFile("alice:{PLAIN}old");
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.builder(file)
                    .reloadCheckInterval(Duration.ZERO).build();
            Path next = Files.writeString(dir.resolve("users.new"), "alice:{PLAIN}new\n");
            Files.setLastModifiedTime(next, Files.getLastModifiedTime(file));
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);

            assertThat(login(authenticator, "alice", "new")).isInstanceOf(AuthResult.Accepted.class);
        }

        @Test
        void aBrokenNewVersionKeepsThePreviousUsersUntilItIsFixed() throws Exception {
            Path file = usersFile("alice:{PLAIN}old");
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.builder(file)
                    .reloadCheckInterval(Duration.ZERO).build();

            rewrite(file, "alice:{NOPE}new\n");
            assertThat(login(authenticator, "alice", "old")).isInstanceOf(AuthResult.Accepted.class);

            rewrite(file, "alice:{PLAIN}fixed\n");
            assertThat(login(authenticator, "alice", "fixed")).isInstanceOf(AuthResult.Accepted.class);
        }

        @Test
        void changesAreNotLookedForBeforeTheCheckIntervalHasPassed() throws Exception {
            Path file = usersFile("alice:{PLAIN}old");
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.builder(file)
                    .reloadCheckInterval(Duration.ofHours(1)).build();

            rewrite(file, "alice:{PLAIN}new\n");

            assertThat(login(authenticator, "alice", "old")).isInstanceOf(AuthResult.Accepted.class);
            assertThat(Files.getLastModifiedTime(file).toInstant()).isBefore(Instant.now().plusSeconds(5));
        }
    }
}
