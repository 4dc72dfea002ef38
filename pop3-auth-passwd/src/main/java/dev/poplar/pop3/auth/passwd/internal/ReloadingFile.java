package dev.poplar.pop3.auth.passwd.internal;

import dev.poplar.pop3.auth.passwd.PasswdFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The parsed content of a file that is read again when it changes: when its modification time, size or identity
 * (inode) differs, checked at most once per interval, on the thread of the {@link #current()} call that notices. If
 * the changed file cannot be loaded, the previous content stays in force and the problem is logged; it is tried
 * again once the file changes again. Thread-safe.
 *
 * @param <T> the parsed content, immutable
 */
public final class ReloadingFile<T> {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingFile.class);

    /**
     * Reads and parses the file.
     *
     * @param <T> the parsed content
     */
    @FunctionalInterface
    public interface Loader<T> {
        /**
         * Reads and parses the file.
         *
         * @param file the file
         * @return its content
         * @throws PasswdFileException if it cannot be read or is not valid
         */
        T load(Path file) throws PasswdFileException;
    }

    /** One version of the file and what it held. */
    private record Loaded<T>(T value, Stamp stamp) {
    }

    /** What tells one version of the file from another without reading it; {@code null} fields when absent. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static final Stamp ABSENT = new Stamp(null, -1, null);

        static Stamp of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        }
    }

    private final Path file;
    private final String what;
    private final long checkIntervalNanos;
    private final Loader<T> loader;
    private final Optional<T> whenAbsent;
    private final Function<T, String> describe;
    private final ReentrantLock reloading = new ReentrantLock();
    private volatile Loaded<T> loaded;
    private volatile long nextCheck;

    /**
     * Loads the file.
     *
     * @param file the file
     * @param what what it is, for logs ("users file")
     * @param checkInterval how often, at most, to look for a change
     * @param loader reads and parses it
     * @param whenAbsent the content of a file that does not exist, or empty if it must exist
     * @param describe says what a content holds, for logs ("3 users")
     * @throws PasswdFileException if it cannot be loaded
     */
    public ReloadingFile(Path file, String what, Duration checkInterval, Loader<T> loader, Optional<T> whenAbsent,
                         Function<T, String> describe) throws PasswdFileException {
        this.file = file;
        this.what = what;
        this.checkIntervalNanos = checkInterval.toNanos();
        this.loader = loader;
        this.whenAbsent = whenAbsent;
        this.describe = describe;
        Stamp stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            throw new PasswdFileException(file, 0, "cannot be read: " + e, e);
        }
        this.loaded = new Loaded<>(load(stamp), stamp);
        this.nextCheck = System.nanoTime() + checkIntervalNanos;
    }

    /**
     * The content, after reading the file again if it is time to look and it has changed.
     *
     * @return the content in force
     */
    public T current() {
        reloadIfChanged();
        return loaded.value();
    }

    /**
     * The content in force, without looking at the file.
     *
     * @return the content
     */
    public T peek() {
        return loaded.value();
    }

    private void reloadIfChanged() {
        long now = System.nanoTime();
        if (now - nextCheck < 0 || !reloading.tryLock()) {
            return;
        }
        try {
            nextCheck = now + checkIntervalNanos;
            Loaded<T> current = loaded;
            Stamp stamp;
            try {
                stamp = stamp();
            } catch (IOException e) {
                LOG.warn("Cannot check the {} {}; keeping {}: {}", what, file, describe.apply(current.value()),
                        e.toString());
                return;
            }
            if (stamp.equals(current.stamp())) {
                return;
            }
            try {
                loaded = new Loaded<>(load(stamp), stamp);
                LOG.info("Reloaded the {} {}: {}", what, file, describe.apply(loaded.value()));
            } catch (PasswdFileException e) {
                LOG.error("Cannot reload the {}; keeping {} loaded before: {}", what, describe.apply(current.value()),
                        e.getMessage());
                loaded = new Loaded<>(current.value(), stamp);
            }
        } finally {
            reloading.unlock();
        }
    }

    private Stamp stamp() throws IOException {
        try {
            return Stamp.of(file);
        } catch (NoSuchFileException e) {
            if (whenAbsent.isPresent()) {
                return Stamp.ABSENT;
            }
            throw e;
        }
    }

    private T load(Stamp stamp) throws PasswdFileException {
        return stamp == Stamp.ABSENT ? whenAbsent.orElseThrow() : loader.load(file);
    }
}
