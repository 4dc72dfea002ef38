package dev.poplar.pop3.auth.passwd.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ConstantTimeTest {

    @Test
    void equalOnlyForTheSameOctetsWhereverTheyDiffer() {
        byte[] secret = {1, 2, 3, 4, 5, 6, 7, 8};
        assertThat(ConstantTime.equal(secret, secret.clone())).isTrue();
        for (int i = 0; i < secret.length; i++) {
            byte[] other = secret.clone();
            other[i] ^= 0x01;
            assertThat(ConstantTime.equal(secret, other)).as("differing at %d", i).isFalse();
        }
        assertThat(ConstantTime.equal(secret, new byte[] {1, 2, 3, 4, 5, 6, 7})).isFalse();
        assertThat(ConstantTime.equal(secret, new byte[0])).isFalse();
        assertThat(ConstantTime.equal(new byte[0], new byte[0])).isTrue();
    }

    @Test
    void hexEqualTakesEitherCaseAndRefusesAnythingElse() {
        byte[] digest = {(byte) 0xab, 0x01, (byte) 0xff};
        assertThat(ConstantTime.hexEqual(digest, "ab01ff")).isTrue();
        assertThat(ConstantTime.hexEqual(digest, "AB01FF")).isTrue();
        assertThat(ConstantTime.hexEqual(digest, "ab01fe")).isFalse();
        assertThat(ConstantTime.hexEqual(digest, "ab01f")).isFalse();
        assertThat(ConstantTime.hexEqual(digest, "not hex")).isFalse();
    }

    /**
     * Comparing secrets with {@code Arrays.equals} or {@code String.equals} returns at the first difference, which
     * tells an attacker how much of a guess is right. The module compares them in {@link ConstantTime} only, with
     * {@code MessageDigest.isEqual}; this keeps it so.
     */
    @Test
    void secretsAreComparedInConstantTimeOnly() throws IOException {
        Path sources = Path.of("src/main/java/dev/poplar/pop3/auth/passwd");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(files).hasSizeGreaterThan(10);
        for (Path file : files) {
            String code = Files.readString(file);
            String name = file.getFileName().toString();
            if (name.equals("ConstantTime.java")) {
                assertThat(code).contains("return MessageDigest.isEqual(expected, actual);");
            } else {
                assertThat(code).as(name).doesNotContain("MessageDigest.isEqual");
            }
            assertThat(code).as(name).doesNotContain("Arrays.equals");
        }
    }
}
