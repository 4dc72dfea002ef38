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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Maildir listings with two bounded caches: the listing of each mailbox, validated by the modification times of its
 * {@code new/} and {@code cur/} directories, and the facts (POP3 size, wire form) of message files that had to be
 * scanned, keyed by mailbox and base name (a Maildir file's content never changes under its base name).
 *
 * <p>Opening an unchanged mailbox costs two {@code lstat} calls. A changed one is listed again with two directory
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
    private static final long MAX_UIDLIST = 64L << 20;

    private final Cache<Path, Listing> listings;
    private final boolean cacheListings;
    private final Cache<FactsKey, ContentFacts> facts;
    private final boolean cacheFacts;
    private final Cache<Path, Boolean> warned = Caffeine.newBuilder().maximumSize(10_000).build();
    private final boolean hideTrashed;
    private final UidlFormat dovecotFormat;

    /**
     * Creates the caches.
     *
     * @param maxMailboxes how many mailbox listings to keep; 0 for none
     * @param maxFacts how many scanned message facts to keep; 0 for none
     * @param hideTrashed whether messages flagged {@code T} are left out of listings
     * @param dovecotFormat the UIDL format of Dovecot to apply to messages in a {@code dovecot-uidlist}, or
     *     {@code null} to ignore such files
     */
    public Listings(long maxMailboxes, long maxFacts, boolean hideTrashed, UidlFormat dovecotFormat) {
        this.listings = Caffeine.newBuilder().maximumSize(maxMailboxes).build();
        this.cacheListings = maxMailboxes > 0;
        this.facts = Caffeine.newBuilder().maximumSize(maxFacts).build();
        this.cacheFacts = maxFacts > 0;
        this.hideTrashed = hideTrashed;
        this.dovecotFormat = dovecotFormat;
    }

    /**
     * The messages of a Maildir now, in delivery order: the cached listing if the directories have not changed, a
     * fresh one otherwise.
     *
     * @param maildir the open Maildir (with {@code new/} and {@code cur/})
     * @param seen the attributes of its {@code new/} and {@code cur/} as the caller has just read them under the
     *     Maildir's lock, or null to read them here
     * @return the messages, shared with other sessions: immutable; each has a {@link MessageFile} handle
     * @throws IOException if a directory cannot be read
     */
    public List<MessageInfo> snapshot(OpenedMaildir maildir, Maildirs.Subdirectories seen) throws IOException {
        // Stamps from lstat through the open Maildir: an unchanged mailbox is served without opening new/ or cur/.
        DirStamp newStamp = DirStamp.of(seen == null ? maildir.subAttributes(NEW) : seen.news());
        DirStamp curStamp = DirStamp.of(seen == null ? maildir.subAttributes(CUR) : seen.cur());
        DirStamp uidlistStamp = dovecotFormat == null ? DirStamp.ABSENT : uidlistStamp(maildir);
        Listing cached = listings.getIfPresent(maildir.path());
        if (cached != null && cached.trusted && newStamp.equals(cached.newStamp) && curStamp.equals(cached.curStamp)
                && uidlistStamp.equals(cached.uidlistStamp)) {
            return cached.messages;
        }
        Instant readAt = Instant.now();
        Listing fresh = read(maildir, new DirStamp[] {newStamp, curStamp, uidlistStamp}, readAt, cached);
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

    private Listing read(OpenedMaildir maildir, DirStamp[] stamps, Instant readAt, Listing previous)
            throws IOException {
        // new/ before cur/: a message moved from new/ to cur/ meanwhile is then seen at least once.
        Map<String, Found> byBase = new HashMap<>();
        list(maildir, NEW, byBase);
        list(maildir, CUR, byBase);
        DovecotUidlist uidlist = stamps[2] == DirStamp.ABSENT ? null : readUidlist(maildir);
        Map<String, MessageInfo> known = previous == null ? Map.of() : previous.byBase();
        List<Found> found = new ArrayList<>(byBase.values());
        found.sort(Comparator.comparing(Found::key));
        List<Described> described = new ArrayList<>(found.size());
        boolean complete = true;
        for (Found file : found) {
            Described message = pick(maildir, file, known.get(file.name.base()));
            if (message != null) {
                if (message.file != null) {
                    described.add(message);
                }
                complete &= message.complete;
            }
        }
        boolean trusted = complete;
        for (DirStamp stamp : stamps) {
            trusted &= stamp.olderThan(readAt.minus(MTIME_MARGIN));
        }
        return new Listing(stamps[0], stamps[1], stamps[2], trusted, withUids(described, uidlist));
    }

    /**
     * Gives the messages their unique-ids and puts them in order: by default each its base name (hashed if it is not a
     * valid unique-id), in delivery order. With a Dovecot uidlist, the messages it names come first, in Dovecot's POP3
     * order (those with a POP3 order number by it, then by IMAP UID), with the UIDL Dovecot gave them (the record's own
     * POP3 UIDL, else the format); then the others, in delivery order. A UIDL that is not a valid unique-id, or that
     * another message already has, gives way to the hashed base name.
     */
    private List<MessageInfo> withUids(List<Described> described, DovecotUidlist uidlist) {
        List<Described> ordered = new ArrayList<>(described);
        Map<Described, DovecotUidlist.Record> records = new HashMap<>();
        if (uidlist != null) {
            for (Described message : described) {
                DovecotUidlist.Record record = uidlist.record(message.file.name().base());
                if (record != null) {
                    records.put(message, record);
                }
            }
            Comparator<Described> dovecotOrder = Comparator.comparing((Described m) -> !records.containsKey(m))
                    .thenComparing(m -> records.containsKey(m) && records.get(m).pop3Order() < 0)
                    .thenComparingLong(m -> records.containsKey(m) ? records.get(m).pop3Order() : 0)
                    .thenComparingLong(m -> records.containsKey(m) ? records.get(m).uid() : 0);
            ordered.sort(dovecotOrder);
        }
        Set<String> used = new HashSet<>(ordered.size() * 2);
        List<MessageInfo> messages = new ArrayList<>(ordered.size());
        for (Described message : ordered) {
            String base = message.file.name().base();
            DovecotUidlist.Record record = records.get(message);
            String uid = record == null ? UniqueIds.of(base) : dovecotUidl(uidlist, record, base, message.file);
            if (!used.add(uid)) {
                LOG.warn("{}: the unique-id {} of {} is taken by another message; it gets its hashed base name",
                        message.file.maildir(), uid, base);
                uid = UniqueIds.hashed(base);
                used.add(uid);
            }
            messages.add(new MessageInfo(uid, message.size, message.file));
        }
        return List.copyOf(messages);
    }

    private String dovecotUidl(DovecotUidlist uidlist, DovecotUidlist.Record record, String base, MessageFile file) {
        String uidl = record.pop3Uidl() != null && UniqueIds.isValid(record.pop3Uidl())
                ? record.pop3Uidl()
                : dovecotFormat.format(record.uid(), uidlist.uidValidity(), base, record.guid());
        if (UniqueIds.isValid(uidl)) {
            return uidl;
        }
        warnOnce(file.maildir().resolve(file.directory()).resolve(file.name().fileName()),
                "has the Dovecot UIDL \"" + uidl + "\", which is not a valid unique-id; it gets its base name");
        return UniqueIds.of(base);
    }

    /** The uidlist's stamp, or ABSENT if there is none. */
    private static DirStamp uidlistStamp(OpenedMaildir maildir) throws IOException {
        try {
            return DirStamp.of(maildir.directory().entry(DovecotUidlist.FILE_NAME));
        } catch (NoSuchFileException e) {
            return DirStamp.ABSENT;
        }
    }

    /**
     * Reads the Maildir's {@code dovecot-uidlist}: null if it is missing, not a regular file, over 64 MiB or not in a
     * known format (each logged once). A failure to read it is an error, not an absence: UIDLs must not change because
     * a read failed once.
     */
    private DovecotUidlist readUidlist(OpenedMaildir maildir) throws IOException {
        Path path = maildir.path().resolve(DovecotUidlist.FILE_NAME);
        try {
            BasicFileAttributes seen = maildir.directory().entry(DovecotUidlist.FILE_NAME);
            if (seen.isRegularFile() && seen.size() > MAX_UIDLIST) {
                warnOnce(path, "is larger than " + MAX_UIDLIST + " octets; it is ignored");
                return null;
            }
            try (FileChannel channel = maildir.directory().openFile(DovecotUidlist.FILE_NAME, seen)) {
                DovecotUidlist uidlist = DovecotUidlist.parse(channel);
                if (uidlist == null) {
                    warnOnce(path, "has no header of version 1 or 3 with a UIDVALIDITY; it is ignored");
                }
                return uidlist;
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (RefusedFileException e) {
            warnOnce(path, e.getReason() + "; it is ignored");
            return null;
        }
    }

    /**
     * The message a base name stands for, or null if it is hidden (flagged {@code T} while trashed messages are hidden).
     * When the name is in both {@code new/} and {@code cur/}, the {@code cur/} entry counts, unless it is not a
     * message at all (a directory, a link): something that is not a message never hides one.
     */
    private Described pick(OpenedMaildir maildir, Found file, MessageInfo known) {
        Found candidate = file;
        while (true) {
            boolean hidden = hideTrashed && candidate.name.hasFlag('T');
            if (hidden && candidate.other == null) {
                return null;
            }
            Described message = describe(maildir, candidate.directory, candidate.name, known);
            if (message == Described.REFUSED && candidate.other != null) {
                candidate = candidate.other;
                continue;
            }
            return hidden ? null : message;
        }
    }

    private static void list(OpenedMaildir maildir, String directory, Map<String, Found> byBase) throws IOException {
        for (String fileName : maildir.sub(directory).names()) {
            if (fileName.startsWith(".")) {
                continue;
            }
            MaildirName name = MaildirName.parse(fileName);
            Found earlier = byBase.get(name.base());
            byBase.put(name.base(), new Found(directory, name, name.deliveryKey(), earlier));
            if (earlier != null && earlier.directory.equals(directory)) {
                LOG.warn("{}/{} holds {} and {} with the same base name; serving one of them only",
                        maildir.path(), directory, earlier.name.fileName(), fileName);
            }
        }
    }

    /** The message's file and POP3 size, or none if its file is gone, refused or unreadable now. */
    private Described describe(OpenedMaildir maildir, String directory, MaildirName name, MessageInfo known) {
        if (known != null) {
            return new Described(known.handle(MessageFile.class).movedTo(directory, name), known.size(), true);
        }
        Path path = maildir.path().resolve(directory).resolve(name.fileName());
        OpenedMaildir.MessageSource source;
        try {
            source = maildir.source(directory, name.fileName());
        } catch (NoSuchFileException e) {
            LOG.debug("{} vanished while the mailbox was listed", path);
            return Described.LEFT_OUT_FOR_NOW;
        } catch (RefusedFileException e) {
            warnOnce(path, e.getReason());
            return Described.REFUSED;
        } catch (IOException e) {
            LOG.warn("{} cannot be looked at; left out of this session: {}", path, e.toString());
            return Described.LEFT_OUT_FOR_NOW;
        }
        OptionalLong virtualSize = name.virtualSize();
        if (virtualSize.isPresent()) {
            return new Described(new MessageFile(maildir.path(), directory, name, false), virtualSize.getAsLong(), true);
        }
        FactsKey key = new FactsKey(maildir.path(), name.base());
        ContentFacts scanned = facts.getIfPresent(key);
        if (scanned == null) {
            try (FileChannel channel = source.open()) {
                scanned = ContentFacts.scan(channel);
            } catch (RefusedFileException e) {
                warnOnce(path, e.getReason());
                return Described.LEFT_OUT_FOR_NOW;
            } catch (IOException e) {
                LOG.warn("{} cannot be read; left out of this session: {}", path, e.toString());
                return Described.LEFT_OUT_FOR_NOW;
            }
            if (cacheFacts) {
                facts.put(key, scanned);
            }
        }
        return new Described(new MessageFile(maildir.path(), directory, name, scanned.wireReady()), scanned.size(),
                true);
    }

    /**
     * What describing one file gave. Compared by identity.
     *
     * @param file the message's file, or null if it is left out
     * @param size its POP3 size
     * @param complete false if it was left out for a reason that may pass (the listing is then read again next time)
     */
    private record Described(MessageFile file, long size, boolean complete) {
        static final Described REFUSED = new Described(null, 0, true);
        static final Described LEFT_OUT_FOR_NOW = new Described(null, 0, false);

        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /**
     * A message file found in a directory, with its sort key computed once.
     *
     * @param other an entry with the same base name found before this one (in {@code new/}), or null
     */
    private record Found(String directory, MaildirName name, MaildirName.DeliveryKey key, Found other) {
    }

    /**
     * The identity of a scanned message: its Maildir and its immutable base name. {@code equals} and {@code hashCode}
     * are written out: a record's generated ones are bootstrapped through method handles the first time they run,
     * about 5 ms on the first login of a fresh server.
     */
    private record FactsKey(Path maildir, String base) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FactsKey other && base.equals(other.base) && maildir.equals(other.maildir);
        }

        @Override
        public int hashCode() {
            return 31 * maildir.hashCode() + base.hashCode();
        }
    }

    /** A directory's or file's modification time, size and identity when it was read. */
    private record DirStamp(FileTime modified, long size, Object fileKey) {
        static final DirStamp ABSENT = new DirStamp(FileTime.fromMillis(0), -1, null);

        static DirStamp of(BasicFileAttributes attributes) {
            return new DirStamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        }

        boolean olderThan(Instant instant) {
            return modified.toInstant().isBefore(instant);
        }
    }

    private record Listing(DirStamp newStamp, DirStamp curStamp, DirStamp uidlistStamp, boolean trusted,
                           List<MessageInfo> messages) {
        Map<String, MessageInfo> byBase() {
            Map<String, MessageInfo> map = new HashMap<>(messages.size() * 2);
            messages.forEach(m -> map.put(m.handle(MessageFile.class).name().base(), m));
            return map;
        }
    }
}
