package dev.poplar.pop3.store.maildir.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.MessageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Maildir listings with two bounded caches: the listing of each mailbox, validated by the modification times of its
 * {@code new/} and {@code cur/} directories, and the facts (POP3 size, wire form) of message files that had to be
 * scanned, keyed by mailbox and base name (a Maildir file's content never changes under its base name).
 *
 * <p>Opening an unchanged mailbox costs two {@code fstat} calls. A changed one is listed again with two directory
 * reads; messages already known keep their facts, and only new names are looked at: each with one {@code lstat}
 * (anything but a regular file is left out, and logged once), and those without a {@code ,W=} field are scanned, no
 * further than the size the {@code lstat} showed.
 *
 * <p><b>Time granularity.</b> A directory changed within the same clock tick as the one its cached modification time
 * shows would look unchanged. A listing is therefore trusted only when both directories were last modified at least
 * {@link #MTIME_MARGIN} before it was read (the rule Dovecot applies); a more recent one is read again at the next open.
 *
 * <p>Thread-safe. The store calls it only while holding the mailbox's lock, so one mailbox is never listed twice at once.
 */
public final class Listings {

    /** How old a directory's modification time must be for a listing read after it to be trusted. */
    public static final Duration MTIME_MARGIN = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(Listings.class);
    private static final String NEW = OpenedMaildir.NEW;
    private static final String CUR = OpenedMaildir.CUR;

    private final Cache<Path, Listing> listings;
    private final boolean cacheListings;
    private final Cache<FactsKey, ContentFacts> facts;
    private final boolean cacheFacts;
    private final Cache<Path, Boolean> warned = Caffeine.newBuilder().maximumSize(10_000).build();
    private final boolean hideTrashed;

    /**
     * Creates the caches.
     *
     * @param maxMailboxes how many mailbox listings to keep; 0 for none
     * @param maxFacts how many scanned message facts to keep; 0 for none
     * @param hideTrashed whether messages flagged {@code T} are left out of listings
     */
    public Listings(long maxMailboxes, long maxFacts, boolean hideTrashed) {
        this.listings = Caffeine.newBuilder().maximumSize(maxMailboxes).build();
        this.cacheListings = maxMailboxes > 0;
        this.facts = Caffeine.newBuilder().maximumSize(maxFacts).build();
        this.cacheFacts = maxFacts > 0;
        this.hideTrashed = hideTrashed;
    }

    /**
     * The messages of a Maildir now, in delivery order: the cached listing if the directories have not changed, a
     * fresh one otherwise.
     *
     * @param maildir the open Maildir (with {@code new/} and {@code cur/})
     * @return the messages, shared with other sessions: immutable; each has a {@link MessageFile} handle
     * @throws IOException if a directory cannot be read
     */
    public List<MessageInfo> snapshot(OpenedMaildir maildir) throws IOException {
        DirStamp newStamp = DirStamp.of(maildir.sub(NEW).attributes());
        DirStamp curStamp = DirStamp.of(maildir.sub(CUR).attributes());
        Listing cached = listings.getIfPresent(maildir.path());
        if (cached != null && cached.trusted && newStamp.equals(cached.newStamp) && curStamp.equals(cached.curStamp)) {
            return cached.messages;
        }
        Instant readAt = Instant.now();
        Listing fresh = read(maildir, newStamp, curStamp, readAt, cached);
        if (cacheListings) {
            listings.put(maildir.path(), fresh);
        }
        return fresh.messages;
    }

    /**
     * Forgets the cached listing of a Maildir, after this process changed it.
     *
     * @param maildir the Maildir's real path
     */
    public void invalidate(Path maildir) {
        listings.invalidate(maildir);
    }

    /**
     * Logs a warning about a file system entry once (per store, for a bounded number of entries), so that a file that
     * is refused at every listing does not flood the log.
     *
     * @param entry the entry
     * @param what what is wrong, in words
     */
    public void warnOnce(Path entry, String what) {
        if (warned.asMap().putIfAbsent(entry, Boolean.TRUE) == null) {
            LOG.warn("{} {}; it is not served", entry, what);
        }
    }

    /**
     * Finds a message's file by its base name with a fresh read of the directories ({@code cur/} first), for a
     * message whose flags another client changed.
     *
     * @param maildir the open Maildir
     * @param base the base name
     * @return the directory and name of the file, or empty if there is none
     * @throws IOException if a directory cannot be read
     */
    public static Optional<Map.Entry<String, MaildirName>> locate(OpenedMaildir maildir, String base)
            throws IOException {
        for (String directory : List.of(CUR, NEW)) {
            for (String name : maildir.sub(directory).names()) {
                if (name.startsWith(base)
                        && (name.length() == base.length() || name.charAt(base.length()) == MaildirName.INFO_SEPARATOR)) {
                    return Optional.of(Map.entry(directory, MaildirName.parse(name)));
                }
            }
        }
        return Optional.empty();
    }

    private Listing read(OpenedMaildir maildir, DirStamp newStamp, DirStamp curStamp, Instant readAt,
                         Listing previous) throws IOException {
        // new/ before cur/: a message moved from new/ to cur/ meanwhile is then seen at least once.
        Map<String, Found> byBase = new HashMap<>();
        list(maildir, NEW, byBase);
        list(maildir, CUR, byBase);
        Map<String, MessageInfo> known = previous == null ? Map.of() : previous.byBase();
        List<Found> found = new ArrayList<>(byBase.values());
        found.sort(Comparator.comparing(Found::key));
        List<MessageInfo> messages = new ArrayList<>(found.size());
        boolean complete = true;
        for (Found file : found) {
            if (hideTrashed && file.name.hasFlag('T')) {
                continue;
            }
            Described described = describe(maildir, file.directory, file.name, known.get(file.name.base()));
            if (described.message != null) {
                messages.add(described.message);
            }
            complete &= described.complete;
        }
        boolean trusted = complete && newStamp.olderThan(readAt.minus(MTIME_MARGIN))
                && curStamp.olderThan(readAt.minus(MTIME_MARGIN));
        return new Listing(newStamp, curStamp, trusted, List.copyOf(messages));
    }

    private static void list(OpenedMaildir maildir, String directory, Map<String, Found> byBase) throws IOException {
        for (String fileName : maildir.sub(directory).names()) {
            if (fileName.startsWith(".")) {
                continue;
            }
            MaildirName name = MaildirName.parse(fileName);
            Found earlier = byBase.put(name.base(), new Found(directory, name, name.deliveryKey()));
            if (earlier != null && earlier.directory.equals(directory)) {
                LOG.warn("{}/{} holds {} and {} with the same base name; serving one of them only",
                        maildir.path(), directory, earlier.name.fileName(), fileName);
            }
        }
    }

    /** The message as POP3 sees it, or none if its file is gone, refused or unreadable now. */
    private Described describe(OpenedMaildir maildir, String directory, MaildirName name, MessageInfo known) {
        if (known != null) {
            MessageFile file = known.handle(MessageFile.class).movedTo(directory, name);
            return new Described(new MessageInfo(known.uid(), known.size(), file), true);
        }
        Path path = maildir.path().resolve(directory).resolve(name.fileName());
        OpenedMaildir.MessageSource source;
        try {
            source = maildir.source(directory, name.fileName());
        } catch (NoSuchFileException e) {
            LOG.debug("{} vanished while the mailbox was listed", path);
            return new Described(null, false);
        } catch (RefusedFileException e) {
            warnOnce(path, e.getReason());
            return new Described(null, true);
        } catch (IOException e) {
            LOG.warn("{} cannot be looked at; left out of this session: {}", path, e.toString());
            return new Described(null, false);
        }
        String uid = UniqueIds.of(name.base());
        OptionalLong virtualSize = name.virtualSize();
        if (virtualSize.isPresent()) {
            MessageFile file = new MessageFile(maildir.path(), directory, name, false);
            return new Described(new MessageInfo(uid, virtualSize.getAsLong(), file), true);
        }
        FactsKey key = new FactsKey(maildir.path(), name.base());
        ContentFacts scanned = facts.getIfPresent(key);
        if (scanned == null) {
            try (FileChannel channel = source.open()) {
                scanned = ContentFacts.scan(channel);
            } catch (NoSuchFileException e) {
                LOG.debug("{} vanished while the mailbox was listed", path);
                return new Described(null, false);
            } catch (RefusedFileException e) {
                warnOnce(path, e.getReason());
                return new Described(null, false);
            } catch (IOException e) {
                LOG.warn("{} cannot be read; left out of this session: {}", path, e.toString());
                return new Described(null, false);
            }
            if (cacheFacts) {
                facts.put(key, scanned);
            }
        }
        MessageFile file = new MessageFile(maildir.path(), directory, name, scanned.wireReady());
        return new Described(new MessageInfo(uid, scanned.size(), file), true);
    }

    /**
     * What describing one file gave.
     *
     * @param message the message, or null if it is left out
     * @param complete false if it was left out for a reason that may pass (the listing is then read again next time)
     */
    private record Described(MessageInfo message, boolean complete) {
    }

    /** A message file found in a directory, with its sort key computed once. */
    private record Found(String directory, MaildirName name, MaildirName.DeliveryKey key) {
    }

    /** The identity of a scanned message: its Maildir and its immutable base name. */
    private record FactsKey(Path maildir, String base) {
    }

    /** A directory's modification time and identity when it was listed. */
    private record DirStamp(FileTime modified, Object fileKey) {
        static DirStamp of(BasicFileAttributes attributes) {
            return new DirStamp(attributes.lastModifiedTime(), attributes.fileKey());
        }

        boolean olderThan(Instant instant) {
            return modified.toInstant().isBefore(instant);
        }
    }

    private record Listing(DirStamp newStamp, DirStamp curStamp, boolean trusted, List<MessageInfo> messages) {
        Map<String, MessageInfo> byBase() {
            Map<String, MessageInfo> map = new HashMap<>(messages.size() * 2);
            messages.forEach(m -> map.put(m.handle(MessageFile.class).name().base(), m));
            return map;
        }
    }
}
