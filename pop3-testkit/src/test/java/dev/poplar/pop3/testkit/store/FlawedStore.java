package dev.poplar.pop3.testkit.store;

import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A small in-memory store that breaks one promise of the SPI on purpose, to show that the contract notices. */
final class FlawedStore implements MailboxStore, Delivery {

    /** The promise to break. */
    enum Flaw {
        /** A second session of a held mailbox is let in. */
        NO_HOLD,
        /** Closing a maildrop keeps the mailbox held. */
        HOLD_NOT_RELEASED,
        /** Sizes count stored octets, a bare LF as one. */
        LF_COUNTED_ONCE,
        /** The maildrop lists the mailbox as it is now, not as it was at open. */
        LIVE_SNAPSHOT,
        /** Update reports success and removes nothing. */
        UPDATE_DELETES_NOTHING,
        /** Unique-ids are positions in the mailbox, so a new message gets the id of a deleted one. */
        REUSED_UIDS,
        /** A message removed during the session reads as empty instead of GONE. */
        EMPTY_INSTEAD_OF_GONE,
        /** Every update that retrieves a message records the time again, not only the first. */
        RETRIEVAL_TIME_OVERWRITTEN,
        /** Expire reports success and removes nothing. */
        EXPIRE_REMOVES_NOTHING
    }

    private final Set<Flaw> flaws;
    private final Map<String, Box> boxes = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    FlawedStore(Flaw... flaws) {
        this.flaws = flaws.length == 0 ? EnumSet.noneOf(Flaw.class) : EnumSet.of(flaws[0], flaws);
    }

    private static final class Box {
        final LinkedHashMap<String, byte[]> messages = new LinkedHashMap<>();
        final Map<String, Instant> arrived = new HashMap<>();
        final Map<String, Instant> retrieved = new HashMap<>();
        boolean held;
    }

    private Box box(String mailbox) {
        return boxes.computeIfAbsent(mailbox, m -> new Box());
    }

    @Override
    public MessageInfo deliver(String mailbox, InputStream message) throws IOException {
        byte[] octets = message.readAllBytes();
        Box box = box(mailbox);
        synchronized (box) {
            String uid = flaws.contains(Flaw.REUSED_UIDS) ? "m" + (box.messages.size() + 1) : "id" + ids.incrementAndGet();
            box.messages.put(uid, octets);
            box.arrived.put(uid, Instant.now());
            return info(uid, octets);
        }
    }

    boolean remove(String mailbox, String uid) {
        Box box = box(mailbox);
        synchronized (box) {
            return box.messages.remove(uid) != null;
        }
    }

    private MessageInfo info(String uid, byte[] octets) throws IOException {
        long size = flaws.contains(Flaw.LF_COUNTED_ONCE) ? octets.length
                : WireForm.of(new ByteArrayInputStream(octets), 4096, false).size();
        return new MessageInfo(uid, size);
    }

    private List<MessageInfo> list(Box box) {
        synchronized (box) {
            List<MessageInfo> infos = new ArrayList<>();
            box.messages.forEach((uid, octets) -> {
                try {
                    infos.add(info(uid, octets));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            return List.copyOf(infos);
        }
    }

    @Override
    public Maildrop open(String mailbox) throws StoreException {
        Box box = box(mailbox);
        synchronized (box) {
            if (box.held && !flaws.contains(Flaw.NO_HOLD)) {
                throw new StoreException(StoreException.Kind.IN_USE, mailbox + " is held");
            }
            box.held = true;
        }
        List<MessageInfo> snapshot = list(box);
        return new Maildrop() {
            @Override
            public List<MessageInfo> messages() {
                return flaws.contains(Flaw.LIVE_SNAPSHOT) ? list(box) : snapshot;
            }

            @Override
            public MessageContent content(MessageInfo message) throws StoreException {
                synchronized (box) {
                    byte[] octets = box.messages.get(message.uid());
                    if (octets == null) {
                        if (flaws.contains(Flaw.EMPTY_INSTEAD_OF_GONE)) {
                            return MessageContent.ofBytes(new byte[0], false);
                        }
                        throw new StoreException(StoreException.Kind.GONE, message.uid() + " is gone");
                    }
                    return MessageContent.ofBytes(octets, false);
                }
            }

            @Override
            public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved) {
                if (!flaws.contains(Flaw.UPDATE_DELETES_NOTHING)) {
                    deleted.forEach(m -> remove(mailbox, m.uid()));
                }
                synchronized (box) {
                    for (MessageInfo message : retrieved) {
                        if (flaws.contains(Flaw.RETRIEVAL_TIME_OVERWRITTEN)) {
                            box.retrieved.put(message.uid(), Instant.now());
                        } else {
                            box.retrieved.putIfAbsent(message.uid(), Instant.now());
                        }
                    }
                }
                return UpdateResult.complete();
            }

            @Override
            public UpdateResult expire(Set<MessageInfo> expired) {
                if (!flaws.contains(Flaw.EXPIRE_REMOVES_NOTHING)) {
                    expired.forEach(m -> remove(mailbox, m.uid()));
                }
                return UpdateResult.complete();
            }

            @Override
            public Optional<Instant> arrived(MessageInfo message) {
                synchronized (box) {
                    return Optional.ofNullable(box.arrived.get(message.uid()));
                }
            }

            @Override
            public Optional<Instant> firstRetrieved(MessageInfo message) {
                synchronized (box) {
                    return Optional.ofNullable(box.retrieved.get(message.uid()));
                }
            }

            @Override
            public void close() {
                if (!flaws.contains(Flaw.HOLD_NOT_RELEASED)) {
                    synchronized (box) {
                        box.held = false;
                    }
                }
            }
        };
    }

    @Override
    public Set<MessageTime> messageTimes() {
        return Set.of(MessageTime.ARRIVAL, MessageTime.FIRST_RETRIEVAL);
    }

    @Override
    public boolean mayBlock(Operation operation) {
        return false;
    }
}
