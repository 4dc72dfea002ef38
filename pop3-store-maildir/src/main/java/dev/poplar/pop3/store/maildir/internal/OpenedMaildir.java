package dev.poplar.pop3.store.maildir.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One mailbox's Maildir, open as a directory: its {@code cur/}, {@code new/} and {@code tmp/} are opened through it on
 * first use, never following a link, and closed with it.
 *
 * <p>One session uses it from one thread at a time; the methods are synchronized for visibility.
 */
public final class OpenedMaildir implements Closeable {

    /** The subdirectory of delivered messages not yet seen by a mail client. */
    public static final String NEW = "new";
    /** The subdirectory of messages a mail client has seen. */
    public static final String CUR = "cur";
    /** The subdirectory where messages are written before delivery. */
    public static final String TMP = "tmp";

    private final Path path;
    private final Directory directory;
    private final boolean followMessageLinks;
    private Directory cur;
    private Directory news;
    private Directory tmp;

    OpenedMaildir(Path path, Directory directory, boolean followMessageLinks) {
        this.path = path;
        this.directory = directory;
        this.followMessageLinks = followMessageLinks;
    }

    /**
     * The Maildir's real path: the key of its lock and caches, and the text of messages.
     *
     * @return the path
     */
    public Path path() {
        return path;
    }

    /**
     * The Maildir directory itself.
     *
     * @return the open directory
     */
    public Directory directory() {
        return directory;
    }

    /**
     * A subdirectory, opened on first use.
     *
     * @param name {@link #NEW}, {@link #CUR} or {@link #TMP}
     * @return the open subdirectory
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws RefusedFileException if it is a link or not a directory
     * @throws IOException if it cannot be opened
     */
    public synchronized Directory sub(String name) throws IOException {
        Directory open = opened(name);
        if (open == null) {
            open = directory.directory(name, path);
            switch (name) {
                case NEW -> news = open;
                case CUR -> cur = open;
                default -> tmp = open;
            }
        }
        return open;
    }

    /**
     * A subdirectory's attributes now, without opening it: {@code fstat} if it is open, else its {@code lstat}
     * through the Maildir (which never follows a link). Enough to tell whether it changed.
     *
     * @param name {@link #NEW}, {@link #CUR} or {@link #TMP}
     * @return the attributes of a directory
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws RefusedFileException if it is a link or not a directory
     * @throws IOException if they cannot be read
     */
    public synchronized BasicFileAttributes subAttributes(String name) throws IOException {
        Directory open = opened(name);
        if (open != null) {
            return open.attributes();
        }
        return directory.directoryEntry(name);
    }

    private Directory opened(String name) {
        return switch (name) {
            case NEW -> news;
            case CUR -> cur;
            case TMP -> tmp;
            default -> throw new IllegalArgumentException("not a Maildir subdirectory: " + name);
        };
    }

    /**
     * The regular file that holds a message: the named file itself or, where links to messages are allowed, the
     * message file of this Maildir that a link names (one link, to a file directly in {@code cur/} or {@code new/}).
     *
     * @param subdirectory {@link #NEW} or {@link #CUR}
     * @param name the message's file name there
     * @return the file, with its {@code lstat}
     * @throws java.nio.file.NoSuchFileException if there is no such entry (or the link's target is missing)
     * @throws RefusedFileException if it is a special file, a directory, or a link the store may not follow
     * @throws IOException if it cannot be looked at
     */
    public MessageSource source(String subdirectory, String name) throws IOException {
        Directory where = sub(subdirectory);
        BasicFileAttributes seen = where.entry(name);
        if (seen.isSymbolicLink()) {
            Path link = path.resolve(subdirectory).resolve(name);
            if (!followMessageLinks) {
                throw new RefusedFileException(link.toString(), "is a symbolic link (links to messages are not"
                        + " followed unless allowed)");
            }
            Path target = path.resolve(subdirectory).resolve(where.readLink(name)).normalize();
            Path relative = target.startsWith(path) ? path.relativize(target) : null;
            if (relative == null || relative.getNameCount() != 2
                    || !(relative.getName(0).toString().equals(CUR) || relative.getName(0).toString().equals(NEW))) {
                throw new RefusedFileException(link.toString(), "links to " + target
                        + ", which is not a message file of the same Maildir");
            }
            where = sub(relative.getName(0).toString());
            name = relative.getName(1).toString();
            seen = where.entry(name);
            if (!seen.isRegularFile()) {
                throw new RefusedFileException(link.toString(), "links to " + target + ", which is "
                        + Directory.kind(seen, target));
            }
        } else if (!seen.isRegularFile()) {
            Path file = path.resolve(subdirectory).resolve(name);
            throw new RefusedFileException(file.toString(), "is " + Directory.kind(seen, file));
        }
        return new MessageSource(where, name, seen);
    }

    /**
     * A regular file found by {@link #source(String, String)}.
     *
     * @param directory the directory that holds it
     * @param name its name there
     * @param attributes its {@code lstat}
     */
    public record MessageSource(Directory directory, String name, BasicFileAttributes attributes) {

        /**
         * Opens the file for reading, up to the size seen.
         *
         * @return the channel
         * @throws IOException if it cannot be opened, or turns out not to be the file seen
         */
        public FileChannel open() throws IOException {
            return directory.openFile(name, attributes);
        }
    }

    /** Closes the subdirectories and the Maildir directory. */
    @Override
    public synchronized void close() {
        for (Directory open : new Directory[] {cur, news, tmp}) {
            if (open != null) {
                open.close();
            }
        }
        directory.close();
    }
}
