package dev.poplar.pop3.store.maildir.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.MessageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Maildir listings with two bounded caches: the listing of each mailbox, validated by the modification times of its
 * {@code new/} and {@code cur/} directories, and the facts (POP3 size, wire form) of message files that had to be
 * scanned, keyed by mailbox and base name (a Maildir file's content never changes under its base name).
 *
 * <p>Opening an unchanged mailbox costs two {@code stat} calls. A changed one is listed again with two directory reads;
 * messages already known keep their facts, and only new files without a {@code ,W=} field are scanned.
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
    private static final String NEW = "new";
    private static final String CUR = "cur";

    private final Cache<Path, Listing> listings;
    private final boolean cacheListings;
    private final Cache<FactsKey, ContentFacts> facts;
    private final boolean cacheFacts;
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
     * @param maildir the Maildir (with {@code new/} and {@code cur/})
     * @return the messages, shared with other sessions: immutable
     * @throws IOException if a directory cannot be read
     */
    public Snapshot snapshot(Path maildir) throws IOException {
        DirStamp newStamp = DirStamp.of(maildir.resolve(NEW));
        DirStamp curStamp = DirStamp.of(maildir.resolve(CUR));
        Listing cached = listings.getIfPresent(maildir);
        if (cached != null && cached.trusted && newStamp.equals(cached.newStamp) && curStamp.equals(cached.curStamp)) {
            return cached.snapshot;
        }
        Instant readAt = Instant.now();
        Listing fresh = read(maildir, newStamp, curStamp, readAt, cached);
        if (cacheListings) {
            listings.put(maildir, fresh);
        }
        return fresh.snapshot;
    }

    /**
     * Forgets the cached listing of a Maildir, after this process changed it.
     *
     * @param maildir the Maildir
     */
    public void invalidate(Path maildir) {
        listings.invalidate(maildir);
    }

    /**
     * Finds a message's file by its base name with a fresh read of the directories ({@code cur/} first), for a
     * message whose flags another client changed.
     *
     * @param maildir the Maildir
     * @param base the base name
     * @return the directory and name of the file, or empty if there is none
     * @throws IOException if a directory cannot be read
     */
    public static Optional<Map.Entry<String, MaildirName>> locate(Path maildir, String base) throws IOException {
        for (String directory : List.of(CUR, NEW)) {
            Predicate<String> sameBase = name -> name.startsWith(base)
                    && (name.length() == base.length() || name.charAt(base.length()) == MaildirName.INFO_SEPARATOR);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(maildir.resolve(directory),
                    p -> sameBase.test(p.getFileName().toString()))) {
                Iterator<Path> matches = entries.iterator();
                if (matches.hasNext()) {
                    return Optional.of(Map.entry(directory, MaildirName.parse(matches.next().getFileName().toString())));
                }
            } catch (NoSuchFileException e) {
                LOG.debug("{} has no {} directory", maildir, directory);
            }
        }
        return Optional.empty();
    }

    private Listing read(Path maildir, DirStamp newStamp, DirStamp curStamp, Instant readAt, Listing previous)
            throws IOException {
        // new/ before cur/: a message moved from new/ to cur/ meanwhile is then seen at least once.
        Map<String, Found> byBase = new HashMap<>();
        list(maildir, NEW, byBase);
        list(maildir, CUR, byBase);
        Map<String, ListedMessage> known = previous == null ? Map.of() : previous.byBase();
        List<Found> found = new ArrayList<>(byBase.values());
        found.sort(Comparator.comparing(Found::key));
        List<ListedMessage> messages = new ArrayList<>(found.size());
        boolean complete = true;
        for (Found file : found) {
            if (hideTrashed && file.name.hasFlag('T')) {
                continue;
            }
            ListedMessage message = describe(maildir, file.directory, file.name, known.get(file.name.base()));
            if (message == null) {
                complete = false;
            } else {
                messages.add(message);
            }
        }
        boolean trusted = complete && newStamp.olderThan(readAt.minus(MTIME_MARGIN))
                && curStamp.olderThan(readAt.minus(MTIME_MARGIN));
        return new Listing(newStamp, curStamp, trusted, Snapshot.of(messages));
    }

    private static void list(Path maildir, String directory, Map<String, Found> byBase) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(maildir.resolve(directory))) {
            for (Path entry : entries) {
                String fileName = entry.getFileName().toString();
                if (fileName.startsWith(".")) {
                    continue;
                }
                MaildirName name = MaildirName.parse(fileName);
                Found earlier = byBase.put(name.base(), new Found(directory, name, name.deliveryKey()));
                if (earlier != null && earlier.directory.equals(directory)) {
                    LOG.warn("{}/{} holds {} and {} with the same base name; serving one of them only",
                            maildir, directory, earlier.name.fileName(), fileName);
                }
            }
        }
    }

    /** The message as POP3 sees it, or null if its file cannot be scanned now (gone, unreadable). */
    private ListedMessage describe(Path maildir, String directory, MaildirName name, ListedMessage known) {
        if (known != null) {
            return known.movedTo(directory, name);
        }
        String uid = UniqueIds.of(name.base());
        OptionalLong virtualSize = name.virtualSize();
        if (virtualSize.isPresent()) {
            return new ListedMessage(directory, name, new MessageInfo(uid, virtualSize.getAsLong()), false);
        }
        FactsKey key = new FactsKey(maildir, name.base());
        ContentFacts scanned = facts.getIfPresent(key);
        if (scanned == null) {
            Path file = maildir.resolve(directory).resolve(name.fileName());
            try (FileChannel channel = FileChannel.open(file)) {
                scanned = ContentFacts.scan(channel);
            } catch (NoSuchFileException e) {
                LOG.debug("{} vanished while the mailbox was listed", file);
                return null;
            } catch (IOException e) {
                if (Files.isDirectory(file)) {
                    LOG.warn("{} is a directory, not a message; ignored", file);
                } else {
                    LOG.warn("{} cannot be read; left out of this session: {}", file, e.toString());
                }
                return null;
            }
            if (cacheFacts) {
                facts.put(key, scanned);
            }
        }
        return new ListedMessage(directory, name, new MessageInfo(uid, scanned.size()), scanned.wireReady());
    }

    /** A message file found in a directory, with its sort key computed once. */
    private record Found(String directory, MaildirName name, MaildirName.DeliveryKey key) {
    }

    /** The identity of a scanned message: its Maildir and its immutable base name. */
    private record FactsKey(Path maildir, String base) {
    }

    /** A directory's modification time and identity when it was listed. */
    private record DirStamp(FileTime modified, Object fileKey) {
        static DirStamp of(Path directory) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(directory, BasicFileAttributes.class);
            return new DirStamp(attributes.lastModifiedTime(), attributes.fileKey());
        }

        boolean olderThan(Instant instant) {
            return modified.toInstant().isBefore(instant);
        }
    }

    private record Listing(DirStamp newStamp, DirStamp curStamp, boolean trusted, Snapshot snapshot) {
        Map<String, ListedMessage> byBase() {
            Map<String, ListedMessage> map = new HashMap<>(snapshot.messages().size() * 2);
            snapshot.messages().forEach(m -> map.put(m.name().base(), m));
            return map;
        }
    }
}
