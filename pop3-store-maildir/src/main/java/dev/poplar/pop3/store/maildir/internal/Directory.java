package dev.poplar.pop3.store.maildir.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An open directory that every operation goes through by name, relative to the directory itself ({@code openat},
 * {@code fstatat}, {@code unlinkat}, {@code renameat}), never following a symbolic link: a directory renamed or
 * replaced by a link after it was opened cannot send an operation elsewhere.
 *
 * <p>Files are opened only after {@code lstat} shows a regular file, with {@code O_NOFOLLOW}, under the
 * {@link OpenGuard}, and checked once open (same size, same file at the name); they read no further than the size
 * checked. Subdirectories are opened only after {@code lstat} shows a directory, and checked once open with
 * {@code fstat} (same inode).
 *
 * <p>Thread-safe: the underlying {@link SecureDirectoryStream} may be used by several threads.
 */
public final class Directory implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Directory.class);
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
            LinkOption.NOFOLLOW_LINKS);

    private final SecureDirectoryStream<Path> stream;
    private final Path path;
    private final Path scope;
    private final OpenGuard guard;

    private Directory(SecureDirectoryStream<Path> stream, Path path, Path scope, OpenGuard guard) {
        this.stream = stream;
        this.path = path;
        this.scope = scope;
        this.guard = guard;
    }

    /**
     * Opens a directory that the administrator configured (a store root): links on its path are followed.
     *
     * @param path the directory
     * @param guard the guard for opens through this directory
     * @return the open directory
     * @throws IOException if it cannot be opened
     * @throws UnsupportedOperationException if the file system cannot open files relative to a directory
     */
    public static Directory openTrusted(Path path, OpenGuard guard) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(path);
        if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
            stream.close();
            throw new UnsupportedOperationException("the file system of " + path
                    + " cannot open files relative to a directory (no SecureDirectoryStream): the Maildir store needs it"
                    + " to stay inside its Maildirs");
        }
        return new Directory(secure, path, path, guard);
    }

    /**
     * The path this directory was opened by, for messages and for the guard.
     *
     * @return the path
     */
    public Path path() {
        return path;
    }

    /**
     * This directory's own attributes ({@code fstat}).
     *
     * @return the attributes
     * @throws IOException if they cannot be read
     */
    public BasicFileAttributes attributes() throws IOException {
        return stream.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
    }

    /**
     * The attributes of an entry, not following a link ({@code fstatat} with {@code AT_SYMLINK_NOFOLLOW}).
     *
     * @param name the entry's name
     * @return its attributes
     * @throws java.nio.file.NoSuchFileException if there is no such entry
     * @throws IOException if they cannot be read
     */
    public BasicFileAttributes entry(String name) throws IOException {
        return stream.getFileAttributeView(relative(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
    }

    /**
     * The attributes of an entry that must be a directory ({@code lstat}: a link is not one).
     *
     * @param name the entry's name
     * @return its attributes
     * @throws java.nio.file.NoSuchFileException if there is no such entry
     * @throws RefusedFileException if it is a link or anything but a directory
     * @throws IOException if they cannot be read
     */
    public BasicFileAttributes directoryEntry(String name) throws IOException {
        BasicFileAttributes seen = entry(name);
        requireDirectory(name, seen);
        return seen;
    }

    private void requireDirectory(String name, BasicFileAttributes seen) throws RefusedFileException {
        if (!seen.isDirectory()) {
            Path child = path.resolve(name);
            throw new RefusedFileException(child.toString(), "is " + kind(seen, child) + ", not a directory");
        }
    }

    /**
     * Opens a subdirectory that is not a link.
     *
     * @param name the subdirectory's name
     * @param scope where a FIFO swapped in for it would be looked for (see {@link OpenGuard}); also the scope of the
     *     opens through the new directory
     * @return the open subdirectory
     * @throws java.nio.file.NoSuchFileException if there is no such entry
     * @throws RefusedFileException if it is a link or not a directory, or changed while it was opened
     * @throws IOException if it cannot be opened
     */
    public Directory directory(String name, Path scope) throws IOException {
        return directory(name, scope, entry(name));
    }

    /**
     * Opens a subdirectory that is not a link, after its {@code lstat}.
     *
     * @param name the subdirectory's name
     * @param scope as {@link #directory(String, Path)} says
     * @param seen its attributes, read with {@link #entry(String)} just before
     * @return the open subdirectory
     * @throws RefusedFileException if it is a link or not a directory, or changed since it was seen
     * @throws IOException if it cannot be opened
     */
    public Directory directory(String name, Path scope, BasicFileAttributes seen) throws IOException {
        Path child = path.resolve(name);
        requireDirectory(name, seen);
        SecureDirectoryStream<Path> opened = guard.open(child, scope,
                () -> stream.newDirectoryStream(relative(name), LinkOption.NOFOLLOW_LINKS));
        try {
            BasicFileAttributes now = opened.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
            if (!now.isDirectory() || !Objects.equals(now.fileKey(), seen.fileKey())) {
                throw new RefusedFileException(child.toString(), "changed while it was opened");
            }
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        return new Directory(opened, child, scope, guard);
    }

    /**
     * Opens a regular file for reading, after its {@code lstat}.
     *
     * @param name the file's name
     * @param seen its attributes, read with {@link #entry(String)} just before
     * @return a channel that reads no further than {@code seen.size()}; a {@link FileChannel}, so it may be sent
     *     without copying
     * @throws RefusedFileException if it is not a regular file, or another file was found once it was open
     * @throws IOException if it cannot be opened
     */
    public FileChannel openFile(String name, BasicFileAttributes seen) throws IOException {
        Path file = path.resolve(name);
        if (!seen.isRegularFile()) {
            throw new RefusedFileException(file.toString(), "is " + kind(seen, file) + ", not a regular file");
        }
        SeekableByteChannel opened = guard.open(file, scope, () -> stream.newByteChannel(relative(name), READ));
        try {
            if (!(opened instanceof FileChannel channel)) {
                throw new RefusedFileException(file.toString(), "did not open as a file");
            }
            long size = channel.size();
            BasicFileAttributes now = entry(name);
            if (size != seen.size() || !now.isRegularFile() || now.size() != size
                    || !Objects.equals(now.fileKey(), seen.fileKey())) {
                throw new RefusedFileException(file.toString(), "changed while it was opened");
            }
            return new BoundedFileChannel(channel, size);
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /**
     * Opens a regular file for reading: {@link #entry(String)}, then {@link #openFile(String, BasicFileAttributes)}.
     *
     * @param name the file's name
     * @return the channel
     * @throws java.nio.file.NoSuchFileException if there is no such entry
     * @throws RefusedFileException if it is not a regular file
     * @throws IOException if it cannot be opened
     */
    public FileChannel openFile(String name) throws IOException {
        return openFile(name, entry(name));
    }

    /**
     * Creates a new file for writing, with mode 0600 where the file system has POSIX permissions.
     *
     * @param name the file's name; nothing may exist under it
     * @return the channel
     * @throws java.nio.file.FileAlreadyExistsException if the name exists (also as a link)
     * @throws IOException if it cannot be created
     */
    public FileChannel createFile(String name) throws IOException {
        FileAttribute<?>[] attributes = path.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        SeekableByteChannel created = stream.newByteChannel(relative(name), CREATE, attributes);
        if (!(created instanceof FileChannel channel)) {
            created.close();
            throw new IOException(path.resolve(name) + " did not open as a file");
        }
        return channel;
    }

    /**
     * The names in this directory, read with a fresh handle on it.
     *
     * @return the names, in no particular order
     * @throws IOException if the directory cannot be read
     */
    public List<String> names() throws IOException {
        try (SecureDirectoryStream<Path> listing = stream.newDirectoryStream(relative("."),
                LinkOption.NOFOLLOW_LINKS)) {
            List<String> names = new ArrayList<>();
            for (Path entry : listing) {
                names.add(entry.getFileName().toString());
            }
            return names;
        } catch (DirectoryIteratorException e) {
            // A readdir that fails while iterating (EIO, ESTALE on NFS) comes out unchecked: the callers handle
            // I/O failures, which an unchecked one would slip past (an update cut short without saying so).
            throw e.getCause();
        }
    }

    /**
     * Removes a file ({@code unlinkat}); a directory is not removed.
     *
     * @param name the file's name
     * @throws java.nio.file.NoSuchFileException if there is no such entry
     * @throws IOException if it cannot be removed
     */
    public void delete(String name) throws IOException {
        stream.deleteFile(relative(name));
    }

    /**
     * Renames an entry atomically ({@code renameat}), replacing a file of the target name as {@code rename} does.
     *
     * @param name the entry's name here
     * @param target the directory to move it to (on the same file system)
     * @param targetName its name there
     * @throws java.nio.file.NoSuchFileException if there is no such entry
     * @throws IOException if it cannot be renamed
     */
    public void rename(String name, Directory target, String targetName) throws IOException {
        stream.move(relative(name), target.stream, target.relative(targetName));
    }

    /**
     * Reads the text of a symbolic link in this directory.
     *
     * @param name the link's name
     * @return its target as written
     * @throws IOException if it cannot be read
     */
    public Path readLink(String name) throws IOException {
        return Files.readSymbolicLink(path.resolve(relative(name)));
    }

    /**
     * Writes this directory's entries to stable storage ({@code fsync} of the directory), so that a rename into it
     * survives a power failure. File systems that cannot do it are logged at debug level and skipped.
     */
    public void sync() {
        try (SeekableByteChannel self = stream.newByteChannel(relative("."), Set.of(StandardOpenOption.READ))) {
            if (self instanceof FileChannel channel) {
                channel.force(true);
            }
        } catch (IOException e) {
            LOG.debug("Cannot sync the directory {}: {}", path, e.toString());
        }
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (IOException e) {
            LOG.debug("Cannot close the directory {}: {}", path, e.toString());
        }
    }

    /**
     * What kind of entry an {@code lstat} shows, in words for a log.
     *
     * @param attributes the attributes
     * @param path the entry, to tell special files apart
     * @return for example "a symbolic link" or "a FIFO"
     */
    public static String kind(BasicFileAttributes attributes, Path path) {
        if (attributes.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (attributes.isDirectory()) {
            return "a directory";
        }
        if (attributes.isRegularFile()) {
            return "a regular file";
        }
        return switch (OpenGuard.mode(path) & 0170000) {
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "a special file";
        };
    }

    private Path relative(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.equals("..")) {
            throw new IllegalArgumentException("not a single name: \"" + name + "\"");
        }
        return path.getFileSystem().getPath(name);
    }
}
