package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.maildir.internal.Listings;
import dev.poplar.pop3.store.maildir.internal.MaildirDelivery;
import dev.poplar.pop3.store.maildir.internal.MaildirLocks;
import dev.poplar.pop3.store.maildir.internal.MaildirMaildrop;
import dev.poplar.pop3.store.maildir.internal.Maildirs;
import dev.poplar.pop3.store.maildir.internal.OpenGuard;
import dev.poplar.pop3.store.maildir.internal.OpenedMaildir;
import dev.poplar.pop3.store.maildir.internal.UidlFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
 * flag changes, restarts and other hosts. A Maildir that Dovecot has served (it has a {@code dovecot-uidlist}) keeps
 * the UIDLs Dovecot gave, and Dovecot's message order, so that clients moved from Dovecot download nothing again
 * ({@link Builder#dovecotUidls(boolean)}, on by default).
 *
 * <p><b>Sizes</b> are what POP3 sends (CRLF line ends): the {@code ,W=<n>} field of the file name when there is one (as
 * Dovecot writes), otherwise counted once by reading the file and kept in a bounded cache, since a Maildir file never
 * changes under its name.
 *
 * <p><b>Listing cache.</b> The listing of each mailbox is cached (bounded by {@link Builder#listingCache(long)}) and
 * reused while the modification times of {@code new/} and {@code cur/} (and of a {@code dovecot-uidlist}) stay the same:
 * opening an unchanged mailbox of 100,000 messages costs opening its directories and a few {@code stat} calls. A listing read within two seconds of a directory change is not
 * trusted (the file system's clock may not have ticked) and is read again at the next open.
 *
 * <p><b>Lock.</b> {@link #open(String)} takes an exclusive lock that holds across threads, processes and hosts: the
 * name {@code poplar.lock} in the Maildir, made a hard link to this store's <em>owner file</em> (one file per store, in
 * the directory {@code .poplar-locks} of the root, naming the owner: host, process id, a unique id). A link fails if
 * the name exists, atomically on local file systems and over NFS, and costs the file system less than a new file:
 * about a quarter less server CPU for a short session with many clients. Where no link can be made (a Maildir on
 * another file system than the root, an owner file that cannot be written) the lock is a file of its own, created
 * exclusively ({@code O_EXCL}, which NFS supports since version 3) with the same owner fields. While a maildrop is
 * open, a daemon thread of this store refreshes its lock's modification time every
 * {@link Builder#lockHeartbeat(Duration)}; the store removes its owner file when it closes, and the next store to make
 * one removes those that stores of ended processes of this host left behind. A second session gets
 * {@link StoreException.Kind#IN_USE}, from this store, another store, another process or another host. A lock is
 * stale, and taken over, when its owner process on this host has ended, or when it has had no heartbeat for
 * {@link Builder#lockStaleAfter(Duration)}; two contenders breaking the same stale lock cannot both win. A session
 * whose lock was taken over (it stalled for longer than the stale time) can still read but no longer delete. At the
 * end, a lock that is by its attributes this store's (a link to its owner file, or the file it last wrote) and had a
 * heartbeat less than half the stale time ago is removed without being read; any other is renamed aside and read
 * first. A server
 * that alone serves Maildirs on a local disk may keep the hold in memory instead ({@link LockScope#STORE}): no lock
 * file then, and a cheaper session. Server processes on one host may hold mailboxes with POSIX record locks
 * ({@link LockScope#PROCESSES}): almost as cheap, no stale locks (the kernel ends a lock with its process), one open
 * file descriptor per open mailbox.
 *
 * <p><b>Shared file systems.</b> The lock file relies on an atomic exclusive create, {@code rename} and {@code link},
 * which NFS (v3 and later) and local file systems provide. Hosts must have distinct names
 * ({@link Builder#lockHostName(String)}), and clocks kept in step (NTP) to well within the stale time: a heartbeat is
 * a modification time set by one host and read by others. The listing cache asks more: a listing is trusted only when
 * the directories' times are two seconds older than this host's clock (so that a change in the same tick of the file
 * system's clock is not missed), so each host's clock must be within a second or so of the file server's; where it
 * cannot be, turn the cache off ({@link Builder#listingCache(long) listingCache(0)}). NFS attribute caching delays what others see of a heartbeat
 * by up to the mount's {@code actimeo}; keep the stale time well above it (the default two minutes is). A listing
 * cached by one host is revalidated through NFS attribute caches too, so new mail may show up to {@code acdirmax}
 * seconds late on another host.
 *
 * <p><b>Update.</b> At {@code QUIT}, deleted messages are unlinked or flagged {@code T} ({@link DeletedMessages}), and
 * retrieved ones optionally flagged {@code S}. Each is one {@code unlink} or one atomic {@code rename}: a crash leaves
 * every message whole or gone. A message that cannot be removed stays and is reported in
 * {@link dev.poplar.pop3.store.UpdateResult#notRemoved()}.
 *
 * <p><b>Retention.</b> The store reports when each message arrived (the delivery time its file name starts with) and
 * when a session first retrieved it (recorded at {@code QUIT} in the file {@code poplar-retrieved} of the Maildir, see
 * {@link Builder#recordRetrievalTimes(boolean)}), so that a server's retention policy can delete messages.
 * {@code Maildrop.expire} removes them as deletion at {@code QUIT} does, only by a session that holds the lock, right
 * after it was taken: no other session, process or host has the Maildir open meanwhile.
 *
 * <p><b>Staying inside the Maildir.</b> The store opens nothing but regular files inside the mailbox's Maildir, also
 * when the Maildir's owner is hostile (a local user who can write into {@code ~/Maildir}, while the server reads every
 * Maildir with its own rights):
 * <ul>
 *   <li>The mailbox's directory is opened relative to the root, {@code cur/}, {@code new/} and {@code tmp/} relative
 *   to it, and every file relative to its directory ({@code openat} through
 *   {@link java.nio.file.SecureDirectoryStream}), never following a symbolic link: a directory swapped for a link
 *   after it was checked leads nowhere. A mailbox directory that is a link is refused unless
 *   {@link Builder#mailboxLinkTargets(java.util.Collection)} allows it, and never to another mailbox of the root; a
 *   {@code cur/} or {@code new/} that is a link is refused ({@link StoreException.Kind#PERMANENT}).</li>
 *   <li>Each name is looked at with {@code lstat} before it is opened. Links in {@code cur/} and {@code new/} are left
 *   out unless {@link Builder#followMessageLinks(boolean)} allows those that name a message of the same Maildir; FIFOs,
 *   devices, sockets and directories are left out of listings and logged once, and never opened. A file is opened
 *   with {@code O_NOFOLLOW} and checked once open (the same file, the same size); reading, also the size scan, stops
 *   at the size checked, so a file that grows, or a device, cannot keep a thread reading.</li>
 *   <li>A FIFO swapped in between the check and the open would make the open wait: every open runs under a watchdog
 *   that releases such a FIFO within about 200 ms (it opens it read-write, which never waits on Linux), and the file is
 *   then refused. Only a FIFO moved out of the Maildir while an open waits on it can hold that thread (logged as an
 *   error); where local users own their Maildirs, {@link Builder#contentMayBlock(boolean) contentMayBlock(true)} keeps
 *   even that off the network threads.</li>
 *   <li>The lock file is opened in the same way; one that is not a regular file is left alone
 *   ({@link StoreException.Kind#TEMPORARY}).</li>
 * </ul>
 * The store needs a file system that opens files relative to a directory (Linux and the BSDs); {@link Builder#build()}
 * refuses others.
 *
 * <p><b>Failures.</b> A message file removed by another client during the session reads as
 * {@link StoreException.Kind#GONE}; one renamed by another client (flags changed) is found again by its base name.
 * Unreadable or refused files, permission errors and a full disk are {@link StoreException.Kind#TEMPORARY}, logged. A
 * mailbox name that is not a plain directory name ({@code ..}, {@code /}, a leading {@code .}, control characters,
 * more than 255 octets in UTF-8, as file systems count) is {@link StoreException.Kind#PERMANENT}: the store never
 * leaves its root. So is a Maildir with a file where {@code cur/} or {@code new/} should be.
 *
 * <p><b>Delivery.</b> The store is also a {@link Delivery}: {@link #deliver(String, InputStream)} writes a message by
 * the Maildir protocol (see there).
 *
 * <p><b>Threading.</b> Thread-safe. {@link #open(String)} and {@link #deliver(String, InputStream)} block on file system
 * calls; {@link #mayBlock(Operation)} says which operations may block. Close the store after the server has stopped:
 * that stops its two daemon threads (the open watchdog, and the lock heartbeat) and releases any lock still
 * held.
 */
public final class MaildirStore implements MailboxStore, Delivery, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);
    private static final Duration FIFO_PATIENCE = Duration.ofMillis(200);

    private final Path root;
    private final DeletedMessages deletedMessages;
    private final MaildirMaildrop.Settings settings;
    private final boolean createMissingMailboxes;
    private final boolean contentMayBlock;
    private final OpenGuard guard;
    private final Maildirs maildirs;
    private final MaildirLocks locks;
    private final Listings listings;
    private final MaildirDelivery delivery;
    private volatile boolean closed;

    private MaildirStore(Builder builder, Path root, String host) throws IOException {
        this.root = root;
        this.deletedMessages = builder.deletedMessages;
        this.settings = new MaildirMaildrop.Settings(deletedMessages == DeletedMessages.FLAG_TRASHED,
                builder.markRetrievedSeen, builder.recordRetrievalTimes, builder.clock, builder.contentMayBlock);
        this.createMissingMailboxes = builder.createMissingMailboxes;
        this.contentMayBlock = builder.contentMayBlock;
        this.guard = new OpenGuard(FIFO_PATIENCE);
        try {
            this.maildirs = new Maildirs(root, builder.mailboxLinkTargets, builder.followMessageLinks, guard);
        } catch (IOException | RuntimeException e) {
            guard.close();
            throw e;
        }
        this.listings = new Listings(builder.listingCache, builder.sizeCache,
                deletedMessages == DeletedMessages.FLAG_TRASHED, builder.dovecotUidls ? builder.uidlFormat : null);
        this.delivery = new MaildirDelivery(maildirs, createMissingMailboxes, host);
        this.locks = new MaildirLocks(host, builder.lockStaleAfter, builder.lockHeartbeat, guard,
                builder.lockScope, root.resolve(MaildirLocks.OWNER_DIRECTORY));
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
     * <p>Validates the mailbox name, creates the Maildir's directory if it is missing (unless configured otherwise),
     * takes the lock, checks {@code cur/} and {@code new/} (creating them likewise; a directory without them gives the
     * lock back and fails) and lists the messages. Blocks on the file system; called off the I/O threads.
     *
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public Maildrop open(String mailbox) throws StoreException {
        Objects.requireNonNull(mailbox, "mailbox");
        checkOpen();
        try (OpenedMaildir maildir = maildirs.openDirectory(mailbox, createMissingMailboxes)) {
            MaildirLocks.Lock lock = locks.acquire(maildir.path());
            boolean opened = false;
            try {
                // Under the lock, one look at cur/ and new/ both checks the Maildir and judges the cached listing.
                Maildirs.Subdirectories seen = maildirs.checkSubdirectories(mailbox, maildir, createMissingMailboxes);
                List<MessageInfo> messages = listings.snapshot(maildir, seen);
                MaildirMaildrop maildrop = new MaildirMaildrop(maildirs, mailbox, maildir.path(), lock, listings,
                        messages, settings);
                opened = true;
                return maildrop;
            } catch (IOException e) {
                LOG.warn("Cannot list {}: {}", maildir.path(), e.toString());
                throw new StoreException(StoreException.Kind.TEMPORARY, "cannot list " + maildir.path() + ": " + e, e);
            } finally {
                // Whatever failed (an OutOfMemoryError listing a huge Maildir too), the mailbox is not left locked.
                if (!opened) {
                    lock.release();
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Writes the message to a new file in the Maildir's {@code tmp/}, scanning it on the way, flushes it to disk and
     * renames it into {@code new/} under a unique name in Dovecot's form with {@code ,S=} (file size) and {@code ,W=}
     * (POP3 size) fields, so that no listing needs to read it; then flushes {@code new/}. A failure at any step leaves
     * nothing in {@code new/} and removes the file from {@code tmp/}. A missing Maildir is created as by
     * {@link #open(String)}. Does not take the mailbox's lock: a session that has the mailbox open keeps its snapshot.
     *
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public MessageInfo deliver(String mailbox, InputStream message) throws IOException, StoreException {
        Objects.requireNonNull(mailbox, "mailbox");
        Objects.requireNonNull(message, "message");
        checkOpen();
        return delivery.deliver(mailbox, message);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@link MailboxStore.Operation#OPEN} and {@link MailboxStore.Operation#UPDATE} may block: they list
     * directories, take and release a lock file, rename and unlink files. {@link MailboxStore.Operation#CONTENT} does
     * not by default: opening a message is a few calls on directories and files the listing has just looked at, and
     * reading a regular local file waits at most for the disk, never for another party (special files are never
     * opened, and reads stop at the size checked). On a network file system (NFS, CephFS) every read may wait for the
     * network or a server: build the store with {@link Builder#contentMayBlock(boolean) contentMayBlock(true)} there.
     * The same holds for closing a maildrop that no update changed ({@link Maildrop#closeMayBlock()}): it releases
     * the lock and closes directories, on the network thread unless content may block.
     *
     * @return {@code true} for opening and updating, and for content if so configured
     */
    @Override
    public boolean mayBlock(Operation operation) {
        return operation != Operation.CONTENT || contentMayBlock;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code ARRIVAL} (the delivery time in the file name), and {@code FIRST_RETRIEVAL} unless
     *     {@link Builder#recordRetrievalTimes(boolean)} is off
     */
    @Override
    public Set<MessageTime> messageTimes() {
        return settings.recordRetrievals() ? Set.of(MessageTime.ARRIVAL, MessageTime.FIRST_RETRIEVAL)
                : Set.of(MessageTime.ARRIVAL);
    }

    /**
     * Stops the store's daemon threads and releases the locks of maildrops still open (they can then no longer
     * delete). Idempotent; never throws.
     */
    @Override
    public void close() {
        closed = true;
        locks.close();
        maildirs.close();
        guard.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Maildir store over " + root + " is closed");
        }
    }

    /**
     * Builds a {@link MaildirStore}. Not thread-safe; {@link #build()} checks every setting and names the one that is
     * wrong.
     */
    public static final class Builder {
        private final Path root;
        private DeletedMessages deletedMessages = DeletedMessages.UNLINK;
        private boolean markRetrievedSeen;
        private boolean recordRetrievalTimes = true;
        private Clock clock = Clock.systemUTC();
        private boolean createMissingMailboxes = true;
        private Duration lockStaleAfter = Duration.ofMinutes(2);
        private Duration lockHeartbeat = Duration.ofSeconds(30);
        private LockScope lockScope = LockScope.HOSTS;
        private long listingCache = 1_000;
        private long sizeCache = 100_000;
        private String lockHostName;
        private List<Path> mailboxLinkTargets = List.of();
        private boolean followMessageLinks;
        private boolean contentMayBlock;
        private boolean dovecotUidls = true;
        private String dovecotUidlFormat = UidlFormat.DOVECOT_DEFAULT;
        private UidlFormat uidlFormat;

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
         * Whether the first retrieval of each message is recorded, for a server's retention policy that deletes
         * messages some time after it ({@code Maildrop.firstRetrieved}). Default {@code true}. The times are kept in
         * the file {@code poplar-retrieved} in each Maildir (one line per message: base name, seconds since the
         * epoch), replaced atomically at {@code QUIT} under the Maildir's lock, so that every host sharing the
         * Maildirs sees them and they survive restarts; Dovecot and other Maildir readers ignore the file. With
         * {@code false} nothing is written and the store does not report first retrievals
         * ({@link MaildirStore#messageTimes()}): a server with a retention policy after retrieval refuses it.
         *
         * @param recordRetrievalTimes {@code false} to write no times
         * @return this builder
         */
        public Builder recordRetrievalTimes(boolean recordRetrievalTimes) {
            this.recordRetrievalTimes = recordRetrievalTimes;
            return this;
        }

        /**
         * The clock that dates first retrievals (see {@link #recordRetrievalTimes(boolean)}). Default: the system
         * clock.
         *
         * @param clock the clock
         * @return this builder
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
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
         * How far the hold on an open mailbox reaches. Default {@link LockScope#HOSTS}: the lock file, which every
         * process and host serving the Maildirs heeds. {@link LockScope#PROCESSES} holds it with a POSIX record lock,
         * which every process on this host heeds (and other hosts only where the file system carries such locks): no
         * change to the Maildir directory per session, no stale locks, one open file descriptor per open mailbox.
         * {@link LockScope#STORE} keeps it in this store's memory, for a single server process on a local disk: each
         * session then opens and closes its mailbox with about four fewer system calls, two of them changes to the
         * Maildir directory, but another process or host serving the same Maildirs is not kept out. Lock files of
         * another scope are neither written nor heeded: every store serving the same Maildirs must use the same scope.
         *
         * @param lockScope the scope
         * @return this builder
         * @throws NullPointerException if {@code lockScope} is null
         */
        public Builder lockScope(LockScope lockScope) {
            this.lockScope = Objects.requireNonNull(lockScope, "lockScope");
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
         * Allows a mailbox's entry in the root to be a symbolic link into one of these directories, as hosting layouts
         * have it ({@code /var/mail/alice -> /home/alice/Maildir}). Default: none, and a mailbox whose entry is a link
         * is refused ({@link StoreException.Kind#PERMANENT}).
         *
         * <p>Only that one link is followed. Its target must lie strictly below one of these directories (as given, or
         * as their real path); the path from there to the Maildir is walked one name at a time, and a link anywhere on
         * it is refused, so a user who replaces {@code /home/alice/Maildir} by a link to someone else's Maildir gets
         * nothing. A link back into the root (to another mailbox's Maildir) is always refused. A linked Maildir is
         * never created: it must exist with {@code cur/} and {@code new/}.
         *
         * @param targets existing directories, neither the root nor inside it
         * @return this builder
         * @throws NullPointerException if {@code targets} or one of them is null
         */
        public Builder mailboxLinkTargets(Collection<Path> targets) {
            this.mailboxLinkTargets = List.copyOf(targets);
            return this;
        }

        /**
         * Whether a symbolic link in {@code cur/} or {@code new/} is served when it names a message file of the same
         * Maildir (a file directly in its {@code cur/} or {@code new/}, by a path that stays inside the Maildir,
         * one link, no chains). Default {@code false}: every link in {@code cur/} and {@code new/} is left out of
         * listings and logged once. Links that lead anywhere else are refused either way.
         *
         * <p>A link and its target are two messages to the client, but the store changes the target's file like any
         * other: marking it seen renames it ({@code :2,S}) and deleting it unlinks it (or renames it, flagged
         * {@code T}), and the link then leads nowhere and is left out of listings. Use links only for messages whose
         * targets no session retrieves or deletes as messages of their own, or keep {@code markRetrievedSeen} off and
         * targets outside what clients delete.
         *
         * @param followMessageLinks {@code true} to serve such links
         * @return this builder
         */
        public Builder followMessageLinks(boolean followMessageLinks) {
            this.followMessageLinks = followMessageLinks;
            return this;
        }

        /**
         * Whether reading message content may block (see {@link MaildirStore#mayBlock(Operation)}). Default
         * {@code false}: message files on a local file system are read on the server's network threads, which saves
         * a thread hand-off per {@code RETR}, and a session that changed nothing releases its mailbox there too
         * ({@link Maildrop#closeMayBlock()}), which saves one at its {@code QUIT}. Set it to {@code true} when the
         * Maildirs are on a network file system (NFS, CephFS, SMB) or slow disks, where a read may wait long enough
         * to stall the other connections of a network thread.
         *
         * @param contentMayBlock {@code true} to have content read on worker threads
         * @return this builder
         */
        public Builder contentMayBlock(boolean contentMayBlock) {
            this.contentMayBlock = contentMayBlock;
            return this;
        }

        /**
         * Whether a Maildir that Dovecot has served keeps the UIDLs Dovecot gave its messages, so that POP3 clients
         * moved from Dovecot do not download everything again. Default {@code true}.
         *
         * <p>A Maildir with a {@code dovecot-uidlist} file: each message that file names gets the UIDL Dovecot gave it
         * (the record's own POP3 UIDL if it has one, as migration tools write them, otherwise
         * {@link #dovecotUidlFormat(String)} applied to its IMAP UID and the mailbox's UIDVALIDITY), and the maildrop
         * lists them first, in Dovecot's order (POP3 order numbers first, then IMAP UIDs), so message numbers match
         * too. Messages the file does not name (delivered since Dovecot last saw the Maildir) keep their base names as
         * unique-ids and follow. The file is only read, never written, and only from the Maildir itself (Dovecot's
         * default; with a separate {@code CONTROL=} directory, move the files into the Maildirs first). A Maildir
         * without the file behaves as with {@code false}.
         *
         * <p>Turn it off if Dovecot goes on serving the same Maildirs (IMAP beside this store's POP3): a message that
         * this store lists before Dovecot has recorded it would change its unique-id once Dovecot does, and a client
         * would download it again.
         *
         * @param dovecotUidls {@code false} to use base names always
         * @return this builder
         */
        public Builder dovecotUidls(boolean dovecotUidls) {
            this.dovecotUidls = dovecotUidls;
            return this;
        }

        /**
         * Dovecot's {@code pop3_uidl_format} for {@link #dovecotUidls(boolean)}: set it to what the Dovecot that served
         * the Maildirs had. Default {@code %08Xu%08Xv}, Dovecot's default (IMAP UID and UIDVALIDITY, eight hexadecimal
         * digits each). Offered: {@code %u} (UID), {@code %v} (UIDVALIDITY), {@code %f} (base file name), {@code %g}
         * (GUID), {@code %%}, with a width ({@code 08} pads with zeros, {@code 8} cuts) and the modifiers {@code X}
         * (hexadecimal), {@code U} and {@code L} (case), as Dovecot reads them. Not offered: {@code %m} (an MD5 of the
         * headers).
         *
         * @param format the format
         * @return this builder
         * @throws NullPointerException if {@code format} is null
         */
        public Builder dovecotUidlFormat(String format) {
            this.dovecotUidlFormat = Objects.requireNonNull(format, "dovecotUidlFormat");
            return this;
        }

        /**
         * Checks the settings, starts the store's daemon threads (open watchdog, lock heartbeat) and returns the
         * store.
         *
         * @return a new store; close it when done
         * @throws IllegalArgumentException naming the setting, if {@code root} does not exist or is not a directory,
         *     a duration is not positive, {@code lockHeartbeat} is not shorter than {@code lockStaleAfter}, a cache
         *     size is negative, {@code lockHostName} is blank or holds white space, or a
         *     {@code mailboxLinkTargets} entry is not an existing directory or is the root or inside it, or
         *     {@code dovecotUidlFormat} cannot be read
         * @throws NullPointerException if {@code lockStaleAfter} or {@code lockHeartbeat} was set to null
         * @throws UnsupportedOperationException if the root's file system cannot open files relative to a directory
         *     ({@link java.nio.file.SecureDirectoryStream}), which the store needs to stay inside its Maildirs
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
                uidlFormat = UidlFormat.parse(dovecotUidlFormat);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("dovecotUidlFormat: " + e.getMessage(), e);
            }
            Path realRoot;
            try {
                realRoot = root.toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException("root: " + root + " cannot be resolved: " + e, e);
            }
            for (Path target : mailboxLinkTargets) {
                Path real;
                try {
                    real = target.toRealPath();
                } catch (IOException e) {
                    throw new IllegalArgumentException("mailboxLinkTargets: " + target + " cannot be resolved: " + e, e);
                }
                if (!Files.isDirectory(real)) {
                    throw new IllegalArgumentException("mailboxLinkTargets: " + target + " is not a directory");
                }
                if (real.startsWith(realRoot)) {
                    throw new IllegalArgumentException("mailboxLinkTargets: " + target
                            + " is the root or inside it; links between mailboxes are never followed");
                }
            }
            try {
                return new MaildirStore(this, realRoot, host);
            } catch (IOException e) {
                throw new IllegalArgumentException("root: " + root + " cannot be opened: " + e, e);
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
