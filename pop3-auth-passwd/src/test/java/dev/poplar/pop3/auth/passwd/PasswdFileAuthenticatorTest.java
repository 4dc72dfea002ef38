package dev.poplar.pop3.auth.passwd;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
        return Fixtures.resource(name);
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
            return Fixtures.passwords("reference.passwords").entrySet().stream()
                    .map(e -> Arguments.of(e.getKey(), e.getValue()));
        }

        /** A file of the one reference line of the user: each login then checks that user's hash alone. */
        Path referenceLineOf(String user) throws IOException {
            return usersFile(Fixtures.lineOf("reference.passwd", user));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("referenceUsers")
        void theRightPasswordIsAcceptedWithTheUserAsMailboxAndAWrongOneRejected(String user, String password)
                throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(referenceLineOf(user));

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
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(
                    referenceLineOf("blfcrypt-long-htpasswd"));
            assertThat(login(authenticator, "blfcrypt-long-htpasswd", "L".repeat(72) + "anything"))
                    .isInstanceOf(AuthResult.Accepted.class);
            assertThat(login(authenticator, "blfcrypt-long-htpasswd", "L".repeat(71)))
                    .isInstanceOf(AuthResult.Rejected.class);
        }
    }

    @Nested
    class DoveadmSchemes {

        /** All but Argon2, which ReferenceHashes logs in with and PasswordSchemesTest hashes (they are slow). */
        static Stream<Arguments> doveadmUsers() {
            return Fixtures.passwords("doveadm.passwords").entrySet().stream()
                    .filter(e -> !e.getKey().startsWith("argon2"))
                    .map(e -> Arguments.of(e.getKey(), e.getValue()));
        }

        Path fileOf(String... users) throws IOException {
            return usersFile(Stream.of(users).map(u -> Fixtures.lineOf("doveadm.passwd", u)).toArray(String[]::new));
        }

        String password(String user) {
            return Fixtures.passwords("doveadm.passwords").get(user);
        }

        String cramResponse(String password, String challenge) throws Exception {
            Mac hmac = Mac.getInstance("HmacMD5");
            hmac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
            return HexFormat.of().formatHex(hmac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
        }

        String apopDigest(String timestamp, String password) throws Exception {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest((timestamp + password).getBytes(StandardCharsets.UTF_8)));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("doveadmUsers")
        void thePasswordOfEachDoveadmEntryIsAcceptedAndAWrongOneRejected(String user, String password)
                throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(fileOf(user));

            assertThat(login(authenticator, user, password)).isEqualTo(AuthResult.accept(user));
            assertThat(login(authenticator, user, password + "x")).isInstanceOf(AuthResult.Rejected.class);
        }

        @Test
        void cramMd5IsVerifiedFromAStoredContextOrAClearTextSecretButNotFromAHash() throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(
                    fileOf("cram-md5", "cram-md5-long", "hmac-md5", "plain", "sha512-crypt"));
            String challenge = "<1896.697170952@postoffice.example.net>";
            // Offered only when every user can use it (a hashed entry cannot); verified for those who can anyway.
            assertThat(authenticator.supports(Credentials.CramMd5.class)).isFalse();
            assertThat(PasswdFileAuthenticator.load(fileOf("cram-md5", "hmac-md5", "plain"))
                    .supports(Credentials.CramMd5.class)).isTrue();

            for (String user : List.of("cram-md5", "cram-md5-long", "hmac-md5", "plain")) {
                assertThat(authenticator.authenticate(new Credentials.CramMd5(user, challenge,
                        cramResponse(password(user), challenge).toUpperCase(Locale.ROOT)), CLIENT))
                        .as(user).isEqualTo(AuthResult.accept(user));
                assertThat(authenticator.authenticate(new Credentials.CramMd5(user, challenge + " ",
                        cramResponse(password(user), challenge)), CLIENT))
                        .as(user).isInstanceOf(AuthResult.Rejected.class);
            }
            assertThat(authenticator.authenticate(new Credentials.CramMd5("sha512-crypt", challenge,
                    cramResponse(password("sha512-crypt"), challenge)), CLIENT))
                    .isInstanceOf(AuthResult.Rejected.class);
            assertThat(authenticator.authenticate(new Credentials.CramMd5("nobody", challenge, "not hex"), CLIENT))
                    .isInstanceOf(AuthResult.Rejected.class);
        }

        @Test
        void apopIsOfferedAndVerifiedForClearTextEntriesOnly() throws Exception {
            PasswdFileAuthenticator mixed = PasswdFileAuthenticator.load(fileOf("plain", "sha512-crypt"));
            String timestamp = "<1.2@host>";
            assertThat(mixed.supports(Credentials.Apop.class)).as("not every user can use it").isFalse();
            assertThat(PasswdFileAuthenticator.load(fileOf("plain")).supports(Credentials.Apop.class)).isTrue();
            assertThat(mixed.authenticate(new Credentials.Apop("plain", timestamp,
                    apopDigest(timestamp, password("plain"))), CLIENT)).isEqualTo(AuthResult.accept("plain"));
            assertThat(mixed.authenticate(new Credentials.Apop("plain", timestamp,
                    apopDigest(timestamp, password("plain") + "x")), CLIENT)).isInstanceOf(AuthResult.Rejected.class);
            assertThat(mixed.authenticate(new Credentials.Apop("sha512-crypt", timestamp,
                    apopDigest(timestamp, password("sha512-crypt"))), CLIENT))
                    .isInstanceOf(AuthResult.Rejected.class);

            PasswdFileAuthenticator hashed = PasswdFileAuthenticator.load(fileOf("sha512-crypt", "scram-sha-1"));
            assertThat(hashed.supports(Credentials.Apop.class)).isFalse();
            assertThat(hashed.supports(Credentials.CramMd5.class)).isFalse();
        }

        @Test
        void scramKeysAreServedAsStoredForTheirOwnAlgorithmOnly() throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(
                    fileOf("scram-sha-1", "scram-sha-256", "plain"));
            assertThat(authenticator.supports(Credentials.Scram.class)).as("not every user has keys").isFalse();
            assertThat(PasswdFileAuthenticator.load(fileOf("scram-sha-1", "scram-sha-256"))
                    .supports(Credentials.Scram.class)).isTrue();

            for (ScramSecret.Algorithm algorithm : ScramSecret.Algorithm.values()) {
                String user = algorithm == ScramSecret.Algorithm.SHA_1 ? "scram-sha-1" : "scram-sha-256";
                ScramSecret stored = authenticator.scramSecret(user, algorithm).orElseThrow();
                // The store-api's own derivation (JCE PBKDF2) of the password with the stored salt.
                assertThat(stored).isEqualTo(ScramSecret.derive(algorithm, password(user), stored.salt(), 4096));
                assertThat(authenticator.authenticate(new Credentials.Scram(user, "", algorithm, false), CLIENT))
                        .isEqualTo(AuthResult.accept(user));
            }
            assertThat(authenticator.scramSecret("scram-sha-256", ScramSecret.Algorithm.SHA_1)).isEmpty();
            assertThat(authenticator.scramSecret("plain", ScramSecret.Algorithm.SHA_256)).isEmpty();
            assertThat(authenticator.scramSecret("nobody", ScramSecret.Algorithm.SHA_256)).isEmpty();
            assertThat(authenticator.authenticate(new Credentials.Scram("plain", "", ScramSecret.Algorithm.SHA_256,
                    false), CLIENT)).isInstanceOf(AuthResult.Rejected.class);
            assertThat(authenticator.authenticate(new Credentials.Scram("scram-sha-1", "",
                    ScramSecret.Algorithm.SHA_256, false), CLIENT)).isInstanceOf(AuthResult.Rejected.class);

            assertThat(PasswdFileAuthenticator.load(fileOf("plain")).supports(Credentials.Scram.class)).isFalse();
        }

        @Test
        void aScramEntryChecksThePasswordOctetsAsTypedAsDovecotDoes() throws Exception {
            String user = "scram-sha-256-unnormalized";
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(fileOf(user));
            String normalized = Normalizer.normalize(password(user).replace('\u00a0', ' '), Normalizer.Form.NFKC);
            assertThat(normalized).isNotEqualTo(password(user));

            assertThat(login(authenticator, user, password(user))).isEqualTo(AuthResult.accept(user));
            assertThat(login(authenticator, user, normalized)).isInstanceOf(AuthResult.Rejected.class);
        }
    }

    @Nested
    class UniformCost {

        final List<String> steps = new ArrayList<>();

        PasswdFileAuthenticator recorded(Path file) throws Exception {
            return PasswdFileAuthenticator.builder(file).verificationListener(steps::add).build();
        }

        List<String> stepsOf(Runnable attempt) {
            steps.clear();
            attempt.run();
            return List.copyOf(steps);
        }

        @Test
        void everyPasswordAttemptChecksOneSecretOfEachCostProfileWhoeverTheUser() throws Exception {
            PasswdFileAuthenticator authenticator = recorded(usersFile(
                    "alice:{PLAIN}secret",
                    Fixtures.lineOf("doveadm.passwd", "sha512-crypt"),
                    Fixtures.lineOf("reference.passwd", "sha512crypt-openssl"),
                    Fixtures.lineOf("doveadm.passwd", "blf-crypt-cost4"),
                    Fixtures.lineOf("doveadm.passwd", "sha512-crypt-rounds")));
            List<String> profiles = List.of("BLF-CRYPT cost=4", "PLAIN", "SHA512-CRYPT rounds=10000",
                    "SHA512-CRYPT rounds=5000");

            for (String user : List.of("alice", "sha512-crypt", "sha512crypt-openssl", "blf-crypt-cost4",
                    "sha512-crypt-rounds", "nobody")) {
                assertThat(stepsOf(() -> login(authenticator, user, "wrong"))).as(user).isEqualTo(profiles);
            }
            assertThat(stepsOf(() -> assertThat(login(authenticator, "alice", "secret"))
                    .isEqualTo(AuthResult.accept("alice")))).isEqualTo(profiles);
            assertThat(stepsOf(() -> assertThat(login(authenticator, "blf-crypt-cost4", "pw of blf-crypt-cost4"))
                    .isEqualTo(AuthResult.accept("blf-crypt-cost4")))).isEqualTo(profiles);
        }

        @Test
        void apopAndCramMd5AttemptsRunOneKeyedDigestWhoeverTheUser() throws Exception {
            PasswdFileAuthenticator authenticator = recorded(usersFile("alice:{PLAIN}secret",
                    Fixtures.lineOf("doveadm.passwd", "sha512-crypt")));

            for (String user : List.of("alice", "sha512-crypt", "nobody")) {
                assertThat(stepsOf(() -> authenticator.authenticate(new Credentials.Apop(user, "<1@h>",
                        "0".repeat(32)), CLIENT))).as(user).containsExactly("APOP");
                assertThat(stepsOf(() -> authenticator.authenticate(new Credentials.CramMd5(user, "<1@h>",
                        "0".repeat(32)), CLIENT))).as(user).containsExactly("CRAM-MD5");
            }
        }

        @Test
        void anEmptyFileRejectsEveryoneWithoutChecks() throws Exception {
            PasswdFileAuthenticator authenticator = recorded(usersFile("# nobody yet"));
            assertThat(stepsOf(() -> assertThat(login(authenticator, "alice", "x"))
                    .isInstanceOf(AuthResult.Rejected.class))).isEmpty();
        }
    }

    @Nested
    class VerificationCache {

        final List<String> steps = new ArrayList<>();
        final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

        PasswdFileAuthenticator cached(Path file, Duration timeToLive) throws Exception {
            return PasswdFileAuthenticator.builder(file).reloadCheckInterval(Duration.ZERO)
                    .verificationCache(timeToLive, 100).ticker(nanos::get).verificationListener(steps::add).build();
        }

        List<String> stepsOf(Runnable attempt) {
            steps.clear();
            attempt.run();
            return List.copyOf(steps);
        }

        static void accepted(AuthResult result, String user) {
            assertThat(result).isEqualTo(AuthResult.accept(user));
        }

        static void rejected(AuthResult result) {
            assertThat(result).isInstanceOf(AuthResult.Rejected.class);
        }

        @Test
        void aPasswordThatMatchedIsAcceptedAgainWithoutTheHashesAndAWrongOneIsStillChecked() throws Exception {
            PasswdFileAuthenticator authenticator = cached(usersFile(
                    Fixtures.lineOf("doveadm.passwd", "sha512-crypt"),
                    Fixtures.lineOf("doveadm.passwd", "blf-crypt-cost4")), Duration.ofMinutes(10));
            String password = Fixtures.passwords("doveadm.passwords").get("sha512-crypt");
            List<String> checked = List.of(PasswdFileAuthenticator.CACHE_STEP, "BLF-CRYPT cost=4",
                    "SHA512-CRYPT rounds=5000");

            assertThat(stepsOf(() -> accepted(login(authenticator, "sha512-crypt", password), "sha512-crypt")))
                    .isEqualTo(checked);
            assertThat(stepsOf(() -> accepted(login(authenticator, "sha512-crypt", password), "sha512-crypt")))
                    .containsExactly(PasswdFileAuthenticator.CACHE_STEP);

            // A wrong password, another user's password, an unknown user: every one is checked as without the cache.
            assertThat(stepsOf(() -> rejected(login(authenticator, "sha512-crypt", password + "x"))))
                    .isEqualTo(checked);
            assertThat(stepsOf(() -> rejected(login(authenticator, "blf-crypt-cost4", password))))
                    .isEqualTo(checked);
            assertThat(stepsOf(() -> rejected(login(authenticator, "nobody", password)))).isEqualTo(checked);
            assertThat(stepsOf(() -> accepted(login(authenticator, "sha512-crypt", password), "sha512-crypt")))
                    .containsExactly(PasswdFileAuthenticator.CACHE_STEP);
        }

        /** The INFO lines the authenticator logs while {@code build} runs that name {@code file}. */
        List<String> logLinesNaming(Path file, Callable<PasswdFileAuthenticator> build) throws Exception {
            Logger logger = (Logger) LoggerFactory.getLogger(PasswdFileAuthenticator.class);
            ListAppender<ILoggingEvent> appender = new ListAppender<>();
            appender.start();
            logger.addAppender(appender);
            try {
                build.call();
            } finally {
                logger.detachAppender(appender);
            }
            // Other tests build authenticators at the same time: only this file's lines count.
            return appender.list.stream().filter(e -> e.getLevel() == Level.INFO)
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(file.toString())).toList();
        }

        @Test
        void withoutTheCacheAFileOfSlowHashesGetsAHintAtStartAndOneOfFastSecretsDoesNot() throws Exception {
            Path slow = usersFile(Fixtures.lineOf("doveadm.passwd", "sha512-crypt"),
                    Fixtures.lineOf("doveadm.passwd", "blf-crypt-cost4"), "alice:{PLAIN}secret");

            assertThat(logLinesNaming(slow, () -> PasswdFileAuthenticator.load(slow))).singleElement().asString()
                    .contains("hashed with BLF-CRYPT cost=4, SHA512-CRYPT rounds=5000: every login runs the hash")
                    .contains("PasswdFileAuthenticator.Builder.verificationCache")
                    .contains("auth.verification_cache_ttl");
            assertThat(logLinesNaming(slow, () -> cached(slow, Duration.ofMinutes(10)))).isEmpty();

            Path fast = usersFile(Stream.of("plain", "cram-md5", "hmac-md5", "ssha256", "ssha512")
                    .map(user -> Fixtures.lineOf("doveadm.passwd", user)).toArray(String[]::new));
            assertThat(logLinesNaming(fast, () -> PasswdFileAuthenticator.load(fast))).isEmpty();
        }

        @Test
        void aRememberedPasswordIsCheckedAgainOnceItsTimeToLiveHasPassed() throws Exception {
            PasswdFileAuthenticator authenticator = cached(usersFile("alice:{PLAIN}secret"), Duration.ofMinutes(10));
            List<String> checked = List.of(PasswdFileAuthenticator.CACHE_STEP, "PLAIN");
            assertThat(stepsOf(() -> accepted(login(authenticator, "alice", "secret"), "alice"))).isEqualTo(checked);

            nanos.addAndGet(Duration.ofMinutes(9).toNanos());
            assertThat(stepsOf(() -> accepted(login(authenticator, "alice", "secret"), "alice")))
                    .containsExactly(PasswdFileAuthenticator.CACHE_STEP);

            // The time to live counts from the check, not from the last use.
            nanos.addAndGet(Duration.ofMinutes(2).toNanos());
            assertThat(stepsOf(() -> accepted(login(authenticator, "alice", "secret"), "alice"))).isEqualTo(checked);
        }

        @Test
        void aReloadOfTheFileEndsEveryRememberedPassword() throws Exception {
            Path file = usersFile("alice:{PLAIN}old", "bob:{PLAIN}bob");
            PasswdFileAuthenticator authenticator = cached(file, Duration.ofHours(1));
            accepted(login(authenticator, "alice", "old"), "alice");
            accepted(login(authenticator, "bob", "bob"), "bob");

            new Reloading().rewrite(file, "alice:{PLAIN}new\n");

            rejected(login(authenticator, "alice", "old"));
            rejected(login(authenticator, "bob", "bob"));
            accepted(login(authenticator, "alice", "new"), "alice");
            assertThat(stepsOf(() -> accepted(login(authenticator, "alice", "new"), "alice")))
                    .containsExactly(PasswdFileAuthenticator.CACHE_STEP);
        }

        @Test
        void appPasswordsAreCheckedAtEveryLogin() throws Exception {
            Path file = usersFile("alice:{PLAIN}secret");
            AppPasswords apps = AppPasswords.at(dir.resolve("app-passwords"));
            AppPasswords.Issued phone = apps.add("alice", "Phone", List.of());
            String secret = phone.secret();
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.builder(file)
                    .reloadCheckInterval(Duration.ZERO).verificationCache(Duration.ofHours(1), 100).appPasswords(apps)
                    .verificationListener(steps::add).build();
            List<String> checked = List.of(PasswdFileAuthenticator.CACHE_STEP, "PLAIN", "APP-PASSWORD");

            assertThat(stepsOf(() -> accepted(login(authenticator, "alice", secret), "alice"))).isEqualTo(checked);
            assertThat(stepsOf(() -> accepted(login(authenticator, "alice", secret), "alice"))).isEqualTo(checked);
            apps.revoke("alice", phone.appPassword().id());
            rejected(login(authenticator, "alice", secret));
        }

        @Test
        void withoutTheCacheEveryLoginRunsTheHashes() throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.builder(usersFile("alice:{PLAIN}secret"))
                    .verificationListener(steps::add).build();
            for (int i = 0; i < 2; i++) {
                assertThat(stepsOf(() -> accepted(login(authenticator, "alice", "secret"), "alice")))
                        .containsExactly("PLAIN");
            }
        }

        @Test
        void aTimeToLiveOrSizeThatIsNotPositiveIsRefusedNamingTheSetting() throws Exception {
            PasswdFileAuthenticator.Builder builder = PasswdFileAuthenticator.builder(usersFile("alice:{PLAIN}x"));
            for (Duration ttl : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
                assertThatThrownBy(() -> builder.verificationCache(ttl, 10))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeToLive");
            }
            assertThatThrownBy(() -> builder.verificationCache(Duration.ofMinutes(1), 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumUsers");
            assertThatThrownBy(() -> builder.verificationCache(null, 10)).isInstanceOf(NullPointerException.class);
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
        void otherKindsOfCredentialsAreNeitherOfferedNorAccepted() throws Exception {
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.load(usersFile("alice:{PLAIN}secret"));
            assertThat(authenticator.supports(Credentials.Bearer.class)).isFalse();
            assertThat(authenticator.supports(Credentials.External.class)).isFalse();
            assertThat(authenticator.authenticate(new Credentials.Bearer("alice", "secret", "XOAUTH2"), CLIENT))
                    .isInstanceOf(AuthResult.Rejected.class);
            assertThat(authenticator.authenticate(new Credentials.External("alice"), CLIENT))
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
        void aSecretTypedInsideTheSchemeBracesIsNotQuoted() throws Exception {
            PasswdFileException unknown = loadFailure("bob:{SSHA512 topsecrethash}x");
            assertThat(unknown.getMessage()).contains("users:1", "unknown password scheme").doesNotContain("topsecret",
                    "TOPSECRET");
            PasswdFileException empty = loadFailure("bob:{SHA512-CRYPT$6$salt$topsecrethash}");
            assertThat(empty.getMessage()).contains("users:1", "empty").doesNotContain("topsecret", "TOPSECRET");
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
