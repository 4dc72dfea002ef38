package dev.poplar.pop3.auth.passwd.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void aReaderSeesTheWholeOldOrTheWholeNewContentNeverAMixture() throws Exception {
        Path file = dir.resolve("app-passwords");
        String a = "a".repeat(1 << 20);
        String b = "b".repeat(1 << 20);
        AtomicFile.write(file, a);
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            int reads = 0;
            try {
                while (writing.get() || reads == 0) {
                    String seen = Files.readString(file);
                    assertThat(seen.equals(a) || seen.equals(b)).as("a whole version").isTrue();
                    reads++;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return reads;
        });
        for (int i = 0; i < 40; i++) {
            AtomicFile.write(file, i % 2 == 0 ? b : a);
        }
        writing.set(false);

        assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("app-passwords");
        }
    }

    @Test
    void aFailedWriteLeavesTheFileAsItWasAndNoTemporaryFile() throws Exception {
        Path file = dir.resolve("target");
        Files.createDirectory(file);
        Files.writeString(file.resolve("inside"), "kept");

        assertThatThrownBy(() -> AtomicFile.write(file, "new")).isInstanceOf(IOException.class);

        assertThat(Files.readString(file.resolve("inside"))).isEqualTo("kept");
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("target");
        }
        assertThatThrownBy(() -> AtomicFile.write(dir.resolve("missing/dir/file"), "x"))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aReplacedFileKeepsItsPermissions() throws Exception {
        Path file = dir.resolve("shared");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        AtomicFile.write(file, "new");

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    }
}
