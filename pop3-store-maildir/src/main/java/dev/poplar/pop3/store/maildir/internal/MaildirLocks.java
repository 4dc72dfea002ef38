package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.maildir.LockScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Exclusive locks on Maildirs that hold across threads, processes and hosts sharing the file system.
 *
 * <p><b>Protocol.</b> The lock is the file {@value #LOCK_FILE} in the Maildir. To take it, the owner makes that name a
 * hard link ({@code link(2)}) to its <em>owner file</em>: one file per store, written once with the store's description
 * ({@link LockState}) in the directory {@value #OWNER_DIRECTORY} of the store's root. A link fails if the name exists,
 * atomically on local file systems and over NFS (the classic NFS-safe way to take a lock), and it allocates no inode:
 * on ext4 it costs about a third of creating and writing a file, and with many sessions at once it spares the file
 * system's inode allocator, which serializes them (a quarter less server CPU for a short session at 16 clients). A
 * lock is this store's while its name is a link to the owner file (same file key; the store keeps the owner file open,
 * so its inode cannot be reused). Where no link can be made (a Maildir on another file system than the root, a file
 * system without hard links, an owner file that cannot be written) the owner instead creates the lock file
 * exclusively ({@code O_EXCL}: atomic on local file systems and over NFS since version 3, as Dovecot's dot-locks
 * assume by default) and writes its description into it; until that write lands, others see a fresh lock without an
 * owner, which they respect like any fresh lock. While it holds the lock the owner sets the file's modification time
 * every heartbeat and checks the file is still its own. Linked locks share one inode: the heartbeat sets the owner
 * file's time once (through another link of the same inode if the owner file's name is gone) and checks each lock's
 * name with one {@code lstat}, where a lock file of its own is read and its time set. A link takes the inode's time as
 * it is, so a lock is linked only to an owner file whose time this store set within half the stale time (else it sets
 * it first): a lagging heartbeat cannot make a new lock stale at birth. Before deletions ({@link Lock#verify()}) a
 * linked lock is read, not only looked up, so that over NFS its file key comes from the server rather than the client's
 * cache of attributes.
 *
 * <p><b>Stale locks.</b> A lock is stale when its owner process on this host has ended, or when it has not had a
 * heartbeat for the stale time. Contenders break a stale lock in turn: each first takes the break lock
 * {@value #BREAK_FILE} (same protocol, same staleness rules), then checks that the lock is still the very file it
 * judged stale (same id, inode and modification time), renames it to a name of its own, checks again what it moved
 * (and links it back if it is not), deletes it and tries to create the lock. So two contenders that judged the same
 * stale lock cannot both win, and none removes a lock another has just taken. An owner that finds its lock gone or
 * replaced marks it lost: its session can still read, but no longer delete.
 *
 * <p><b>Release.</b> An owner removes its lock file at once when the file is, by its attributes, its own (a link to the
 * owner file; or the very file it last wrote: same inode, modification time and size) and its heartbeat is recent
 * (under half the stale time): nobody can have judged it stale and replaced it, so it need not be read. Otherwise it
 * takes the careful way of a contender: rename aside, check, then delete (or put back). A linked lock that cannot be
 * removed would stay fresh as long as the owner file has heartbeats, so it is tried again at every heartbeat. For the
 * same reason a lock the session found lost is still removed at release if its name has become a link to the owner
 * file's inode again (a contender that renamed it aside, then saw a heartbeat change its time, puts it back).
 *
 * <p><b>Owner files.</b> A store creates its owner file at its first lock and removes it when it closes. One left by a
 * process that ended without closing its store is removed by the next store that creates its owner file in the same
 * directory: at once if the process ran on this host, after a day without heartbeats otherwise.
 *
 * <p>Within one instance, a second acquisition of a held Maildir fails at once without touching the file system. An
 * instance of {@link LockScope#STORE} holds Maildirs in memory only: it never touches the file system at all.
 *
 * <p><b>Record locks</b> ({@link LockScope#PROCESSES}). The lock is a POSIX record lock on the whole of the file
 * {@value #RECORD_LOCK_FILE}, which is created once and stays. The holder checks the name before it opens the file and
 * again once it holds the lock (same file key, a regular file), so a lock file removed or replaced meanwhile is not
 * mistaken for the one it locked; {@link Lock#verify()} checks the name again. A lock held by another store of this JVM
 * shows as an {@link OverlappingFileLockException}: the descriptor that met it is kept for the next attempt on that
 * Maildir rather than closed, since closing it would end the other store's lock (POSIX ends all of a process's record
 * locks on a file when any of its descriptors of that file closes).
 */
public final class MaildirLocks implements AutoCloseable {

    /** The name of the lock file in a Maildir. */
    public static final String LOCK_FILE = "poplar.lock";

    /** The name of the file that contenders for a stale lock take in turn before removing it. */
    public static final String BREAK_FILE = "poplar.lock.break";

    /** The directory of the store's root that holds the owner files of stores using {@link LockScope#HOSTS}. */
    public static final String OWNER_DIRECTORY = ".poplar-locks";

    /** How long an owner file of another host may go without heartbeats before a store removes it as left behind. */
    static final Duration OWNER_FILE_EXPIRY = Duration.ofDays(1);

    /** The name of the file that {@link LockScope#PROCESSES} takes record locks on; it stays in the Maildir. */
    public static final String RECORD_LOCK_FILE = "poplar.fcntl";

    private static final Logger LOG = LoggerFactory.getLogger(MaildirLocks.class);
    private static final int ATTEMPTS = 3;

    private final String host;
    private final long pid = ProcessHandle.current().pid();
    private final String token;
    private final Duration staleAfter;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<Path, Lock> held = new ConcurrentHashMap<>();
    private final LockScope scope;
    /**
     * Descriptors of record lock files that met another store's lock in this JVM: kept (one per Maildir) until they
     * take the lock themselves, since closing them would end that store's lock.
     */
    private final Map<Path, Parked> parked = new ConcurrentHashMap<>();
    /** The heartbeat's repetition on the guard's task thread, or null without lock files. */
    private final ScheduledFuture<?> heartbeat;
    private final OpenGuard guard;
    /** Where the owner file goes, or null to create each lock file on its own. */
    private final Path ownerDirectory;
    private final Object ownerCreation = new Object();
    /** The owner file once created, or null (not yet, or it could not be). */
    private volatile Owner owner;
    /** When this store last set the owner file's time ({@link System#nanoTime()}): at its creation, then heartbeats. */
    private volatile long ownerTimeSet;
    private volatile boolean ownerUnavailable;
    /** Descriptors of owner files that were removed under this store, kept open until it closes. */
    private final List<FileChannel> forgotten = new CopyOnWriteArrayList<>();
    /** Linked locks whose removal failed: retried at each heartbeat (they would otherwise stay fresh). */
    private final Map<Path, Held> leftovers = new ConcurrentHashMap<>();

    /**
     * Creates the lock manager and schedules its heartbeat on the guard's task thread.
     *
     * @param host the name of this host as it appears in lock files; hosts sharing a file system need distinct names
     * @param staleAfter how long a lock may go without a heartbeat before others may break it
     * @param heartbeatEvery how often held locks are refreshed; shorter than {@code staleAfter}
     * @param guard the guard for opening lock files (a user may put a FIFO in their place), whose thread also runs
     *     the heartbeat
     * @param scope how the hold is kept: lock files with a heartbeat ({@link LockScope#HOSTS}), record locks
     *     ({@link LockScope#PROCESSES}) or this instance's memory only ({@link LockScope#STORE})
     * @param ownerDirectory where {@link LockScope#HOSTS} puts the owner file that its locks link to (created when
     *     first needed), or null to create every lock file on its own
     */
    public MaildirLocks(String host, Duration staleAfter, Duration heartbeatEvery, OpenGuard guard,
                        LockScope scope, Path ownerDirectory) {
        this.ownerDirectory = scope == LockScope.HOSTS ? ownerDirectory : null;
        this.host = host;
        this.scope = scope;
        this.guard = guard;
        this.staleAfter = staleAfter;
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random);
        this.heartbeat = scope == LockScope.HOSTS ? guard.every(heartbeatEvery, this::heartbeat) : null;
    }

    /**
     * Takes the lock of a Maildir.
     *
     * @param maildir the Maildir, as a real path (so that two names of one Maildir are one lock)
     * @return the held lock
     * @throws StoreException {@link StoreException.Kind#IN_USE} if someone else holds it,
     *     {@link StoreException.Kind#TEMPORARY} if the lock file cannot be written or read
     */
    public Lock acquire(Path maildir) throws StoreException {
        if (scope == LockScope.STORE) {
            InMemory hold = new InMemory(maildir);
            if (held.putIfAbsent(maildir, hold) != null) {
                throw inUseHere(maildir);
            }
            return hold;
        }
        if (scope == LockScope.PROCESSES) {
            Recorded hold = new Recorded(maildir);
            if (held.putIfAbsent(maildir, hold) != null) {
                throw inUseHere(maildir);
            }
            boolean acquired = false;
            try {
                hold.take();
                acquired = true;
                return hold;
            } finally {
                if (!acquired) {
                    held.remove(maildir, hold);
                }
            }
        }
        Held lock = new Held(maildir, token + "-" + sequence.incrementAndGet());
        if (held.putIfAbsent(maildir, lock) != null) {
            throw inUseHere(maildir);
        }
        boolean acquired = false;
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                if (tryTake(lock)) {
                    lock.acquired = true;
                    acquired = true;
                    return lock;
                }
                LockState current = LockState.read(lock.file, guard);
                if (current == null) {
                    continue;
                }
                String reason = staleReason(current);
                if (reason == null) {
                    throw new StoreException(StoreException.Kind.IN_USE, maildir + " is locked: " + current.describe());
                }
                if (!breakStale(lock, current, reason)) {
                    throw new StoreException(StoreException.Kind.IN_USE, maildir
                            + " has a stale lock that another session is taking over: " + current.describe());
                }
            }
            throw new StoreException(StoreException.Kind.IN_USE, maildir + " is contended: no lock after "
                    + ATTEMPTS + " attempts");
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.TEMPORARY, "cannot lock " + maildir + ": " + e, e);
        } finally {
            if (!acquired) {
                held.remove(maildir, lock);
            }
        }
    }

    private static StoreException inUseHere(Path maildir) {
        return new StoreException(StoreException.Kind.IN_USE, maildir + " is open in another session of this store");
    }

    /**
     * Removes a stale lock under the break lock, so that contenders judging the same stale lock take turns and none
     * can remove a lock another has just taken.
     *
     * @return whether the caller should try to create the lock again
     */
    private boolean breakStale(Held lock, LockState stale, String reason) throws IOException {
        Path breaker = lock.maildir.resolve(BREAK_FILE);
        if (!tryCreate(breaker, lock.id)) {
            LockState other = LockState.read(breaker, guard);
            String otherReason = other == null ? null : staleReason(other);
            if (otherReason != null) {
                LOG.warn("Removing the stale break lock {} ({}): {}", breaker, other.describe(), otherReason);
                removeIf(breaker, other::sameAs);
            }
            return other == null || otherReason != null;
        }
        try {
            LockState now = LockState.read(lock.file, guard);
            if (now == null) {
                return true;
            }
            if (!now.sameAs(stale)) {
                return false;
            }
            LOG.warn("Breaking the stale lock of {} ({}): {}", lock.maildir, stale.describe(), reason);
            return removeIf(lock.file, stale::sameAs) != Removal.OTHER;
        } finally {
            removeIf(breaker, state -> lock.id.equals(state.id()));
        }
    }

    /**
     * Refreshes every held lock once: sets its modification time, or marks it lost if it is no longer ours. Called by
     * the heartbeat thread; callable directly.
     */
    public void heartbeat() {
        Instant now = Instant.now();
        // Linked locks share their owner file's inode: one time set through any name refreshes them all.
        Set<Object> refreshed = new HashSet<>();
        Owner current = owner;
        if (current != null) {
            try {
                if (current.key().equals(keyIfRegular(current.file()))) {
                    setTime(current.file(), ownerDirectory, now);
                    ownerTimeSet = System.nanoTime();
                    refreshed.add(current.key());
                } else {
                    // Removed or replaced: the next lock makes a new one; held locks are set through their own names.
                    forgetOwner(current);
                }
            } catch (IOException e) {
                LOG.debug("Cannot refresh the owner file {}: {}", current.file(), e.toString());
            }
        }
        removeLeftovers();
        for (Lock each : List.copyOf(held.values())) {
            if (each instanceof Held lock && lock.acquired && !lock.released.get()) {
                try {
                    Object key = lock.linkedTo;
                    if (key != null && refreshed.contains(key)) {
                        lock.check(false);
                    } else if (lock.beat(now) && key != null) {
                        refreshed.add(key);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Cannot refresh the lock {}: {}", lock.file, e.toString());
                }
            }
        }
    }

    /** Sets a file's modification time, without following a link and under the guard (setting times opens it). */
    private void setTime(Path file, Path scope, Instant now) throws IOException {
        guard.open(file, scope, () -> {
            Files.getFileAttributeView(file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(now), null, null);
            return null;
        });
    }

    /**
     * Removes linked locks whose release failed, each while holding its Maildir's place in this store (so that a
     * session of this store cannot take the Maildir meanwhile, whose new lock would be a link to the same file).
     */
    private void removeLeftovers() {
        for (Held lock : List.copyOf(leftovers.values())) {
            Path maildir = lock.maildir;
            InMemory place = new InMemory(maildir);
            Lock present = held.putIfAbsent(maildir, place);
            if (present != null) {
                // A lock this store has taken since replaced the leftover (which it found "left behind by this
                // store"). Anything else (the failed release itself, not yet out of the way; an acquisition still
                // going on, which may yet fail) waits for the next heartbeat.
                if (present instanceof Held other && other != lock && other.acquired) {
                    leftovers.remove(maildir, lock);
                }
                continue;
            }
            try {
                // Judged by the lock's own file key: it may be linked to an owner file this store no longer uses.
                if (removeIf(lock.file, lock::isMine) == Removal.REMOVED) {
                    LOG.info("Removed the lock {} left behind by a failed release", lock.file);
                }
                leftovers.remove(maildir, lock);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Still cannot remove the lock {}: {}", lock.file, e.toString());
            } finally {
                held.remove(maildir, place);
            }
        }
    }

    /**
     * Stops the heartbeat and releases every lock still held; closes the descriptors kept for record locks; removes
     * the owner file. Never throws.
     */
    @Override
    public void close() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        for (Lock each : List.copyOf(held.values())) {
            if (each instanceof Held lock && lock.acquired) {
                LOG.warn("The lock of {} was still held when the store closed; releasing it", lock.maildir);
                lock.release();
            } else if (each instanceof Recorded lock) {
                if (lock.channel != null) {
                    LOG.warn("The lock of {} was still held when the store closed; releasing it", lock.maildir);
                }
                lock.release();
            }
        }
        held.clear();
        for (Parked each : List.copyOf(parked.values())) {
            closeQuietly(each.channel());
        }
        parked.clear();
        removeLeftovers();
        synchronized (ownerCreation) {
            Owner current = owner;
            owner = null;
            ownerUnavailable = true;
            forgotten.forEach(MaildirLocks::closeQuietly);
            forgotten.clear();
            if (current != null) {
                closeQuietly(current.channel());
                try {
                    if (current.key().equals(regularFileKey(current.file()))) {
                        Files.deleteIfExists(current.file());
                    }
                } catch (IOException e) {
                    LOG.warn("Cannot remove the owner file {}: {}", current.file(), e.toString());
                }
            }
        }
    }

    /** The file key of a name, or null if the name is gone or is not a regular file. */
    private static Object keyIfRegular(Path file) throws IOException {
        BasicFileAttributes attributes = attributesOrNull(file);
        return attributes != null && attributes.isRegularFile() ? attributes.fileKey() : null;
    }

    /** A name's attributes, without following a link; null if there is no such name. */
    private static BasicFileAttributes attributesOrNull(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A store's owner file: its name, its file key, and the descriptor that keeps its inode from reuse. */
    private record Owner(Path file, Object key, FileChannel channel) {
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Cannot close a lock file: {}", e.toString());
        }
    }

    /**
     * The file key of a regular file, without following a link; null if there is no such name.
     *
     * @throws IOException if the name is not a regular file, or cannot be read
     */
    private static Object regularFileKey(Path file) throws IOException {
        BasicFileAttributes attributes = attributesOrNull(file);
        if (attributes == null) {
            return null;
        }
        if (!attributes.isRegularFile()) {
            throw new FileSystemException(file.toString(), null, "the lock file is not a regular file");
        }
        return attributes.fileKey();
    }

    /** A descriptor of a record lock file kept open, with the file key its name had when it was opened. */
    private record Parked(FileChannel channel, Object key) {
    }

    /**
     * Takes the lock file if it is free: as a link to the owner file where one can be made, else as a file of its own.
     *
     * @return whether the lock is now this one's; false if the name exists
     */
    private boolean tryTake(Held lock) throws IOException {
        Owner current = owner();
        for (int attempt = 0; current != null && attempt < ATTEMPTS; attempt++) {
            try {
                refreshOwnerTimeIfOld(current);
                Files.createLink(lock.file, current.file());
                lock.linkedTo = current.key();
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (IOException | UnsupportedOperationException e) {
                if (e instanceof NoSuchFileException && !Files.exists(current.file(), LinkOption.NOFOLLOW_LINKS)) {
                    // The owner file was removed: make a new one and link to that.
                    forgetOwner(current);
                    current = owner();
                    continue;
                }
                // Another file system (EXDEV), too many links (EMLINK), no hard links: a lock file of its own, which
                // also says what is wrong if anything is.
                LOG.debug("Cannot link {} to {}; creating it: {}", lock.file, current.file(), e.toString());
                current = null;
            }
        }
        if (tryCreate(lock.file, lock.id)) {
            lock.noteWritten();
            return true;
        }
        return false;
    }

    /**
     * Sets the owner file's time before a link to it is made, if this store last set it half the stale time ago or
     * more: a link takes the inode's time as it is, and a heartbeat that lags (a stalled file server, a busy heartbeat
     * thread) would otherwise give a new lock a time that contenders judge stale at once.
     */
    private void refreshOwnerTimeIfOld(Owner current) throws IOException {
        if (System.nanoTime() - ownerTimeSet >= staleAfter.toNanos() / 2) {
            setTime(current.file(), ownerDirectory, Instant.now());
            ownerTimeSet = System.nanoTime();
        }
    }

    /** The owner file, created at the first call; null if it cannot be (then locks are files of their own). */
    private Owner owner() {
        Owner current = owner;
        if (current != null || ownerDirectory == null || ownerUnavailable) {
            return current;
        }
        synchronized (ownerCreation) {
            if (owner == null && !ownerUnavailable) {
                try {
                    owner = createOwner();
                } catch (IOException | RuntimeException e) {
                    ownerUnavailable = true;
                    LOG.info("Each Maildir lock will be a file of its own (slower): cannot write an owner file in"
                            + " {}: {}", ownerDirectory, e.toString());
                }
            }
            return owner;
        }
    }

    private Owner createOwner() throws IOException {
        Files.createDirectories(ownerDirectory);
        removeOwnerFilesLeftBehind();
        Path file = ownerDirectory.resolve("owner-" + pid + "-" + token);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
            writeFully(channel, LockState.renderOwner(host, pid, token + "-0"));
            Object key = regularFileKey(file);
            if (key == null) {
                throw new FileSystemException(file.toString(), null, "the file system gives files no identity");
            }
            ownerTimeSet = System.nanoTime();
            return new Owner(file, key, channel);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Removes the owner files of stores that ended without closing: of processes of this host that have ended, and of
     * any that had no heartbeat for {@link #OWNER_FILE_EXPIRY} (their locks have long gone stale).
     */
    private void removeOwnerFilesLeftBehind() {
        List<Path> files;
        try (var entries = Files.list(ownerDirectory)) {
            files = entries.filter(f -> f.getFileName().toString().startsWith("owner-")).toList();
        } catch (IOException e) {
            LOG.debug("Cannot list {}: {}", ownerDirectory, e.toString());
            return;
        }
        for (Path file : files) {
            try {
                LockState state = LockState.read(file, guard);
                if (state == null) {
                    continue;
                }
                boolean ended = host.equals(state.host()) && state.pid().isPresent() && state.pid().getAsLong() != pid
                        && !ProcessHandle.of(state.pid().getAsLong()).map(ProcessHandle::isAlive).orElse(false);
                boolean silent = Duration.between(state.modified().toInstant(), Instant.now())
                        .compareTo(OWNER_FILE_EXPIRY.plus(staleAfter)) > 0;
                if (ended || silent) {
                    Files.deleteIfExists(file);
                    LOG.info("Removed the owner file {} left behind ({})", file, state.describe());
                }
            } catch (IOException e) {
                LOG.debug("Cannot check the owner file {}: {}", file, e.toString());
            }
        }
    }

    /**
     * Stops using an owner file whose name is gone or no longer its inode; the next lock makes a new one. Locks linked
     * to it stay valid: they keep its inode, which its descriptor, kept open until the store closes, keeps from reuse.
     */
    private void forgetOwner(Owner gone) {
        synchronized (ownerCreation) {
            if (owner == gone) {
                owner = null;
                forgotten.add(gone.channel());
                LOG.warn("The owner file {} was removed or replaced; making a new one", gone.file());
            }
        }
    }

    /**
     * Creates a lock file exclusively ({@code O_EXCL}) and writes its description; true if it is now this id's. A
     * contender that reads it before the description is written finds a fresh lock without owner, which it respects
     * (see {@link #staleReason}); a file left empty by a crash goes stale without heartbeats. If the write fails, the
     * empty file is removed again.
     */
    private boolean tryCreate(Path file, String id) throws IOException {
        byte[] content = LockState.render(host, pid, id, Instant.now());
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        try (channel) {
            writeFully(channel, content);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return true;
    }

    private static void writeFully(FileChannel channel, byte[] content) throws IOException {
        ByteBuffer octets = ByteBuffer.wrap(content);
        while (octets.hasRemaining()) {
            channel.write(octets);
        }
    }

    /** Why a lock may be broken, or null if it must be respected. */
    private String staleReason(LockState state) {
        String id = state.id();
        if (id != null && id.startsWith(token + "-")) {
            return "left behind by this store";
        }
        if (host.equals(state.host()) && state.pid().isPresent() && state.pid().getAsLong() != pid
                && !ProcessHandle.of(state.pid().getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
            return "its owner, process " + state.pid().getAsLong() + " on this host, has ended";
        }
        Duration silence = Duration.between(state.modified().toInstant(), Instant.now());
        if (silence.compareTo(staleAfter) > 0) {
            return "no heartbeat for " + silence.toSeconds() + " s";
        }
        return null;
    }

    private enum Removal { REMOVED, ABSENT, OTHER }

    /**
     * Removes a lock file if it is the expected one: renames it aside first (one contender wins), checks what it moved,
     * then deletes it or puts it back.
     */
    private Removal removeIf(Path file, Predicate<LockState> expected) throws IOException {
        Path aside = file.resolveSibling(file.getFileName() + "." + token + "-" + sequence.incrementAndGet() + ".old");
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return Removal.ABSENT;
        }
        try {
            LockState moved = LockState.read(aside, guard);
            if (moved != null && expected.test(moved)) {
                return Removal.REMOVED;
            }
            putBack(aside, file);
            return Removal.OTHER;
        } finally {
            Files.deleteIfExists(aside);
        }
    }

    private static void putBack(Path aside, Path file) throws IOException {
        try {
            Files.createLink(file, aside);
        } catch (FileAlreadyExistsException e) {
            LOG.error("The lock {} was replaced while it was checked; its owner will find it lost", file);
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (e instanceof AccessDeniedException || e instanceof NoSuchFileException) {
                throw (FileSystemException) e;
            }
            Files.move(aside, file);
        }
    }

    /** A held lock. */
    public interface Lock {
        /**
         * Whether the lock file is still this lock's: reads it.
         *
         * @return {@code false} if it was removed or taken over (or cannot be read)
         */
        boolean verify();

        /** Releases the lock if the file is still this lock's. Idempotent; never throws. */
        void release();
    }

    /** A hold without a lock file: this instance's map is the whole of it. */
    private final class InMemory implements Lock {
        private final Path maildir;

        InMemory(Path maildir) {
            this.maildir = maildir;
        }

        @Override
        public boolean verify() {
            return held.get(maildir) == this;
        }

        @Override
        public void release() {
            held.remove(maildir, this);
        }
    }

    /** A hold by a POSIX record lock on {@value #RECORD_LOCK_FILE}. */
    private final class Recorded implements Lock {
        final Path maildir;
        final Path file;
        final AtomicBoolean released = new AtomicBoolean();
        /** The descriptor the lock is held through: the lock lasts while it is open. */
        private volatile FileChannel channel;
        private volatile Object key;

        Recorded(Path maildir) {
            this.maildir = maildir;
            this.file = maildir.resolve(RECORD_LOCK_FILE);
        }

        /** Takes the lock, or throws: {@code IN_USE} if another holds it, {@code TEMPORARY} if it cannot be taken. */
        void take() throws StoreException {
            try {
                for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                    Parked open = parked.remove(maildir);
                    if (open == null) {
                        open = openFile();
                    }
                    FileLock taken;
                    try {
                        taken = open.channel().tryLock();
                    } catch (OverlappingFileLockException e) {
                        parked.put(maildir, open);
                        throw new StoreException(StoreException.Kind.IN_USE,
                                maildir + " is open in another store of this process");
                    } catch (IOException | RuntimeException e) {
                        closeQuietly(open.channel());
                        throw e;
                    }
                    if (taken == null) {
                        closeQuietly(open.channel());
                        throw new StoreException(StoreException.Kind.IN_USE, maildir
                                + " is locked by another process (a record lock on " + RECORD_LOCK_FILE + ")");
                    }
                    if (open.key().equals(regularFileKeyOrNull())) {
                        key = open.key();
                        channel = open.channel();
                        if (released.get()) {
                            closeQuietly(channel);
                            throw new StoreException(StoreException.Kind.TEMPORARY, "the store closed while "
                                    + maildir + " was being locked");
                        }
                        return;
                    }
                    // The name was removed or replaced between the check and the lock: what is locked is no
                    // longer the lock file. Let go of it and lock what the name is now.
                    closeQuietly(open.channel());
                }
                throw new StoreException(StoreException.Kind.IN_USE, maildir + " is contended: its lock file "
                        + RECORD_LOCK_FILE + " changed under " + ATTEMPTS + " attempts");
            } catch (IOException e) {
                throw new StoreException(StoreException.Kind.TEMPORARY, "cannot lock " + maildir + " (a record lock on "
                        + RECORD_LOCK_FILE + "; use the lock scope HOSTS on file systems without them): " + e, e);
            }
        }

        /**
         * Opens the lock file under the guard, with the key its name had before; creates it the first time, and then
         * locks through the descriptor that created it (closing that one could end a lock another store of this JVM
         * took on the new file meanwhile).
         */
        private Parked openFile() throws IOException {
            Object before = regularFileKey(file);
            if (before == null) {
                FileChannel created;
                try {
                    created = guard.open(file, maildir, () -> FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
                } catch (FileAlreadyExistsException e) {
                    created = null;
                }
                if (created != null) {
                    Object key = regularFileKeyOrNull();
                    if (key == null) {
                        // Removed at once: lock nothing through it, and keep it (see the class description).
                        parked.put(maildir, new Parked(created, new Object()));
                        throw new NoSuchFileException(file.toString(), null, "removed as it was created");
                    }
                    return new Parked(created, key);
                }
                before = regularFileKey(file);
                if (before == null) {
                    throw new NoSuchFileException(file.toString(), null, "created and removed meanwhile");
                }
            }
            FileChannel opened = guard.open(file, maildir, () -> FileChannel.open(file, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
            return new Parked(opened, before);
        }

        private Object regularFileKeyOrNull() {
            try {
                return regularFileKey(file);
            } catch (IOException e) {
                LOG.warn("Cannot check the lock file {}: {}", file, e.toString());
                return null;
            }
        }

        @Override
        public boolean verify() {
            if (released.get() || !channel.isOpen()) {
                return false;
            }
            if (key.equals(regularFileKeyOrNull())) {
                return true;
            }
            LOG.warn("The lock file {} was removed or replaced; this session can no longer delete", file);
            return false;
        }

        @Override
        public void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            try {
                FileChannel open = channel;
                if (open != null) {
                    closeQuietly(open);
                }
            } finally {
                held.remove(maildir, this);
            }
        }
    }

    /**
     * Removes the name just checked, with one {@code unlink}: {@link Files#delete} would first read the name's
     * attributes again (to choose {@code rmdir} for a directory). A failure is then reported by
     * {@link Files#delete}, with its reason.
     *
     * @return true if it was removed, false if there was no such name
     */
    private static boolean unlink(Path file) throws IOException {
        if (file.getFileSystem() == FileSystems.getDefault() && file.toFile().delete()) {
            return true;
        }
        try {
            Files.delete(file);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private final class Held implements Lock {
        final Path maildir;
        final Path file;
        final String id;
        final AtomicBoolean released = new AtomicBoolean();
        volatile boolean acquired;
        volatile boolean lost;
        /** The owner file's key when the lock is a link to it; null for a lock file of its own. */
        volatile Object linkedTo;

        Held(Path maildir, String id) {
            this.maildir = maildir;
            this.file = maildir.resolve(LOCK_FILE);
            this.id = id;
        }

        /**
         * The lock file's attributes as this lock last wrote it (created it, or set its time), or null while a
         * heartbeat sets the time: what lets {@link #release()} remove it without reading it. Not guarded by a lock
         * shared with the heartbeat, whose file operations may wait (a stalled file server, or a FIFO put in the
         * lock's place between its check and its open, which waits out the guard) while a release runs on a network
         * thread: a release that meets a heartbeat halfway sees other attributes and takes the careful way, or
         * removes the file before the heartbeat touches it (which then logs that it cannot refresh it).
         */
        private volatile BasicFileAttributes written;

        /** Notes the attributes of the file this lock has just written. */
        void noteWritten() {
            try {
                written = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                written = null;
            }
        }

        /** Sets the lock file's time if it is still this lock's; true if it was set. */
        boolean beat(Instant now) {
            if (check(false)) {
                written = null;
                try {
                    setTime(file, maildir, now);
                    noteWritten();
                    return true;
                } catch (IOException e) {
                    LOG.warn("Cannot refresh the lock {}: {}", file, e.toString());
                }
            }
            return false;
        }

        /**
         * Removes the lock file without reading it when it is, by its attributes, this lock's (a link to the owner
         * file; or the file as this lock last wrote it: same file, same modification time and size) and its heartbeat
         * is recent (under half the stale time, so no contender can have judged it stale and replaced it). The name is
         * checked and removed in two steps; a contender could put its own lock between them only after breaking this
         * one as stale, which the recent heartbeat rules out. Otherwise {@link #release()} takes the careful way:
         * rename aside, read, then delete.
         *
         * @return whether the file was removed
         */
        private boolean removeIfUnchanged() throws IOException {
            Object key = linkedTo;
            BasicFileAttributes before = written;
            if (key == null && before == null) {
                return false;
            }
            BasicFileAttributes now;
            try {
                now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return false;
            }
            boolean unchanged = key != null
                    // A link to the owner file, whose time every heartbeat of this store sets.
                    ? now.isRegularFile() && key.equals(now.fileKey()) && recent(now.lastModifiedTime())
                    : now.isRegularFile() && before.fileKey() != null && before.fileKey().equals(now.fileKey())
                            && before.lastModifiedTime().equals(now.lastModifiedTime())
                            && before.size() == now.size() && recent(before.lastModifiedTime());
            if (!unchanged) {
                return false;
            }
            return unlink(file);
        }

        /**
         * Removes a lost linked lock whose name is a link to its inode again: a contender that renamed it aside to break
         * it and then found its time changed (a heartbeat) puts it back, and the heartbeats of this store, which set
         * the inode's time, would keep it fresh as long as the store lives. A lost lock file of its own is left alone:
         * nobody sets its time, so it goes stale.
         */
        private void removeIfLinkedAgain() throws IOException {
            Object key = linkedTo;
            if (key != null && key.equals(keyIfRegular(file)) && removeIf(file, this::isMine) == Removal.REMOVED) {
                LOG.info("Removed the lock {}, which had become a link to this store's owner file again", file);
            }
        }

        /** Under half the stale time ago: no contender can have judged a lock with this heartbeat stale. */
        private boolean recent(FileTime heartbeat) {
            return Duration.between(heartbeat.toInstant(), Instant.now()).abs()
                    .compareTo(staleAfter.dividedBy(2)) < 0;
        }

        /** Whether a reading of the lock file is of this lock. */
        boolean isMine(LockState state) {
            Object key = linkedTo;
            return key != null ? key.equals(state.fileKey()) : id.equals(state.id());
        }

        @Override
        public boolean verify() {
            return check(true);
        }

        /**
         * Whether the lock is still this one's; marks it lost if not. A linked lock is told by its name's file key, a
         * lock file of its own by the id it holds. The heartbeat takes a linked lock's key from one {@code lstat}.
         * Before deletions ({@code careful}) the file is read first: over NFS an {@code lstat} may answer from the
         * client's cache of attributes, while opening a file makes the client ask the server for the name again
         * (close-to-open consistency), so the key taken after the read is the server's.
         */
        boolean check(boolean careful) {
            if (lost) {
                return false;
            }
            try {
                Object key = linkedTo;
                if (key != null && !careful && key.equals(regularFileKey(file))) {
                    // Still a link to the owner file: nothing to read.
                    return true;
                }
                LockState state = LockState.read(file, guard);
                boolean mine = key != null
                        // Looked up after the read: over NFS, the server's answer.
                        ? state != null && key.equals(regularFileKey(file))
                        : state != null && isMine(state);
                if (mine) {
                    return true;
                }
                lost = true;
                LOG.warn("The lock {} is no longer ours ({}); this session can no longer delete",
                        file, state == null ? "removed" : state.describe());
                return false;
            } catch (IOException e) {
                LOG.warn("Cannot read the lock {}: {}", file, e.toString());
                return false;
            }
        }

        @Override
        public void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            try {
                if (lost) {
                    removeIfLinkedAgain();
                } else if (!removeIfUnchanged() && removeIf(file, this::isMine) != Removal.REMOVED) {
                    LOG.warn("The lock {} was no longer ours when released", file);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot release the lock {}: {}", file, e.toString());
                if (linkedTo != null) {
                    leftovers.put(maildir, this);
                }
            } finally {
                held.remove(maildir, this);
            }
        }
    }
}
