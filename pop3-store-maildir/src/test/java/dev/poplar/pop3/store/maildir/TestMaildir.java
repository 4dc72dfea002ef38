package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.MessageContent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** One Maildir under a test's root, with delivery as an MTA does it: write to tmp/, rename into new/ or cur/. */
final class TestMaildir {

    private final Path maildir;
    private final AtomicLong sequence = new AtomicLong();
    private final long firstSecond = 1_700_000_000L;

    TestMaildir(Path root, String mailbox) {
        this.maildir = root.resolve(mailbox);
        try {
            for (String sub : new String[] {"cur", "new", "tmp"}) {
                Files.createDirectories(maildir.resolve(sub));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path() {
        return maildir;
    }

    Path resolve(String relative) {
        return maildir.resolve(relative);
    }

    /** A fresh base name in Dovecot's form, one second later than the previous one. */
    String nextBase() {
        long n = sequence.incrementAndGet();
        return (firstSecond + n) + ".M" + (100_000 + n) + "P4242.test.example";
    }

    /** Delivers into new/ under a fresh base name; returns the file name. */
    String deliver(String content) {
        return deliver("new", nextBase(), content.getBytes(StandardCharsets.UTF_8));
    }

    /** Delivers octets into new/ or cur/ under a given file name, through tmp/. */
    String deliver(String directory, String fileName, byte[] content) {
        try {
            Path temp = maildir.resolve("tmp").resolve(fileName.replace(':', '_'));
            Files.write(temp, content);
            Files.move(temp, maildir.resolve(directory).resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
            return fileName;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets the modification time of new/ and cur/ to an hour ago, so that a listing read now is trusted. */
    void ageDirectories() {
        setDirectoryTimes(FileTime.from(Instant.now().minusSeconds(3600)));
    }

    void setDirectoryTimes(FileTime time) {
        try {
            Files.setLastModifiedTime(maildir.resolve("new"), time);
            Files.setLastModifiedTime(maildir.resolve("cur"), time);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(MessageContent content) throws IOException {
        try (content) {
            ReadableByteChannel channel = content.channel();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return out.toByteArray();
        }
    }
}
