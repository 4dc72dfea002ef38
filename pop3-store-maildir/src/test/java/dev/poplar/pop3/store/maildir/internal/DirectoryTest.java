package dev.poplar.pop3.store.maildir.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryTest {

    @TempDir
    Path temp;

    OpenGuard guard;
    Directory directory;

    @BeforeEach
    void open() throws IOException {
        guard = new OpenGuard(Duration.ofMillis(50));
        directory = Directory.openTrusted(temp, guard);
    }

    @AfterEach
    void close() {
        directory.close();
        guard.close();
    }

    static void mkfifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
    }

    static byte[] readAll(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 21);
        while (channel.read(buffer) >= 0) {
            if (!buffer.hasRemaining()) {
                throw new AssertionError("read more than 2 MiB");
            }
        }
        byte[] bytes = new byte[buffer.position()];
        buffer.flip().get(bytes);
        return bytes;
    }

    @Nested
    class OpeningFiles {

        @Test
        void aFileReadsNoFurtherThanTheSizeItHadWhenChecked() throws Exception {
            Path file = Files.writeString(temp.resolve("message"), "ten octets");
            BasicFileAttributes seen = directory.entry("message");
            try (FileChannel channel = directory.openFile("message", seen)) {
                Files.write(file, new byte[1 << 20], StandardOpenOption.APPEND);

                assertThat(readAll(channel)).isEqualTo("ten octets".getBytes(StandardCharsets.US_ASCII));
                assertThat(channel.size()).isEqualTo(10);
                ByteBuffer positional = ByteBuffer.allocate(100);
                assertThat(channel.read(positional, 5)).isEqualTo(5);
                assertThat(channel.read(positional, 10)).isEqualTo(-1);
            }
        }

        @Test
        void aFileChangedBetweenTheCheckAndTheOpenIsRefused() throws Exception {
            Path file = Files.writeString(temp.resolve("message"), "ten octets");
            BasicFileAttributes seen = directory.entry("message");
            Files.writeString(file, "now it is longer");

            assertThatThrownBy(() -> directory.openFile("message", seen)).isInstanceOf(RefusedFileException.class)
                    .hasMessageContaining("changed");
        }

        @Test
        void aLinkIsNeverOpened() throws Exception {
            Path target = Files.writeString(temp.resolve("target"), "secret");
            Files.createSymbolicLink(temp.resolve("link"), target);

            assertThatThrownBy(() -> directory.openFile("link")).isInstanceOf(RefusedFileException.class)
                    .hasMessageContaining("symbolic link");
            assertThatThrownBy(() -> directory.directory("link", temp)).isInstanceOf(RefusedFileException.class);
        }

        @Test
        void aFifoIsNeverOpened() throws Exception {
            mkfifo(temp.resolve("fifo"));

            Future<?> attempt = CompletableFuture.runAsync(() -> assertThatThrownBy(() -> directory.openFile("fifo"))
                    .isInstanceOf(RefusedFileException.class).hasMessageContaining("FIFO"));
            attempt.get(10, TimeUnit.SECONDS);
        }

        @Test
        void namesThatAreNotSingleNamesAreRefused() {
            assertThatThrownBy(() -> directory.entry("../etc")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> directory.entry("..")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Races {

        /**
         * Another thread keeps swapping a FIFO and a regular file in and out under one name while this one checks and
         * opens it: whenever a FIFO lands between the check and the open, the guard releases it. Every attempt ends
         * within seconds, and what is read is the regular file or nothing.
         */
        @Test
        void aFifoSwappedInBetweenTheCheckAndTheOpenNeverHoldsTheThread() throws Exception {
            byte[] regular = "regular file\n".getBytes(StandardCharsets.US_ASCII);
            Files.write(temp.resolve("regular"), regular);
            mkfifo(temp.resolve("fifo"));
            AtomicBoolean swapping = new AtomicBoolean(true);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<?> swapper = threads.submit(() -> {
                    while (swapping.get()) {
                        for (String name : new String[] {"fifo", "regular"}) {
                            Files.move(temp.resolve(name), temp.resolve("target"), StandardCopyOption.ATOMIC_MOVE);
                            Files.move(temp.resolve("target"), temp.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                        }
                    }
                    return null;
                });
                Future<int[]> opener = threads.submit(() -> {
                    int[] outcomes = new int[3];
                    long start = System.nanoTime();
                    long enough = start + TimeUnit.SECONDS.toNanos(1);
                    long end = start + TimeUnit.SECONDS.toNanos(20);
                    while (System.nanoTime() < end
                            && (System.nanoTime() < enough || outcomes[0] == 0 || outcomes[2] == 0)) {
                        try (FileChannel channel = directory.openFile("target")) {
                            assertThat(readAll(channel)).isEqualTo(regular);
                            outcomes[0]++;
                        } catch (NoSuchFileException e) {
                            outcomes[1]++;
                        } catch (RefusedFileException e) {
                            outcomes[2]++;
                        }
                    }
                    return outcomes;
                });
                int[] outcomes = opener.get(60, TimeUnit.SECONDS);
                swapping.set(false);
                swapper.get(10, TimeUnit.SECONDS);
                assertThat(outcomes[0]).as("regular file opened and read").isPositive();
                assertThat(outcomes[2]).as("FIFO refused").isPositive();
            } finally {
                swapping.set(false);
                threads.shutdownNow();
                assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
        }
    }
}
