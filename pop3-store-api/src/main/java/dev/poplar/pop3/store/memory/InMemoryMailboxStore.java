package dev.poplar.pop3.store.memory;

import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe {@link MailboxStore} that keeps every mailbox in memory.
 *
 * <p>Messages can be added and removed at any time, also while a session has the mailbox open: a session keeps the
 * snapshot it opened (RFC 1939 message numbers never change), and a message removed meanwhile reads as
 * {@link StoreException.Kind#GONE}. Each mailbox has a real exclusive lock: a second {@link #open(String)} while a
 * maildrop is open throws {@link StoreException.Kind#IN_USE}.
 *
 * <p>Unique ids are assigned when a message is added, never reused, and differ between store instances (a client
 * that remembers ids across test runs against fresh stores is not fooled). Sizes are exact: the octets POP3 sends.
 * Mailbox names are case-sensitive; a mailbox that was never written to opens empty.
 *
 * <p>The store knows when each message was added ({@link Maildrop#arrived}) and when a session first retrieved it
 * ({@link Maildrop#firstRetrieved}, recorded by {@link Maildrop#update}), by its clock, so that a server's retention
 * policy works with it; {@link Maildrop#expire} removes messages.
 */
public final class InMemoryMailboxStore implements MailboxStore, Delivery {

    private final Map<String, Mailbox> mailboxes = new ConcurrentHashMap<>();
    private final String uidPrefix = Long.toString(System.currentTimeMillis(), 36)
            + Long.toString(System.nanoTime() & 0xFFFF, 36);
    private final AtomicLong nextUid = new AtomicLong(1);
    private final Clock clock;

    /** Creates an empty store on the system clock. */
    public InMemoryMailboxStore() {
        this(Clock.systemUTC());
    }

    /**
     * Creates an empty store that reads the time from a clock: when messages arrive and are first retrieved.
     *
     * @param clock the clock
     */
    public InMemoryMailboxStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * {@inheritDoc}
     *
     * <p>The message is held in memory, like every message of this store.
     */
    @Override
    public MessageInfo deliver(String mailbox, InputStream message) throws IOException {
        return add(mailbox, message.readAllBytes());
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code false}: every operation works on memory and never waits
     */
    @Override
    public boolean mayBlock(Operation operation) {
        return false;
    }

    /**
     * Adds a message to a mailbox, creating the mailbox if needed. The octets are copied.
     *
     * @param mailbox the mailbox name
     * @param content the message as stored (LF or CRLF line ends)
     * @return the new message's unique id and POP3 size
     */
    public MessageInfo add(String mailbox, byte[] content) {
        Objects.requireNonNull(mailbox, "mailbox");
        byte[] copy = content.clone();
        ContentFacts facts = ContentFacts.of(copy);
        MessageInfo info = new MessageInfo(uidPrefix + "." + nextUid.getAndIncrement(), facts.size());
        mailbox(mailbox).add(new Stored(info, copy, facts.wireReady(), clock.instant(), null));
        return info;
    }

    /**
     * Adds a message given as text, encoded as UTF-8.
     *
     * @param mailbox the mailbox name
     * @param content the message (headers, blank line, body) with LF or CRLF line ends
     * @return the new message's unique id and POP3 size
     */
    public MessageInfo add(String mailbox, String content) {
        return add(mailbox, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Removes a message at once, as another mail client would. A session that has it open sees it as gone.
     *
     * @param mailbox the mailbox name
     * @param uid the message's unique id
     * @return whether the message was there
     */
    public boolean remove(String mailbox, String uid) {
        Mailbox box = mailboxes.get(mailbox);
        return box != null && box.remove(Set.of(uid)).isEmpty();
    }

    /**
     * The messages now in a mailbox, oldest first.
     *
     * @param mailbox the mailbox name
     * @return a copy; empty for an unknown mailbox
     */
    public List<MessageInfo> messages(String mailbox) {
        Mailbox box = mailboxes.get(mailbox);
        return box == null ? List.of() : box.infos();
    }

    /**
     * The stored octets of a message.
     *
     * @param mailbox the mailbox name
     * @param uid the message's unique id
     * @return a copy of the octets as added, or empty if there is no such message
     */
    public Optional<byte[]> content(String mailbox, String uid) {
        Mailbox box = mailboxes.get(mailbox);
        return box == null ? Optional.empty() : box.find(uid).map(s -> s.content.clone());
    }

    /**
     * When a session first retrieved a message (see {@link Maildrop#firstRetrieved}).
     *
     * @param mailbox the mailbox name
     * @param uid the message's unique id
     * @return the time, or empty if it was never retrieved or there is no such message
     */
    public Optional<Instant> firstRetrieved(String mailbox, String uid) {
        Mailbox box = mailboxes.get(mailbox);
        return box == null ? Optional.empty() : box.find(uid).map(Stored::firstRetrieved);
    }

    /**
     * The names of the mailboxes that were ever written to or opened.
     *
     * @return a sorted copy
     */
    public Set<String> mailboxes() {
        return new TreeSet<>(mailboxes.keySet());
    }

    /**
     * Whether a session holds the mailbox now.
     *
     * @param mailbox the mailbox name
     * @return {@code true} between {@link #open(String)} and {@link Maildrop#close()}
     */
    public boolean isLocked(String mailbox) {
        Mailbox box = mailboxes.get(mailbox);
        return box != null && box.isLocked();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Never blocks.
     */
    @Override
    public Maildrop open(String mailbox) throws StoreException {
        Objects.requireNonNull(mailbox, "mailbox");
        Mailbox box = mailbox(mailbox);
        List<Stored> snapshot = box.lock();
        if (snapshot == null) {
            throw new StoreException(StoreException.Kind.IN_USE, "mailbox " + mailbox + " is open in another session");
        }
        return new MemoryMaildrop(box, snapshot, clock);
    }

    /**
     * {@inheritDoc}
     *
     * @return both: arrival and first retrieval, by the store's clock
     */
    @Override
    public Set<MessageTime> messageTimes() {
        return Set.of(MessageTime.ARRIVAL, MessageTime.FIRST_RETRIEVAL);
    }

    private Mailbox mailbox(String name) {
        return mailboxes.computeIfAbsent(name, n -> new Mailbox());
    }

    private record Stored(MessageInfo info, byte[] content, boolean wireReady, Instant arrived,
                          Instant firstRetrieved) {
    }

    /** One mailbox; every method synchronizes on it. */
    private static final class Mailbox {
        private final LinkedHashMap<String, Stored> messages = new LinkedHashMap<>();
        private boolean locked;

        synchronized void add(Stored stored) {
            messages.put(stored.info.uid(), stored);
        }

        synchronized Set<String> remove(Set<String> uids) {
            Set<String> missing = new HashSet<>();
            for (String uid : uids) {
                if (messages.remove(uid) == null) {
                    missing.add(uid);
                }
            }
            return missing;
        }

        synchronized void retrieved(Set<MessageInfo> retrieved, Instant now) {
            for (MessageInfo message : retrieved) {
                Stored stored = messages.get(message.uid());
                if (stored != null && stored.firstRetrieved == null) {
                    messages.put(message.uid(), new Stored(stored.info, stored.content, stored.wireReady,
                            stored.arrived, now));
                }
            }
        }

        synchronized Optional<Stored> find(String uid) {
            return Optional.ofNullable(messages.get(uid));
        }

        synchronized List<MessageInfo> infos() {
            List<MessageInfo> infos = new ArrayList<>(messages.size());
            messages.values().forEach(s -> infos.add(s.info));
            return infos;
        }

        synchronized List<Stored> lock() {
            if (locked) {
                return null;
            }
            locked = true;
            return List.copyOf(messages.values());
        }

        synchronized boolean isLocked() {
            return locked;
        }

        synchronized void unlock() {
            locked = false;
        }
    }

    private static final class MemoryMaildrop implements Maildrop {
        private final Mailbox box;
        private final List<MessageInfo> infos;
        private final Map<MessageInfo, Stored> snapshot = new HashMap<>();
        private final Clock clock;
        private boolean closed;

        MemoryMaildrop(Mailbox box, List<Stored> snapshot, Clock clock) {
            this.box = box;
            this.clock = clock;
            List<MessageInfo> list = new ArrayList<>(snapshot.size());
            snapshot.forEach(s -> {
                list.add(s.info);
                this.snapshot.put(s.info, s);
            });
            this.infos = List.copyOf(list);
        }

        @Override
        public Optional<Instant> arrived(MessageInfo message) {
            Stored stored = snapshot.get(message);
            return stored == null ? Optional.empty() : Optional.of(stored.arrived);
        }

        @Override
        public Optional<Instant> firstRetrieved(MessageInfo message) {
            Stored stored = snapshot.get(message);
            return stored == null ? Optional.empty() : Optional.ofNullable(stored.firstRetrieved);
        }

        @Override
        public List<MessageInfo> messages() {
            return infos;
        }

        @Override
        public MessageContent content(MessageInfo message) throws StoreException {
            Stored stored = box.find(message.uid()).orElseThrow(() -> new StoreException(
                    StoreException.Kind.GONE, "message " + message.uid() + " was removed during the session"));
            return MessageContent.ofBytes(stored.content, stored.wireReady);
        }

        @Override
        public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved) {
            Set<String> uids = new HashSet<>();
            deleted.forEach(m -> uids.add(m.uid()));
            // A message already removed by someone else is gone, which is what the client asked for.
            box.remove(uids);
            box.retrieved(retrieved, clock.instant());
            return UpdateResult.complete();
        }

        @Override
        public UpdateResult expire(Set<MessageInfo> expired) {
            Set<String> uids = new HashSet<>();
            expired.forEach(m -> uids.add(m.uid()));
            box.remove(uids);
            return UpdateResult.complete();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                box.unlock();
            }
        }
    }
}
