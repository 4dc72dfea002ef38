package dev.poplar.pop3.store.maildir.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedFileChannelTest {

    @TempDir
    Path dir;

    FileChannel bounded(String content, long limit) throws Exception {
        Path file = dir.resolve("message");
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        return new BoundedFileChannel(FileChannel.open(file, StandardOpenOption.READ), limit);
    }

    static String readAll(FileChannel channel, int chunk) throws Exception {
        StringBuilder text = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(chunk);
        while (channel.read(buffer.clear()) >= 0) {
            text.append(StandardCharsets.US_ASCII.decode(buffer.flip()));
        }
        return text.toString();
    }

    @Test
    void sequentialReadsEndAtTheLimitEvenIfTheFileGrows() throws Exception {
        try (FileChannel channel = bounded("0123456789", 10)) {
            Files.writeString(dir.resolve("message"), "abcdef", StandardOpenOption.APPEND);
            assertThat(readAll(channel, 3)).isEqualTo("0123456789");
            assertThat(channel.position()).isEqualTo(10);
            assertThat(channel.size()).isEqualTo(10);
        }
    }

    @Test
    void readsGoOnFromThePositionSet() throws Exception {
        try (FileChannel channel = bounded("0123456789", 10)) {
            ByteBuffer two = ByteBuffer.allocate(2);
            channel.read(two);
            assertThat(channel.position()).isEqualTo(2);
            channel.position(7);
            assertThat(readAll(channel, 4)).isEqualTo("789");
            channel.position(0);
            assertThat(readAll(channel, 64)).isEqualTo("0123456789");
        }
    }

    @Test
    void aFileThatShrankEndsWhereItEnds() throws Exception {
        try (FileChannel channel = bounded("0123456789", 10)) {
            try (FileChannel writer = FileChannel.open(dir.resolve("message"), StandardOpenOption.WRITE)) {
                writer.truncate(4);
            }
            assertThat(readAll(channel, 3)).isEqualTo("0123");
        }
    }

    @Test
    void aClosedChannelRefusesReadsAndItsPosition() throws Exception {
        FileChannel channel = bounded("0123456789", 10);
        channel.close();
        assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(4))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(channel::position).isInstanceOf(ClosedChannelException.class);
    }
}
