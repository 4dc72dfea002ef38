package dev.poplar.pop3.store.maildir.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.poplar.pop3.store.maildir.internal.DirectoryTest.mkfifo;
import static org.assertj.core.api.Assertions.assertThat;

class OpenGuardTest {

    @TempDir
    Path maildir;

    final OpenGuard guard = new OpenGuard(Duration.ofMillis(50));

    @AfterEach
    void close() {
        guard.close();
    }

    @Test
    void anOpenWaitingOnAFifoIsReleased() throws Exception {
        Path fifo = Files.createDirectory(maildir.resolve("cur")).resolve("message");
        mkfifo(fifo);

        CompletableFuture<Long> size = CompletableFuture.supplyAsync(() -> {
            try (FileChannel channel = guard.open(fifo, maildir, () -> FileChannel.open(fifo, StandardOpenOption.READ))) {
                return channel.size();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(size.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aFifoMovedToAnotherDirectoryOfTheMaildirIsFoundAndReleased() throws Exception {
        Path name = Files.createDirectory(maildir.resolve("cur")).resolve("message");
        Path moved = Files.createDirectory(maildir.resolve("tmp")).resolve("hidden");
        mkfifo(moved);

        // The open waits on the FIFO that is no longer at the name the guard knows: as after an attacker moved it.
        CompletableFuture<Boolean> opened = CompletableFuture.supplyAsync(() -> {
            try (FileChannel channel = guard.open(name, maildir, () -> FileChannel.open(moved, StandardOpenOption.READ))) {
                return channel.isOpen();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(opened.get(10, TimeUnit.SECONDS)).isTrue();
    }

    /** The store's heartbeat sets lock files' times, which opens them: a FIFO swapped in must not hold it for good. */
    @Test
    void aRepeatedTaskWaitingOnAFifoIsReleased() throws Exception {
        Path fifo = Files.createDirectory(maildir.resolve("cur")).resolve("poplar.lock");
        mkfifo(fifo);
        CompletableFuture<Long> size = new CompletableFuture<>();

        var repetition = guard.every(Duration.ofMillis(10), () -> {
            if (size.isDone()) {
                return;
            }
            try (FileChannel channel = guard.open(fifo, maildir, () -> FileChannel.open(fifo, StandardOpenOption.READ))) {
                size.complete(channel.size());
            } catch (Exception e) {
                size.completeExceptionally(e);
            }
        });
        try {
            assertThat(size.get(10, TimeUnit.SECONDS)).isZero();
        } finally {
            repetition.cancel(false);
        }
    }

    @Test
    void aFastOpenIsNotTouched() throws Exception {
        Path file = Files.writeString(maildir.resolve("file"), "x");
        try (FileChannel channel = guard.open(file, maildir, () -> FileChannel.open(file))) {
            assertThat(channel.size()).isEqualTo(1);
        }
    }
}
