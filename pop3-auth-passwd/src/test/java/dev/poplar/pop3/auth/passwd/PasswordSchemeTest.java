package dev.poplar.pop3.auth.passwd;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordSchemeTest {

    static final String PASSWORD = "Tr0ub4dor & 3 \u00fc\u2713";

    @TempDir
    Path dir;

    @Nested
    class Hashing {

        @ParameterizedTest
        @EnumSource(PasswordScheme.class)
        void whatIsHashedVerifiesAndLogsInFromAUsersFileLine(PasswordScheme scheme) throws Exception {
            String field = scheme.hash(PASSWORD);

            assertThat(field).startsWith("{" + scheme.dovecotName() + "}").doesNotContain(":", "\n");
            if (!scheme.name().startsWith("ARGON2")) {
                // Argon2 is slow: the login below verifies it.
                assertThat(PasswordScheme.verify(field, PASSWORD)).isTrue();
                assertThat(PasswordScheme.verify(field, PASSWORD + " ")).isFalse();
            }
            PasswdFileAuthenticator users = PasswdFileAuthenticator.load(
                    Files.writeString(dir.resolve("users"), "alice:" + field + "\n"));
            ClientInfo client = new ClientInfo("s", "default", new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    1), new InetSocketAddress(InetAddress.getLoopbackAddress(), 110), false, List.of());
            assertThat(users.authenticate(new Credentials.Password("alice", PASSWORD), client))
                    .isEqualTo(AuthResult.accept("alice"));
        }

        @ParameterizedTest
        @EnumSource(value = PasswordScheme.class, names = {"SSHA256", "SSHA512", "SHA256_CRYPT", "SHA512_CRYPT",
                "BLF_CRYPT", "SCRAM_SHA_1", "SCRAM_SHA_256"})
        void everyHashHasItsOwnRandomSalt(PasswordScheme scheme) {
            assertThat(scheme.hash(PASSWORD, scheme.defaultRounds().orElse(0)))
                    .isNotEqualTo(scheme.hash(PASSWORD));
        }

        @Test
        void clearTextAndCramMd5HaveNoSaltAndComeOutAsDoveadmWroteThem() {
            assertThat(PasswordScheme.PLAIN.hash(PASSWORD)).isEqualTo("{PLAIN}" + PASSWORD);
            String password = Fixtures.passwords("doveadm.passwords").get("cram-md5");
            assertThat(PasswordScheme.CRAM_MD5.hash(password))
                    .isEqualTo(Fixtures.fieldOf("doveadm.passwd", "cram-md5"));
        }

        @Test
        void roundsGoIntoTheHashAsDoveadmWritesThem() {
            assertThat(PasswordScheme.SHA512_CRYPT.hash(PASSWORD)).startsWith("{SHA512-CRYPT}$6$")
                    .doesNotContain("rounds=");
            assertThat(PasswordScheme.SHA256_CRYPT.hash(PASSWORD, 12000)).startsWith("{SHA256-CRYPT}$5$rounds=12000$");
            assertThat(PasswordScheme.BLF_CRYPT.hash(PASSWORD)).startsWith("{BLF-CRYPT}$2y$05$");
            assertThat(PasswordScheme.BLF_CRYPT.hash(PASSWORD, 4)).startsWith("{BLF-CRYPT}$2y$04$");
            assertThat(PasswordScheme.SCRAM_SHA_256.hash(PASSWORD, 5000)).startsWith("{SCRAM-SHA-256}5000,");
            assertThat(PasswordScheme.SCRAM_SHA_1.hash(PASSWORD)).startsWith("{SCRAM-SHA-1}4096,");
            assertThat(PasswordScheme.ARGON2I.hash(PASSWORD, 3)).startsWith("{ARGON2I}$argon2i$v=19$m=32768,t=3,p=1$");
        }

        @Test
        void roundsOutOfTheSchemesRangeAreRefusedNamingThem() {
            assertThatThrownBy(() -> PasswordScheme.SHA512_CRYPT.hash(PASSWORD, 999))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rounds")
                    .hasMessageContaining("999");
            assertThatThrownBy(() -> PasswordScheme.SHA512_CRYPT.hash(PASSWORD, 1_000_001))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rounds");
            assertThatThrownBy(() -> PasswordScheme.BLF_CRYPT.hash(PASSWORD, 32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cost");
            assertThatThrownBy(() -> PasswordScheme.SCRAM_SHA_1.hash(PASSWORD, 4095))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iterations");
            assertThatThrownBy(() -> PasswordScheme.ARGON2I.hash(PASSWORD, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ARGON2I");
        }

        @Test
        void passwordsThatCannotBeWrittenAreRefused() {
            assertThatThrownBy(() -> PasswordScheme.PLAIN.hash("a:b")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PLAIN").hasMessageNotContaining("a:b");
            assertThatThrownBy(() -> PasswordScheme.PLAIN.hash("a\nb")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> PasswordScheme.SSHA512.hash("")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("empty");
            assertThat(PasswordScheme.verify(PasswordScheme.SSHA512.hash("a:b"), "a:b")).isTrue();
        }
    }

    @Nested
    class Names {

        @Test
        void namesAreDovecotsInAnyCaseWithItsAliases() {
            for (PasswordScheme scheme : PasswordScheme.values()) {
                assertThat(PasswordScheme.forName(scheme.dovecotName().toLowerCase(Locale.ROOT)))
                        .isEqualTo(scheme);
            }
            assertThat(PasswordScheme.forName("CLEARTEXT")).isEqualTo(PasswordScheme.PLAIN);
            assertThat(PasswordScheme.forName("clear")).isEqualTo(PasswordScheme.PLAIN);
            assertThat(PasswordScheme.forName("HMAC-MD5")).isEqualTo(PasswordScheme.CRAM_MD5);
        }

        @Test
        void anUnknownNameIsRefusedListingTheKnownOnes() {
            assertThatThrownBy(() -> PasswordScheme.forName("MD5-CRYPT")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("MD5-CRYPT").hasMessageContaining("SCRAM-SHA-1, SCRAM-SHA-256")
                    .hasMessageContaining("ARGON2ID");
        }

        @Test
        void verifyingAMalformedFieldIsRefusedWithoutTheSecret() {
            assertThatThrownBy(() -> PasswordScheme.verify("{SCRAM-SHA-256}4096,c2FsdA==,short,short", "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SCRAM-SHA-256")
                    .hasMessageNotContaining("short");
            assertThatThrownBy(() -> PasswordScheme.verify("{CRAM-MD5}abcd", "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CRAM-MD5");
        }
    }
}
