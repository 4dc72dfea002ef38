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
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 * <p>Each change to a message is one {@code unlink} or one atomic {@code rename}, so a crash at any point leaves every
 * message either whole under its old name, whole under its new name, or gone because it was deleted. A message whose
 * file was renamed by another client (flags changed, moved from {@code new/} to {@code cur/}) is followed by its base
 * name.
 *
 * <p>The server calls one maildrop from one session at a time, possibly from different threads; the methods are
 * synchronized for visibility.
 */
public final class MaildirMaildrop implements Maildrop {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirMaildrop.class);
    private static final String CUR = "cur";

    private final Path maildir;
    private final MaildirLocks.Lock lock;
    private final Listings listings;
    private final boolean flagTrashed;
    private final boolean markSeen;
    private final Snapshot snapshot;
    private final Map<String, ListedMessage> moved = new HashMap<>();
    private boolean updated;

    /**
     * Creates the maildrop over a snapshot.
     *
     * @param maildir the Maildir (a real path)
     * @param lock the lock this maildrop holds and releases on close
     * @param listings the listings, told when this session changed the Maildir
     * @param snapshot the messages at open
     * @param flagTrashed whether deleted messages are flagged {@code T} instead of unlinked
     * @param markSeen whether retrieved messages are flagged {@code S}
     */
    public MaildirMaildrop(Path maildir, MaildirLocks.Lock lock, Listings listings, Snapshot snapshot,
                           boolean flagTrashed, boolean markSeen) {
        this.maildir = maildir;
        this.lock = lock;
        this.listings = listings;
        this.flagTrashed = flagTrashed;
        this.markSeen = markSeen;
        this.snapshot = snapshot;
    }

    @Override
    public List<MessageInfo> messages() {
        return snapshot.infos();
    }

    @Override
    public synchronized MessageContent content(MessageInfo message) throws StoreException {
        ListedMessage listed = listed(message);
        try {
            MessageContent content = onFile(listed, this::open);
            if (content == null) {
                throw new StoreException(StoreException.Kind.GONE, "message " + message.uid() + " of " + maildir
                        + " was removed during the session");
            }
            return content;
        } catch (IOException e) {
            LOG.warn("Cannot read message {} of {}: {}", message.uid(), maildir, e.toString());
            throw new StoreException(StoreException.Kind.TEMPORARY, "cannot read message " + message.uid() + " of "
                    + maildir + ": " + e, e);
        }
    }

    private MessageContent open(ListedMessage message) throws IOException {
        Path file = path(message);
        if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
            throw new IOException(file + " is not a regular file");
        }
        return MessageContent.ofChannel(FileChannel.open(file), message.wireReady());
    }

    @Override
    public synchronized UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved)
            throws StoreException {
        if (updated) {
            throw new IllegalStateException("update was already called on this maildrop of " + maildir);
        }
        updated = true;
        deleted.forEach(this::listed);
        retrieved.forEach(this::listed);
        if (!lock.verify()) {
            throw new StoreException(StoreException.Kind.TEMPORARY, "the lock of " + maildir
                    + " was lost during the session; nothing was removed");
        }
        try {
            Set<MessageInfo> notRemoved = new HashSet<>();
            for (MessageInfo message : deleted) {
                boolean seen = markSeen && retrieved.contains(message);
                if (!remove(listed(message), seen)) {
                    notRemoved.add(message);
                }
            }
            if (markSeen) {
                for (MessageInfo message : retrieved) {
                    if (!deleted.contains(message)) {
                        markSeen(listed(message));
                    }
                }
            }
            return UpdateResult.partial(notRemoved);
        } finally {
            listings.invalidate(maildir);
        }
    }

    /** Deletes one message as configured; false (and logged) if it stays. A file already gone counts as removed. */
    private boolean remove(ListedMessage message, boolean seen) {
        try {
            if (flagTrashed) {
                onFile(message, m -> addFlags(m, seen ? "ST" : "T"));
            } else {
                onFile(message, m -> {
                    Files.delete(path(m));
                    return m;
                });
            }
            return true;
        } catch (IOException e) {
            LOG.warn("Cannot remove message {} of {}; it stays: {}", message.info().uid(), maildir, e.toString());
            return false;
        }
    }

    private void markSeen(ListedMessage message) {
        try {
            onFile(message, m -> addFlags(m, "S"));
        } catch (IOException e) {
            LOG.warn("Cannot mark message {} of {} seen: {}", message.info().uid(), maildir, e.toString());
        }
    }

    /** Renames a message's file into cur/ with more flags, atomically. */
    private ListedMessage addFlags(ListedMessage message, String flags) throws IOException {
        MaildirName target = MaildirName.parse(message.name().withFlags(flags));
        if (message.directory().equals(CUR) && target.fileName().equals(message.name().fileName())) {
            return message;
        }
        Files.move(path(message), maildir.resolve(CUR).resolve(target.fileName()), StandardCopyOption.ATOMIC_MOVE);
        ListedMessage moved = message.movedTo(CUR, target);
        this.moved.put(moved.info().uid(), moved);
        return moved;
    }

    @Override
    public void close() {
        lock.release();
    }

    /** What a file operation does; {@link NoSuchFileException} means the file is not where it was. */
    private interface FileAction<T> {
        T apply(ListedMessage message) throws IOException;
    }

    /**
     * Applies an action to a message's file, following the file once by its base name if it is not where it was.
     *
     * @return the action's result, or null if the message is gone
     */
    private <T> T onFile(ListedMessage message, FileAction<T> action) throws IOException {
        try {
            return action.apply(message);
        } catch (NoSuchFileException e) {
            Optional<Map.Entry<String, MaildirName>> now = Listings.locate(maildir, message.name().base());
            if (now.isEmpty()) {
                return null;
            }
            ListedMessage moved = message.movedTo(now.get().getKey(), now.get().getValue());
            this.moved.put(moved.info().uid(), moved);
            try {
                return action.apply(moved);
            } catch (NoSuchFileException again) {
                return null;
            }
        }
    }

    private ListedMessage listed(MessageInfo message) {
        ListedMessage listed = moved.getOrDefault(message.uid(), snapshot.byUid().get(message.uid()));
        if (listed == null || !listed.info().equals(message)) {
            throw new IllegalArgumentException("message " + message.uid() + " is not one of this maildrop's");
        }
        return listed;
    }

    private Path path(ListedMessage message) {
        return maildir.resolve(message.directory()).resolve(message.name().fileName());
    }
}
