package dev.poplar.pop3.auth.passwd.internal;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.poplar.pop3.auth.passwd.PasswdFileException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the users file parser with arbitrary file contents. Runs its seeds in every build (regression mode);
 * {@code JAZZER_FUZZ=1} fuzzes (see the README's "Fuzzing" section).
 */
class UserTableFuzzTest {

    /**
     * A users file either loads, with one user per entry line, or is refused with a {@link PasswdFileException} naming
     * a line of the file, never quoting a secret; nothing else escapes.
     *
     * @param content the file's content
     */
    @FuzzTest(maxDuration = "5m")
    @DictionaryEntries({"{PLAIN}", "{CRAM-MD5}", "{SSHA256}", "{SSHA512}", "{SHA256-CRYPT}$5$", "{SHA512-CRYPT}$6$",
            "{BLF-CRYPT}$2y$05$", "{ARGON2ID}$argon2id$v=19$m=", "{SCRAM-SHA-256}4096,", "{SCRAM-SHA-1}", "{CRYPT}",
            "{CLEARTEXT}", "{HMAC-MD5}", "rounds=", "#", "::::::"})
    void anyFileLoadsOrIsRefusedNamingALineAndNoSecret(byte[] content) throws IOException {
        Path file = Files.createTempFile("users", ".passwd");
        try {
            Files.write(file, content);
            UserTable table;
            try {
                table = UserTable.parse(file);
            } catch (PasswdFileException e) {
                assertThat(e.getMessage()).contains(file.toString());
                assertThat(e.line()).isBetween(1, lines(content) + 1);
                String secret = secretOn(content, e.line());
                if (secret.length() >= 16 && !e.getMessage().contains("user " + secret)) {
                    assertThat(e.getMessage()).as("the refusal of line %d", e.line()).doesNotContain(secret);
                }
                return;
            }
            assertThat(table.size()).isEqualTo(entries(content));
            assertThat(table.costProfiles().size()).isLessThanOrEqualTo(table.size());
        } finally {
            Files.delete(file);
        }
    }

    private static String[] textLines(byte[] content) {
        return new String(content, StandardCharsets.UTF_8).split("\r\n|\r|\n", -1);
    }

    private static int lines(byte[] content) {
        return textLines(content).length;
    }

    private static long entries(byte[] content) {
        String[] lines = textLines(content);
        int count = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        long entries = 0;
        for (int i = 0; i < count; i++) {
            if (!lines[i].isBlank() && !lines[i].stripLeading().startsWith("#")) {
                entries++;
            }
        }
        return entries;
    }

    /** The hash part of the secret on a line (after the scheme), or an empty string. */
    private static String secretOn(byte[] content, int line) {
        String[] lines = textLines(content);
        if (line < 1 || line > lines.length) {
            return "";
        }
        String text = lines[line - 1];
        int colon = text.indexOf(':');
        if (colon < 0) {
            return "";
        }
        int end = text.indexOf(':', colon + 1);
        String secret = text.substring(colon + 1, end < 0 ? text.length() : end);
        int scheme = secret.indexOf('}');
        return secret.substring(scheme + 1);
    }
}
