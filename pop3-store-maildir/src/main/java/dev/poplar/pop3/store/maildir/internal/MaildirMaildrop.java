package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One session's hold on a Maildir: the snapshot taken at open, content read from the files, and the update at
 * {@code QUIT}.
 *
 * <p>The first operation that needs a file opens the mailbox's Maildir again by its name ({@link Maildirs}), relative
 * to the store root and without following links, and checks that it is still the Maildir this session locked; files
 * are reached only through those open directories, which the maildrop keeps until it is closed. So a session that only
 * lists holds no file descriptor (but the lock file's, with record locks), one that reads holds its Maildir's
 * directories (about six descriptors), and a directory swapped for a link during the session leads nowhere.
 *
 * <p>Each change to a message is one {@code unlinkat} or one atomic {@code renameat}, so a crash at any point leaves
 * every message either whole under its old name, whole under its new name, or gone because it was deleted. A message
 * whose file was renamed by another client (flags changed, moved from {@code new/} to {@code cur/}) is followed by its
 * base name.
 *
 * <p><b>Times.</b> A message arrived at the time its file name starts with (the delivery second every common delivery
 * agent writes), or, for a name without a plausible one, at its file's modification time. When it was first retrieved
 * is kept in the Maildir's {@link RetrievalTimes} file, read at the first question about it and replaced (a new file
 * in {@code tmp/}, flushed, renamed over the old one, the directory flushed) at an update that retrieved or removed
 * messages, under the lock: every host sees the same times, a crash leaves the old file or the new one (and perhaps
 * a new file in {@code tmp/}, removed at the next write), and a file that cannot be read is left as it is rather than
 * replaced by fewer times.
 *
 * <p>The server calls one maildrop from one session at a time, possibly from different threads; the methods are
 * synchronized for visibility.
 */
