package dev.poplar.pop3.auth.passwd.internal;

import dev.poplar.pop3.auth.ScramSecret;
import dev.poplar.pop3.auth.passwd.Fixtures;
import dev.poplar.pop3.auth.passwd.PasswordScheme;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hashing each password of the doveadm reference file again, with the salt doveadm chose and the same cost, gives
 * exactly the line doveadm wrote: the password tool writes what Dovecot writes, defaults included.
 */
class DoveadmHashesTest {

    private static final Pattern SHA_CRYPT = Pattern.compile("\\$[56]\\$(?:rounds=(\\d+)\\$)?([^$]*)\\$.*");

    static Stream<Arguments> doveadmEntries() {
        return Fixtures.passwords("doveadm.passwords").entrySet().stream()
                .map(e -> Arguments.of(e.getKey(), e.getValue(), Fixtures.fieldOf("doveadm.passwd", e.getKey())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doveadmEntries")
    void theSameSaltAndCostGiveTheLineDoveadmWrote(String user, String password, String field) {
        int close = field.indexOf('}');
        PasswordScheme scheme = PasswordScheme.forName(field.substring(1, close));
        String secret = field.substring(close + 1);
        byte[] octets = password.getBytes(StandardCharsets.UTF_8);

        String again = switch (scheme) {
            case PLAIN, CRAM_MD5 -> PasswordSchemes.hash(scheme, password, 0, new SecureRandom()).substring(
                    scheme.dovecotName().length() + 2);
            case SSHA256, SSHA512 -> {
                boolean sha512 = scheme == PasswordScheme.SSHA512;
                yield SaltedSha.hash(sha512, octets, SaltedSha.saltOf(sha512, secret));
            }
            case SHA256_CRYPT, SHA512_CRYPT -> {
                Matcher m = SHA_CRYPT.matcher(secret);
                assertThat(m.matches()).isTrue();
                int rounds = m.group(1) == null ? ShaCrypt.DEFAULT_ROUNDS : Integer.parseInt(m.group(1));
                yield ShaCrypt.hash(scheme == PasswordScheme.SHA512_CRYPT, octets, m.group(2), rounds);
            }
            case BLF_CRYPT -> Bcrypt.hash(octets, Bcrypt.saltOf(secret), Integer.parseInt(secret.substring(4, 6)));
            case ARGON2I, ARGON2ID -> Argon2.hash(octets, Argon2.doveadmParameters(scheme == PasswordScheme.ARGON2ID,
                    scheme.defaultRounds().orElseThrow(), Argon2.saltOf(secret)));
            case SCRAM_SHA_1, SCRAM_SHA_256 -> Scram.hash(scheme == PasswordScheme.SCRAM_SHA_1
                            ? ScramSecret.Algorithm.SHA_1 : ScramSecret.Algorithm.SHA_256, octets, Scram.saltOf(secret),
                    scheme.defaultRounds().orElseThrow());
        };

        assertThat(again).isEqualTo(secret);
    }
}
