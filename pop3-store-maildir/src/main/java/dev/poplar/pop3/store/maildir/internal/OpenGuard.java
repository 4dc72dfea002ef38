package dev.poplar.pop3.store.maildir.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a FIFO from holding a thread that opens a file of a Maildir.
 *
 * <p>Opening a FIFO for reading waits until someone opens it for writing, and Java cannot open a file without waiting
 * ({@code O_NONBLOCK}). The store checks every name with {@code lstat} before it opens it and never opens anything but
 * regular files and directories; a local user who can write into a Maildir could still swap a FIFO in between the check
 * and the open. Every such open runs under this guard: a daemon thread looks at opens that have waited longer than the
 * patience, and if the name (or any name in the directory it belongs to, such as the Maildir, and in that directory's
 * subdirectories, where a FIFO may have been moved meanwhile) is a FIFO, opens that FIFO for reading and writing, which
 * Linux never makes wait, and closes it at once. The waiting open then completes, and the caller's check of what it opened refuses it.
 *
 * <p>What the guard cannot undo: a FIFO moved out of the Maildir's directories while an open waits on it keeps that
 * thread until someone opens the FIFO for writing. Such opens are logged as errors, once each.
 *
 * <p>Thread-safe.
 */
public final class OpenGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpenGuard.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int MAX_SCANNED = 200_000;

    private final long patienceNanos;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor watcher;
    /** Runs the repeated tasks ({@link #every}), which may open files under this guard themselves. */
    private final ScheduledThreadPoolExecutor tasks;

    /**
     * Starts the watching thread and the thread of repeated tasks (daemons).
     *
     * @param patience how long an open may wait before FIFOs are released
     */
    public OpenGuard(Duration patience) {
        this.patienceNanos = patience.toNanos();
        this.watcher = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "poplar-maildir");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(patienceNanos / 2, TimeUnit.MILLISECONDS.toNanos(10));
        watcher.scheduleWithFixedDelay(this::check, period, period, TimeUnit.NANOSECONDS);
        this.tasks = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "poplar-maildir-tasks");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** What an open does. */
    @FunctionalInterface
    public interface Opening<T> {
        /**
         * Opens.
         *
         * @return what was opened
         * @throws IOException if opening fails
         */
        T open() throws IOException;
    }

    /**
     * Runs an open under the guard.
     *
     * @param where the path being opened, to find the FIFO by if the open waits
     * @param scope the directory where a FIFO swapped in may be found if it is no longer at {@code where}: the
     *     Maildir; it and its subdirectories are searched
     * @param opening the open
     * @param <T> what it opens
     * @return what it opened
     * @throws IOException as the open
     */
    public <T> T open(Path where, Path scope, Opening<T> opening) throws IOException {
        long id = sequence.incrementAndGet();
        Pending entry = new Pending(where, scope, Thread.currentThread().getName(), System.nanoTime());
        pending.put(id, entry);
        try {
            return opening.open();
        } finally {
            pending.remove(id);
            if (entry.reported) {
                LOG.warn("Opening {} waited {} ms on a FIFO; it was released and the file refused", where,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - entry.started));
            }
        }
    }

    /** Releases the FIFOs that opens are waiting on. Called by the watching thread; callable directly. */
    public void check() {
        long now = System.nanoTime();
        for (Pending entry : pending.values()) {
            if (now - entry.started >= patienceNanos) {
                try {
                    release(entry);
                } catch (RuntimeException e) {
                    LOG.warn("Cannot release what {} waits on: {}", entry.where, e.toString());
                }
            }
        }
    }

    private void release(Pending entry) {
        boolean released = releaseFifo(entry.where) || releaseFifosBelow(entry.scope);
        if (released) {
            entry.reported = true;
        } else if (!entry.unreleased) {
            entry.unreleased = true;
            LOG.error("Thread {} has waited {} ms to open {} and no FIFO was found to release: a FIFO moved out of"
                    + " the Maildir holds it until someone opens that FIFO for writing", entry.thread,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - entry.started), entry.where);
        }
    }

    /** Releases the FIFOs in a directory and in its subdirectories; true if any. */
    private static boolean releaseFifosBelow(Path top) {
        int[] scanned = {0};
        boolean any = releaseFifosIn(top, scanned);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(top)) {
            for (Path entry : entries) {
                if (scanned[0] <= MAX_SCANNED && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    any |= releaseFifosIn(entry, scanned);
                }
            }
        } catch (IOException e) {
            LOG.debug("Cannot look for FIFOs in {}: {}", top, e.toString());
        }
        return any;
    }

    private static boolean releaseFifosIn(Path directory, int[] scanned) {
        boolean any = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (++scanned[0] > MAX_SCANNED) {
                    break;
                }
                any |= releaseFifo(entry);
            }
        } catch (IOException e) {
            LOG.debug("Cannot look for FIFOs in {}: {}", directory, e.toString());
        }
        return any;
    }

    /**
     * Opens a FIFO for reading and writing and closes it, which lets an open waiting on it complete; does nothing to
     * anything else.
     *
     * @return whether the path was a FIFO that could be opened
     */
    private static boolean releaseFifo(Path path) {
        if (!isFifo(path)) {
            return false;
        }
        // O_RDWR never waits for a FIFO's other end on Linux; NOFOLLOW keeps a link swapped in from being followed.
        try (FileChannel ignored = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("Cannot release the FIFO {}: {}", path, e.toString());
            return false;
        }
    }

    /**
     * Whether a path is a FIFO, without following a link.
     *
     * @param path the path
     * @return {@code true} only if it is a FIFO now
     */
    static boolean isFifo(Path path) {
        return (mode(path) & S_IFMT) == S_IFIFO;
    }

    /**
     * The file type and mode bits of a path, without following a link.
     *
     * @param path the path
     * @return {@code st_mode}, or 0 if it cannot be read (no such file, no {@code unix} attribute view)
     */
    static int mode(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer value ? value : 0;
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }

    /**
     * Runs a task at a fixed delay, until it is cancelled or the guard closes (the store's lock heartbeat), on a thread
     * of its own: the task's opens are guarded like any other (setting a file's time opens it, and a FIFO swapped in
     * under the name would hold the task), which the watching thread could not do if it were the one waiting.
     *
     * @param period the delay before the first run and between runs
     * @param task the task; it must not throw (a run that throws ends the repetition)
     * @return the repetition, to cancel
     */
    public ScheduledFuture<?> every(Duration period, Runnable task) {
        long nanos = period.toNanos();
        return tasks.scheduleWithFixedDelay(task, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** Stops the watching thread and the repeated tasks. Opens that still wait stay unguarded. */
    @Override
    public void close() {
        tasks.shutdownNow();
        watcher.shutdownNow();
    }

    private static final class Pending {
        final Path where;
        final Path scope;
        final String thread;
        final long started;
        volatile boolean reported;
        volatile boolean unreleased;

        Pending(Path where, Path scope, String thread, long started) {
            this.where = where;
            this.scope = scope;
            this.thread = thread;
            this.started = started;
        }
    }
}