public final class MaildirMaildrop implements Maildrop {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirMaildrop.class);
    private static final String CUR = OpenedMaildir.CUR;
    /** Delivery seconds before this (2000-01-01) are not a time but digits that happen to start a file name. */
    private static final long PLAUSIBLE_SECONDS = 946_684_800L;

    private final Maildirs maildirs;
    private final String mailbox;
    private final Path maildir;
    private final MaildirLocks.Lock lock;
    private final Listings listings;
    private final Settings settings;
    private final List<MessageInfo> messages;
    private final Map<String, MessageFile> moved = new HashMap<>();
    private final Set<String> removed = new HashSet<>();
    private OpenedMaildir opened;
    private boolean closed;
    private RetrievalTimes times;
    private boolean timesUnreadable;
    private boolean expired;
    private boolean updated;

    /**
     * How a maildrop treats its messages.
     *
     * @param flagTrashed whether deleted messages are flagged {@code T} instead of unlinked
     * @param markSeen whether retrieved messages are flagged {@code S}
     * @param recordRetrievals whether first retrievals are recorded in the {@link RetrievalTimes} file
     * @param clock the time of a retrieval
     * @param closeMayBlock whether releasing the lock and the open directories may block (a network file system)
     */
    public record Settings(boolean flagTrashed, boolean markSeen, boolean recordRetrievals, Clock clock,
                           boolean closeMayBlock) {
    }

    /**
     * Creates the maildrop over a snapshot.
     *
     * @param maildirs where to open the Maildir again for each operation
     * @param mailbox the mailbox name
     * @param maildir the Maildir's real path, as locked
     * @param lock the lock this maildrop holds and releases on close
     * @param listings the listings, told when this session changed the Maildir
     * @param messages the messages at open, each with its {@link MessageFile} handle
     * @param settings how deleted and retrieved messages are treated
     */
    public MaildirMaildrop(Maildirs maildirs, String mailbox, Path maildir, MaildirLocks.Lock lock, Listings listings,
                           List<MessageInfo> messages, Settings settings) {
        this.maildirs = maildirs;
        this.mailbox = mailbox;
        this.maildir = maildir;
        this.lock = lock;
        this.listings = listings;
        this.settings = settings;
        this.messages = messages;
    }

    @Override
    public List<MessageInfo> messages() {
        return messages;
    }

    @Override
    public synchronized MessageContent content(MessageInfo message) throws StoreException {
        MessageFile file = file(message);
        try {
            OpenedMaildir opened = opened();
            FileChannel channel = onFile(opened, message,
                    f -> opened.source(f.directory(), f.name().fileName()).open());
            if (channel == null) {
                throw new StoreException(StoreException.Kind.GONE, "message " + message.uid() + " of " + maildir
                        + " was removed during the session");
            }
            return MessageContent.ofChannel(channel, file.wireReady());
        } catch (RefusedFileException e) {
            listings.warnOnce(Path.of(e.getFile()), e.getReason());
            throw new StoreException(StoreException.Kind.TEMPORARY, "message " + message.uid() + " of " + maildir
                    + " is refused: " + e.getMessage(), e);
        } catch (IOException e) {
            LOG.warn("Cannot read message {} of {}: {}", message.uid(), maildir, e.toString());
            throw new StoreException(StoreException.Kind.TEMPORARY, "cannot read message " + message.uid() + " of "
                    + maildir + ": " + e, e);
        }
    }

    @Override
    public synchronized UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
            throws StoreException {
        if (updated) {
            throw new IllegalStateException("update was already called on this maildrop of " + maildir);
        }
        updated = true;
        deleted.forEach(this::file);
        retrieved.forEach(this::file);
        verifyLock();
        try {
            OpenedMaildir opened = opened();
            Set<MessageInfo> notRemoved = removeAll(opened, deleted, retrieved);
            List<String> firstRetrieved = new ArrayList<>();
            for (MessageInfo message : retrieved) {
                if (!deleted.contains(message)) {
                    if (settings.markSeen()) {
                        markSeen(opened, message);
                    }
                    firstRetrieved.add(file(message).name().base());
                }
            }
            if (settings.recordRetrievals()) {
                recordRetrievals(opened, firstRetrieved);
            }
            return UpdateResult.partial(notRemoved);
        } finally {
            // Only removals and Seen flags touch new/ and cur/; the retrieval times live beside them. A session that
            // only read its mail (left on the server) keeps the cached listing for the next login.
            if (!deleted.isEmpty() || settings.markSeen() && !retrieved.isEmpty()) {
                listings.invalidate(maildir);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Removes the messages as {@code update} removes deleted ones (unlinked, or flagged {@code T}), each one
     * {@code unlink} or atomic {@code rename}, and only while this session's lock is still its own. Their retrieval
     * times leave the {@link RetrievalTimes} file at the session's update, if it has one, or a later one.
     */
    @Override
    public synchronized UpdateResult expire(Set<MessageInfo> expire) throws StoreException {
        if (expired || updated) {
            throw new IllegalStateException("expire is called once, before update, on a maildrop of " + maildir);
        }
        expired = true;
        expire.forEach(this::file);
        verifyLock();
        try {
            return UpdateResult.partial(removeAll(opened(), expire, Set.of()));
        } finally {
            if (!expire.isEmpty()) {
                listings.invalidate(maildir);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * @return the delivery time at the start of the file name, or the file's modification time if the name has no
     *     plausible one (before 2000 or more than a day ahead); empty if neither can be read
     */
    @Override
    public synchronized Optional<Instant> arrived(MessageInfo message) {
        MessageFile file = file(message);
        long seconds = file.name().deliverySeconds();
        if (seconds >= PLAUSIBLE_SECONDS && seconds <= settings.clock().instant().getEpochSecond() + 86_400) {
            return Optional.of(Instant.ofEpochSecond(seconds));
        }
        try {
            OpenedMaildir opened = opened();
            return Optional.ofNullable(onFile(opened, message,
                    f -> opened.sub(f.directory()).entry(f.name().fileName()).lastModifiedTime().toInstant()));
        } catch (IOException | StoreException e) {
            LOG.warn("Cannot read the time of message {} of {}: {}", message.uid(), maildir, e.toString());
            return Optional.empty();
        }
    }

    /**
     * {@inheritDoc}
     *
     * @return the time in the Maildir's {@link RetrievalTimes} file, read once per maildrop
     */
    @Override
    public synchronized Optional<Instant> firstRetrieved(MessageInfo message) {
        MessageFile file = file(message);
        return times().firstRetrieved(file.name().base());
    }

    private void verifyLock() throws StoreException {
        if (!lock.verify()) {
            throw new StoreException(StoreException.Kind.TEMPORARY, "the lock of " + maildir
                    + " was lost during the session; nothing was removed");
        }
    }

    /**
     * Removes new files of the times that an update cut short left in {@code tmp/} (a crash between writing and
     * renaming). Only the holder of the lock writes them, so none is being written now.
     */
    private void removeLeftovers(Directory tmp) throws IOException {
        for (String name : tmp.names()) {
            if (name.startsWith(RetrievalTimes.FILE_NAME + ".")) {
                try {
                    tmp.delete(name);
                } catch (IOException e) {
                    LOG.debug("Cannot remove {}/tmp/{}: {}", maildir, name, e.toString());
                }
            }
        }
    }

    /** Removes messages as configured; returns those that stay. */
    private Set<MessageInfo> removeAll(OpenedMaildir opened, Set<MessageInfo> gone, Set<MessageInfo> retrieved) {
        Set<MessageInfo> notRemoved = new HashSet<>();
        for (MessageInfo message : gone) {
            boolean seen = settings.markSeen() && retrieved.contains(message);
            if (remove(opened, message, seen)) {
                removed.add(file(message).name().base());
            } else {
                notRemoved.add(message);
            }
        }
        return notRemoved;
    }

    /** The retrieval times as the file had them when first asked; none if it cannot be read (then never written). */
    private RetrievalTimes times() {
        if (times == null) {
            try {
                times = readTimes(opened());
            } catch (IOException | StoreException e) {
                LOG.warn("Cannot read {} of {}; it is left as it is, and no message expires by retrieval in this "
                        + "session: {}", RetrievalTimes.FILE_NAME, maildir, e.toString());
                timesUnreadable = true;
                times = RetrievalTimes.none();
            }
        }
        return times;
    }

    private RetrievalTimes readTimes(OpenedMaildir opened) throws IOException {
        FileChannel channel;
        try {
            channel = opened.directory().openFile(RetrievalTimes.FILE_NAME);
        } catch (NoSuchFileException e) {
            return RetrievalTimes.none();
        } catch (RefusedFileException e) {
            // Not a regular file (a link, a FIFO): not ours; replaced by a file at the next update.
            listings.warnOnce(Path.of(e.getFile()), e.getReason());
            return RetrievalTimes.none();
        }
        try (InputStream in = Channels.newInputStream(channel)) {
            // A line is a base name and a number: far less than this per message. A larger file is not ours (a
            // Maildir's owner could make it any size): it is ignored, and replaced at the next update.
            long limit = 512L * messages.size() + (4 << 20);
            if (channel.size() > limit) {
                LOG.warn("{}/{} has {} octets, more than {} for {} messages; ignored", maildir,
                        RetrievalTimes.FILE_NAME, channel.size(), limit, messages.size());
                return RetrievalTimes.none();
            }
            return RetrievalTimes.read(in);
        }
    }

    /**
     * Records the first retrieval of messages and forgets those removed, replacing the file atomically. A failure
     * is logged: those messages then have no time, so none of them expires by retrieval before it is retrieved again.
     */
    private void recordRetrievals(OpenedMaildir opened, List<String> retrieved) {
        if (retrieved.isEmpty() && removed.isEmpty()) {
            return;
        }
        RetrievalTimes before = times();
        if (timesUnreadable) {
            return;
        }
        Set<String> listed = new HashSet<>();
        for (MessageInfo message : messages) {
            listed.add(file(message).name().base());
        }
        listed.removeAll(removed);
        RetrievalTimes after = before.with(retrieved, settings.clock().instant(), listed::contains);
        if (after.same(before)) {
            return;
        }
        String temporary = RetrievalTimes.FILE_NAME + "." + UUID.randomUUID();
        Directory tmp = null;
        try {
            tmp = opened.sub(OpenedMaildir.TMP);
            removeLeftovers(tmp);
            try (FileChannel channel = tmp.createFile(temporary)) {
                OutputStream out = Channels.newOutputStream(channel);
                after.write(out);
                channel.force(true);
            }
            if (!lock.verify()) {
                throw new IOException("the lock was lost during the update");
            }
            tmp.rename(temporary, opened.directory(), RetrievalTimes.FILE_NAME);
            opened.directory().sync();
            times = after;
        } catch (IOException e) {
            LOG.warn("Cannot record the retrieval of {} messages of {}: {}", retrieved.size(), maildir, e.toString());
            if (tmp != null) {
                try {
                    tmp.delete(temporary);
                } catch (IOException ignored) {
                    // Not created, or renamed already.
                }
            }
        }
    }

    /** The Maildir opened again by name at first use, then kept; it must still be the one this session locked. */
    private OpenedMaildir opened() throws StoreException {
        if (closed) {
            // A caller that breaks the contract must not reopen, without the lock, directories nobody would close.
            throw new StoreException(StoreException.Kind.TEMPORARY, "the maildrop of " + maildir + " is closed");
        }
        if (opened == null) {
            OpenedMaildir reopened = maildirs.open(mailbox, false);
            if (!reopened.path().equals(maildir)) {
                reopened.close();
                throw new StoreException(StoreException.Kind.TEMPORARY, "the Maildir of mailbox "
                        + Maildirs.printable(mailbox) + " is now " + reopened.path() + ", not " + maildir
                        + " as at login");
            }
            opened = reopened;
        }
        return opened;
    }

    /** Deletes one message as configured; false (and logged) if it stays. A file already gone counts as removed. */
    private boolean remove(OpenedMaildir opened, MessageInfo message, boolean seen) {
        try {
            if (settings.flagTrashed()) {
                onFile(opened, message, f -> addFlags(opened, message, f, seen ? "ST" : "T"));
            } else {
                onFile(opened, message, f -> {
                    opened.sub(f.directory()).delete(f.name().fileName());
                    return f;
                });
            }
            return true;
        } catch (IOException e) {
            LOG.warn("Cannot remove message {} of {}; it stays: {}", message.uid(), maildir, e.toString());
            return false;
        }
    }

    private void markSeen(OpenedMaildir opened, MessageInfo message) {
        try {
            onFile(opened, message, f -> addFlags(opened, message, f, "S"));
        } catch (IOException e) {
            LOG.warn("Cannot mark message {} of {} seen: {}", message.uid(), maildir, e.toString());
        }
    }

    /** Renames a message's file into cur/ with more flags, atomically. */
    private MessageFile addFlags(OpenedMaildir opened, MessageInfo message, MessageFile file, String flags)
            throws IOException {
        MaildirName target = MaildirName.parse(file.name().withFlags(flags));
        if (file.directory().equals(CUR) && target.fileName().equals(file.name().fileName())) {
            return file;
        }
        opened.sub(file.directory()).rename(file.name().fileName(), opened.sub(CUR), target.fileName());
        MessageFile now = file.movedTo(CUR, target);
        moved.put(message.uid(), now);
        return now;
    }

    /** Releasing the lock file and the open directories waits only on a network file system (as reads do). */
    @Override
    public boolean closeMayBlock() {
        return settings.closeMayBlock();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (opened != null) {
            opened.close();
            opened = null;
        }
        lock.release();
    }

    /** What a file operation does; {@link NoSuchFileException} means the file is not where it was. */
    private interface FileAction<T> {
        T apply(MessageFile file) throws IOException;
    }

    /**
     * Applies an action to a message's file, following the file once by its base name if it is not where it was.
     *
     * @return the action's result, or null if the message is gone
     */
    private <T> T onFile(OpenedMaildir opened, MessageInfo message, FileAction<T> action) throws IOException {
        MessageFile file = file(message);
        try {
            return action.apply(file);
        } catch (NoSuchFileException e) {
            Optional<Map.Entry<String, MaildirName>> now = Listings.locate(opened, file.name().base());
            if (now.isEmpty()) {
                return null;
            }
            MessageFile found = file.movedTo(now.get().getKey(), now.get().getValue());
            moved.put(message.uid(), found);
            try {
                return action.apply(found);
            } catch (NoSuchFileException again) {
                return null;
            }
        }
    }

    /** The file of one of this maildrop's messages, where it is now as far as this session knows. */
    private MessageFile file(MessageInfo message) {
        Object handle = message.handle();
        if (!(handle instanceof MessageFile listed) || !listed.maildir().equals(maildir)) {
            throw new IllegalArgumentException("message " + message.uid() + " is not one of this maildrop's ("
                    + maildir + ")");
        }
        return moved.getOrDefault(message.uid(), listed);
    }
}
