package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.maildir.internal.Snapshot;
import dev.poplar.pop3.store.maildir.internal.Listings;
import dev.poplar.pop3.store.maildir.internal.MaildirLocks;
import dev.poplar.pop3.store.maildir.internal.MaildirMaildrop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A {@link MailboxStore} over Maildir folders: one Maildir per mailbox, {@code ROOT/<mailbox>/{cur,new,tmp}}, as
 * Postfix, Dovecot and Courier deliver them.
 *
 * <p><b>Messages.</b> A maildrop holds the files of {@code new/} and {@code cur/} (never {@code tmp/}, never names
 * starting with {@code .}) as they were when it was opened, in delivery order (the time encoded in the file name, then
 * the name). Mail delivered during a session appears in the next one.
 *
 * <p><b>Unique-ids</b> are the base names of the files (the part before {@code :}), as Courier and qmail use them; a
 * base name that is longer than 70 characters or holds characters outside 0x21..0x7E is hashed instead. They survive
 * flag changes, restarts and other hosts.
 *
 * <p><b>Sizes</b> are what POP3 sends (CRLF line ends): the {@code ,W=<n>} field of the file name when there is one (as
 * Dovecot writes), otherwise counted once by reading the file and kept in a bounded cache, since a Maildir file never
 * changes under its name.
 *
 * <p><b>Listing cache.</b> The listing of each mailbox is cached (bounded by {@link Builder#listingCache(long)}) and
 * reused while the modification times of {@code new/} and {@code cur/} stay the same: opening an unchanged mailbox of
 * 100,000 messages costs two {@code stat} calls. A listing read within two seconds of a directory change is not
 * trusted (the file system's clock may not have ticked) and is read again at the next open.
 *
 * <p><b>Lock.</b> {@link #open(String)} takes an exclusive lock that holds across threads, processes and hosts: the
 * file {@code poplar.lock} in the Maildir, created atomically (a hard link to a file written beforehand) and naming its
 * owner (host, process id, a unique id). While a maildrop is open, a daemon thread of this store refreshes its lock's
 * modification time every {@link Builder#lockHeartbeat(Duration)}. A second session gets
 * {@link StoreException.Kind#IN_USE}, from this store, another store, another process or another host. A lock is
 * stale, and taken over, when its owner process on this host has ended, or when it has had no heartbeat for
 * {@link Builder#lockStaleAfter(Duration)}; two contenders breaking the same stale lock cannot both win. A session
 * whose lock was taken over (it stalled for longer than the stale time) can still read but no longer delete.
 *
 * <p><b>Shared file systems.</b> The lock relies on atomic {@code link} and {@code rename}, which NFS (v3 and later)
 * and local file systems provide. Hosts must have distinct names ({@link Builder#lockHostName(String)}), and clocks
 * kept in step (NTP) to well within the stale time: a heartbeat is a modification time set by one host and read by
 * others. NFS attribute caching delays what others see of a heartbeat by up to the mount's {@code actimeo}; keep the
 * stale time well above it (the default two minutes is). A listing cached by one host is revalidated through NFS
 * attribute caches too, so new mail may show up to {@code acdirmax} seconds late on another host.
 *
 * <p><b>Update.</b> At {@code QUIT}, deleted messages are unlinked or flagged {@code T} ({@link DeletedMessages}), and
 * retrieved ones optionally flagged {@code S}. Each is one {@code unlink} or one atomic {@code rename}: a crash leaves
 * every message whole or gone. A message that cannot be removed stays and is reported in
 * {@link dev.poplar.pop3.store.UpdateResult#notRemoved()}.
 *
 * <p><b>Failures.</b> A message file removed by another client during the session reads as
 * {@link StoreException.Kind#GONE}; one renamed by another client (flags changed) is found again by its base name.
 * Unreadable files, permission errors and a full disk are {@link StoreException.Kind#TEMPORARY}, logged. A mailbox
 * name that is not a plain directory name ({@code ..}, {@code /}, a leading {@code .}, control characters) is
 * {@link StoreException.Kind#PERMANENT}: the store never leaves its root. So is a Maildir with a file where
 * {@code cur/} or {@code new/} should be.
 *
 * <p><b>Threading.</b> Thread-safe. {@link #open(String)} blocks on file system calls. Close the store after the
 * server has stopped: that stops the heartbeat thread and releases any lock still held.
 */
public final class MaildirStore implements MailboxStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);
    private static final int MAX_NAME_LENGTH = 255;

    private final Path root;
    private final DeletedMessages deletedMessages;
    private final boolean markRetrievedSeen;
    private final boolean createMissingMailboxes;
    private final MaildirLocks locks;
    private final Listings listings;
    private volatile boolean closed;

    private MaildirStore(Builder builder, Path root, String host) {
        this.root = root;
        this.deletedMessages = builder.deletedMessages;
        this.markRetrievedSeen = builder.markRetrievedSeen;
        this.createMissingMailboxes = builder.createMissingMailboxes;
        this.listings = new Listings(builder.listingCache, builder.sizeCache,
                deletedMessages == DeletedMessages.FLAG_TRASHED);
        this.locks = new MaildirLocks(host, builder.lockStaleAfter, builder.lockHeartbeat);
    }

    /**
     * Starts building a store over a directory of Maildirs.
     *
     * @param root the directory that holds one Maildir per mailbox; must exist when {@link Builder#build()} runs
     * @return a builder with the defaults
     * @throws NullPointerException if {@code root} is null
     */
    public static Builder builder(Path root) {
        return new Builder(Objects.requireNonNull(root, "root"));
    }

    /**
     * The directory that holds the Maildirs.
     *
     * @return the root, as a real path
     */
    public Path root() {
        return root;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Validates the mailbox name, creates the Maildir if it is missing (unless configured otherwise), takes the
     * lock and lists the messages. Blocks on the file system; called off the I/O threads.
     *
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public Maildrop open(String mailbox) throws StoreException {
        Objects.requireNonNull(mailbox, "mailbox");
        if (closed) {
            throw new IllegalStateException("the Maildir store over " + root + " is closed");
        }
        Path maildir = maildir(mailbox);
        MaildirLocks.Lock lock = locks.acquire(maildir);
        try {
            Snapshot snapshot = listings.snapshot(maildir);
            return new MaildirMaildrop(maildir, lock, listings, snapshot,
                    deletedMessages == DeletedMessages.FLAG_TRASHED, markRetrievedSeen);
        } catch (IOException e) {
            lock.release();
            LOG.warn("Cannot list {}: {}", maildir, e.toString());
            throw new StoreException(StoreException.Kind.TEMPORARY, "cannot list " + maildir + ": " + e, e);
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    /**
     * Stops the lock heartbeat thread and releases the locks of maildrops still open (they can then no longer
     * delete). Idempotent; never throws.
     */
    @Override
    public void close() {
        closed = true;
        locks.close();
    }

    /** The Maildir of a mailbox, validated, created if missing and allowed, as a real path. */
    private Path maildir(String mailbox) throws StoreException {
        String problem = nameProblem(mailbox);
        if (problem != null) {
            throw new StoreException(StoreException.Kind.PERMANENT, "mailbox name " + printable(mailbox) + " " + problem);
        }
        Path maildir = root.resolve(mailbox);
        if (!root.equals(maildir.normalize().getParent())) {
            throw new StoreException(StoreException.Kind.PERMANENT,
                    "mailbox name " + printable(mailbox) + " is not a directory name in " + root);
        }
        try {
            boolean complete = Files.isDirectory(maildir.resolve("cur")) && Files.isDirectory(maildir.resolve("new"));
            if (!complete) {
                if (!createMissingMailboxes) {
                    throw new StoreException(StoreException.Kind.PERMANENT, "mailbox " + mailbox
                            + " has no Maildir (with cur/ and new/) at " + maildir);
                }
                for (String sub : List.of("cur", "new", "tmp")) {
                    Files.createDirectories(maildir.resolve(sub), privateDirectory());
                }
                LOG.info("Created the Maildir {}", maildir);
            }
            return maildir.toRealPath();
        } catch (FileAlreadyExistsException e) {
            throw new StoreException(StoreException.Kind.PERMANENT, "mailbox " + mailbox + " is not a Maildir: "
                    + e.getFile() + " is in the way of a directory", e);
        } catch (IOException e) {
            LOG.warn("Cannot open the Maildir {}: {}", maildir, e.toString());
            throw new StoreException(StoreException.Kind.TEMPORARY, "cannot open the Maildir " + maildir + ": " + e, e);
        }
    }

    private FileAttribute<?>[] privateDirectory() {
        return root.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    private static String nameProblem(String mailbox) {
        if (mailbox.isEmpty()) {
            return "is empty";
        }
        if (mailbox.length() > MAX_NAME_LENGTH) {
            return "is longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (mailbox.startsWith(".")) {
            return "starts with '.'";
        }
        for (int i = 0; i < mailbox.length(); i++) {
            char c = mailbox.charAt(i);
            if (c == '/' || c == '\\') {
                return "contains a path separator";
            }
            if (c < 0x20 || c == 0x7F) {
                return "contains a control character";
            }
        }
        return null;
    }

    private static String printable(String name) {
        StringBuilder out = new StringBuilder(Math.min(name.length(), 80) + 2).append('"');
        for (int i = 0; i < name.length() && i < 80; i++) {
            char c = name.charAt(i);
            out.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return out.append(name.length() > 80 ? "...\"" : "\"").toString();
    }

    /**
     * Builds a {@link MaildirStore}. Not thread-safe; {@link #build()} checks every setting and names the one that is
     * wrong.
     */
    public static final class Builder {
        private final Path root;
        private DeletedMessages deletedMessages = DeletedMessages.UNLINK;
        private boolean markRetrievedSeen;
        private boolean createMissingMailboxes = true;
        private Duration lockStaleAfter = Duration.ofMinutes(2);
        private Duration lockHeartbeat = Duration.ofSeconds(30);
        private long listingCache = 1_000;
        private long sizeCache = 100_000;
        private String lockHostName;

        private Builder(Path root) {
            this.root = root;
        }

        /**
         * What happens to deleted messages at {@code QUIT}. Default {@link DeletedMessages#UNLINK}.
         *
         * @param deletedMessages unlink, or flag {@code T}
         * @return this builder
         * @throws NullPointerException if {@code deletedMessages} is null
         */
        public Builder deletedMessages(DeletedMessages deletedMessages) {
            this.deletedMessages = Objects.requireNonNull(deletedMessages, "deletedMessages");
            return this;
        }

        /**
         * Whether messages retrieved in full ({@code RETR}) are flagged {@code S} (seen) at {@code QUIT}, so that IMAP
         * clients of the same Maildir see them as read. Default {@code false}.
         *
         * @param markRetrievedSeen {@code true} to flag them
         * @return this builder
         */
        public Builder markRetrievedSeen(boolean markRetrievedSeen) {
            this.markRetrievedSeen = markRetrievedSeen;
            return this;
        }

        /**
         * Whether a mailbox without a Maildir gets one (mode 0700) when it is first opened, as Dovecot does. Default
         * {@code true}; with {@code false} such a mailbox is {@link StoreException.Kind#PERMANENT}.
         *
         * @param createMissingMailboxes {@code true} to create them
         * @return this builder
         */
        public Builder createMissingMailboxes(boolean createMissingMailboxes) {
            this.createMissingMailboxes = createMissingMailboxes;
            return this;
        }

        /**
         * How long a lock may go without a heartbeat before another session may take it over. Default two minutes.
         * Must be longer than {@link #lockHeartbeat(Duration)}, with room for clock differences between hosts and NFS
         * attribute caching.
         *
         * @param lockStaleAfter a positive duration
         * @return this builder
         */
        public Builder lockStaleAfter(Duration lockStaleAfter) {
            this.lockStaleAfter = lockStaleAfter;
            return this;
        }

        /**
         * How often held locks are refreshed. Default 30 seconds. Must be shorter than
         * {@link #lockStaleAfter(Duration)}.
         *
         * @param lockHeartbeat a positive duration
         * @return this builder
         */
        public Builder lockHeartbeat(Duration lockHeartbeat) {
            this.lockHeartbeat = lockHeartbeat;
            return this;
        }

        /**
         * How many mailbox listings are cached. Default 1,000. A listing takes about 200 bytes per message.
         *
         * @param maxMailboxes zero or more; zero lists every mailbox at every open
         * @return this builder
         */
        public Builder listingCache(long maxMailboxes) {
            this.listingCache = maxMailboxes;
            return this;
        }

        /**
         * How many message sizes counted by reading files (those without {@code ,W=}) are cached. Default 100,000.
         *
         * @param maxEntries zero or more
         * @return this builder
         */
        public Builder sizeCache(long maxEntries) {
            this.sizeCache = maxEntries;
            return this;
        }

        /**
         * The name of this host in lock files. A lock whose owner has this host name and a process id that is not
         * running here is taken over at once, so hosts sharing the Maildirs must have distinct names. Default: the
         * local host name, looked up once by {@link #build()}; if it cannot be found, a random name (then only the
         * heartbeat rule frees the locks of dead processes of this host).
         *
         * @param lockHostName a name without white space
         * @return this builder
         */
        public Builder lockHostName(String lockHostName) {
            this.lockHostName = lockHostName;
            return this;
        }

        /**
         * Checks the settings, starts the lock heartbeat thread and returns the store.
         *
         * @return a new store; close it when done
         * @throws IllegalArgumentException naming the setting, if {@code root} does not exist or is not a directory,
         *     a duration is not positive, {@code lockHeartbeat} is not shorter than {@code lockStaleAfter}, a cache
         *     size is negative, or {@code lockHostName} is blank or holds white space
         * @throws NullPointerException if {@code lockStaleAfter} or {@code lockHeartbeat} was set to null
         */
        public MaildirStore build() {
            Objects.requireNonNull(lockStaleAfter, "lockStaleAfter");
            Objects.requireNonNull(lockHeartbeat, "lockHeartbeat");
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("root: " + root
                        + (Files.exists(root) ? " is not a directory" : " does not exist"));
            }
            if (lockStaleAfter.isNegative() || lockStaleAfter.isZero()) {
                throw new IllegalArgumentException("lockStaleAfter must be positive: " + lockStaleAfter);
            }
            if (lockHeartbeat.isNegative() || lockHeartbeat.isZero()) {
                throw new IllegalArgumentException("lockHeartbeat must be positive: " + lockHeartbeat);
            }
            if (lockHeartbeat.compareTo(lockStaleAfter) >= 0) {
                throw new IllegalArgumentException("lockHeartbeat (" + lockHeartbeat
                        + ") must be shorter than lockStaleAfter (" + lockStaleAfter + ")");
            }
            if (listingCache < 0) {
                throw new IllegalArgumentException("listingCache must not be negative: " + listingCache);
            }
            if (sizeCache < 0) {
                throw new IllegalArgumentException("sizeCache must not be negative: " + sizeCache);
            }
            String host = lockHostName == null ? localHostName() : lockHostName;
            if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("lockHostName must be a name without white space: \"" + host + "\"");
            }
            try {
                return new MaildirStore(this, root.toRealPath(), host);
            } catch (IOException e) {
                throw new IllegalArgumentException("root: " + root + " cannot be resolved: " + e, e);
            }
        }

        private static String localHostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                byte[] random = new byte[6];
                new SecureRandom().nextBytes(random);
                String name = "unknown-" + HexFormat.of().formatHex(random);
                LOG.warn("The local host name is unknown ({}); lock files will name this host {}", e.toString(), name);
                return name;
            }
        }
    }
}
