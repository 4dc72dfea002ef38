package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One session's hold on a Maildir: the snapshot taken at open, content read from the files, and the update at
 * {@code QUIT}.
 *
 * <p>The first operation that needs a file opens the mailbox's Maildir again by its name ({@link Maildirs}), relative
 * to the store root and without following links, and checks that it is still the Maildir this session locked; files
 * are reached only through those open directories, which the maildrop keeps until it is closed. So a session that only
 * lists holds no file descriptor, one that reads holds its Maildir's directories (about six descriptors), and a
 * directory swapped for a link during the session leads nowhere.
 *
 * <p>Each change to a message is one {@code unlinkat} or one atomic {@code renameat}, so a crash at any point leaves
 * every message either whole under its old name, whole under its new name, or gone because it was deleted. A message
 * whose file was renamed by another client (flags changed, moved from {@code new/} to {@code cur/}) is followed by its
 * base name.
 *
 * <p>The server calls one maildrop from one session at a time, possibly from different threads; the methods are
 * synchronized for visibility.
 */
public final class MaildirMaildrop implements Maildrop {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirMaildrop.class);
    private static final String CUR = OpenedMaildir.CUR;

    private final Maildirs maildirs;
    private final String mailbox;
    private final Path maildir;
    private final MaildirLocks.Lock lock;
    private final Listings listings;
    private final boolean flagTrashed;
    private final boolean markSeen;
    private final List<MessageInfo> messages;
    private final Map<String, MessageFile> moved = new HashMap<>();
    private OpenedMaildir opened;
    private boolean updated;

    /**
     * Creates the maildrop over a snapshot.
     *
     * @param maildirs where to open the Maildir again for each operation
     * @param mailbox the mailbox name
     * @param maildir the Maildir's real path, as locked
     * @param lock the lock this maildrop holds and releases on close
     * @param listings the listings, told when this session changed the Maildir
     * @param messages the messages at open, each with its {@link MessageFile} handle
     * @param flagTrashed whether deleted messages are flagged {@code T} instead of unlinked
     * @param markSeen whether retrieved messages are flagged {@code S}
     */
    public MaildirMaildrop(Maildirs maildirs, String mailbox, Path maildir, MaildirLocks.Lock lock, Listings listings,
                           List<MessageInfo> messages, boolean flagTrashed, boolean markSeen) {
        this.maildirs = maildirs;
        this.mailbox = mailbox;
        this.maildir = maildir;
        this.lock = lock;
        this.listings = listings;
        this.flagTrashed = flagTrashed;
        this.markSeen = markSeen;
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
        if (!lock.verify()) {
            throw new StoreException(StoreException.Kind.TEMPORARY, "the lock of " + maildir
                    + " was lost during the session; nothing was removed");
        }
        try {
            OpenedMaildir opened = opened();
            Set<MessageInfo> notRemoved = new HashSet<>();
            for (MessageInfo message : deleted) {
                boolean seen = markSeen && retrieved.contains(message);
                if (!remove(opened, message, seen)) {
                    notRemoved.add(message);
                }
            }
            if (markSeen) {
                for (MessageInfo message : retrieved) {
                    if (!deleted.contains(message)) {
                        markSeen(opened, message);
                    }
                }
            }
            return UpdateResult.partial(notRemoved);
        } finally {
            listings.invalidate(maildir);
        }
    }

    /** The Maildir opened again by name at first use, then kept; it must still be the one this session locked. */
    private OpenedMaildir opened() throws StoreException {
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
            if (flagTrashed) {
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

    @Override
    public synchronized void close() {
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
