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
                String[] entry = entryOn(content, e.line());
                if (entry[1].length() >= 16) {
                    // The user name is quoted; the secret must not be, even in part of the message about it.
                    assertThat(e.getMessage().replace(entry[0], "")).as("the refusal of line %d", e.line())
                            .doesNotContain(entry[1]);
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

    /** The user name and the hash part of the secret (after the scheme) on a line; empty strings if none. */
    private static String[] entryOn(byte[] content, int line) {
        String[] lines = textLines(content);
        if (line < 1 || line > lines.length) {
            return new String[] {"", ""};
        }
        String text = lines[line - 1];
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new String[] {"", ""};
        }
        int end = text.indexOf(':', colon + 1);
        String secret = text.substring(colon + 1, end < 0 ? text.length() : end);
        return new String[] {text.substring(0, colon), secret.substring(secret.indexOf('}') + 1)};
    }
}
