package dev.poplar.pop3.store.maildir.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A Maildir lock file as read from disk: its owner fields, modification time (the heartbeat) and file identity.
 *
 * <p>The file is text, one {@code key=value} per line after a first line {@code poplar-lock 1}: {@code host},
 * {@code pid}, {@code id} (unique per acquisition; for a lock that is a hard link to its store's owner file, the
 * store's id) and {@code since} (not in owner files). Unknown keys are ignored; a file without them
 * (written by something else, or cut short) has no owner and is judged by its age alone.
 *
 * @param fields the owner fields
 * @param modified the last modification time: when the owner last proved it was alive
 * @param fileKey the file's identity on its file system (inode), or {@code null} if unknown
 */
public record LockState(Map<String, String> fields, FileTime modified, Object fileKey) {

    /** The first line of a lock file. */
    public static final String MAGIC = "poplar-lock 1";

    private static final int MAX_LOCK_FILE = 4096;

    /**
     * Copies the fields.
     *
     * @param fields the owner fields
     * @param modified the last modification time
     * @param fileKey the file's identity, or {@code null}
     */
    public LockState {
        fields = Map.copyOf(fields);
        Objects.requireNonNull(modified, "modified");
    }

    /**
     * The content of a lock file for an owner.
     *
     * @param host the owner's host name
     * @param pid the owner's process id
     * @param id the unique id of this acquisition
     * @param since when it was taken
     * @return the octets to write
     */
    public static byte[] render(String host, long pid, String id, Instant since) {
        return (MAGIC + "\nhost=" + host + "\npid=" + pid + "\nid=" + id + "\nsince=" + since + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The content of a store's owner file, which its locks are hard links to: an owner without {@code since}, since
     * the file outlives each lock.
     *
     * @param host the owner's host name
     * @param pid the owner's process id
     * @param id the store's id, the same for all its linked locks
     * @return the octets to write
     */
    public static byte[] renderOwner(String host, long pid, String id) {
        return (MAGIC + "\nhost=" + host + "\npid=" + pid + "\nid=" + id + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a lock file without a guard: what tests and tools use.
     *
     * @param file the lock file
     * @return its state, or {@code null} if there is no such file
     * @throws IOException if it cannot be read
     */
    public static LockState read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads a lock file. Only a regular file is opened (without following a link, under the guard), and no more than
     * 4 KiB of it is read; anything else under the lock's name (a link, a FIFO, a directory) cannot be read.
     *
     * @param file the lock file
     * @param guard the guard for the open, or {@code null} to open directly
     * @return its state, or {@code null} if there is no such file
     * @throws RefusedFileException if it is not a regular file
     * @throws IOException if it cannot be read
     */
    public static LockState read(Path file, OpenGuard guard) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw new RefusedFileException(file.toString(), "is " + Directory.kind(attributes, file)
                        + ", not a lock file; it is left alone");
            }
            // Sized by the lstat (a lock file is about 100 octets; this runs at every release), one octet more to see
            // whether the file grew since, and grown up to the limit if it did.
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(MAX_LOCK_FILE, attributes.size() + 1));
            OpenGuard.Opening<FileChannel> opening = () -> FileChannel.open(file, StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS);
            try (FileChannel channel = guard == null ? opening.open() : guard.open(file, file.getParent(), opening)) {
                while (true) {
                    if (!buffer.hasRemaining()) {
                        if (buffer.capacity() == MAX_LOCK_FILE) {
                            break;
                        }
                        buffer = ByteBuffer.allocate(MAX_LOCK_FILE).put(buffer.flip());
                    }
                    if (channel.read(buffer) < 0) {
                        break;
                    }
                }
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            Map<String, String> fields = new LinkedHashMap<>();
            String[] lines = text.split("\n");
            if (lines.length > 0 && lines[0].equals(MAGIC)) {
                for (int i = 1; i < lines.length; i++) {
                    int eq = lines[i].indexOf('=');
                    if (eq > 0) {
                        fields.putIfAbsent(lines[i].substring(0, eq), lines[i].substring(eq + 1));
                    }
                }
            }
            return new LockState(fields, attributes.lastModifiedTime(), attributes.fileKey());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * The unique id of the acquisition that wrote this file.
     *
     * @return the id, or {@code null} if the file has none
     */
    public String id() {
        return fields.get("id");
    }

    /**
     * The host name of the owner.
     *
     * @return the host, or {@code null} if the file has none
     */
    public String host() {
        return fields.get("host");
    }

    /**
     * The process id of the owner.
     *
     * @return the pid, or empty if the file has none or it is not a number
     */
    public OptionalLong pid() {
        try {
            String pid = fields.get("pid");
            return pid == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(pid));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Whether another reading is of the very same lock file, untouched since: same owner id, same file, same heartbeat.
     *
     * @param other another reading
     * @return {@code true} if nothing changed in between
     */
    public boolean sameAs(LockState other) {
        return Objects.equals(id(), other.id()) && Objects.equals(fileKey, other.fileKey)
                && modified.equals(other.modified);
    }

    /**
     * Who holds the lock, for the log.
     *
     * @return a short description
     */
    public String describe() {
        return "held by " + (host() == null ? "an unknown owner" : "process " + fields.get("pid") + " on " + host())
                + (fields.containsKey("since") ? " since " + fields.get("since") : "") + ", last heartbeat " + modified;
    }
}
