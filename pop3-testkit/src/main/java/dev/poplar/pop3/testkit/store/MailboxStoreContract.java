package dev.poplar.pop3.testkit.store;

import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The promises of the storage SPI ({@link MailboxStore}, {@link dev.poplar.pop3.store.Maildrop},
 * {@link MessageInfo}, {@link MessageContent}, {@link UpdateResult}, {@link Delivery}) as JUnit 5 tests that any store
 * can be run against. A store author extends this class and makes a fresh store for each test:
 *
 * <pre>{@code
 * class MyStoreContractTest extends MailboxStoreContract {
 *     @Override
 *     protected StoreUnderTest createStore() {
 *         MyStore store = new MyStore(...);
 *         return StoreUnderTest.of(store, (mailbox, uid) -> store.expungeDirectly(mailbox, uid), store);
 *     }
 * }
 * }</pre>
 *
 * <p>What it checks, each in a group of its own: the snapshot (fixed while mail arrives and is removed, numbering
 * stable), the exclusive hold ({@code IN_USE} for a second session, released on close), sizes (equal to the octets POP3
 * sends, computed here by reading the content and converting it as the server does), unique-ids (valid, distinct,
 * stable across sessions, never reused), {@code UPDATE} (deleted messages removed, the others whole, nothing removed
 * without it, partial failure reported), the message times a retention policy reads and {@code expire} (for a store
 * that reports times), {@code GONE} for a message removed during a session, concurrency (many
 * sessions of different mailboxes at once; two racing for one), streaming of a large message through a small buffer,
 * and delivery through {@link Delivery} if the store offers it. Checks that need a capability the store does not have
 * (a {@link Delivery}, a way to make a removal fail, message times) are skipped, and say why.
 *
 * <p>Mail is put in with {@link StoreUnderTest#seed} (through {@link Delivery} by default). Mailbox names used are
 * plain ASCII ({@code alice}, {@code bob}, {@code user07}). Tests may run in parallel with other test classes; each
 * has its own store.
 */
public abstract class MailboxStoreContract {

    private static final int SMALL_BUFFER = 8 * 1024;
    private static final long TIMEOUT_SECONDS = 60;

    private StoreUnderTest under;

    /**
     * Makes a fresh store for one test. Called before each test (also those in the nested groups).
     *
     * @return the store under test; closed after the test
     * @throws Exception if the store cannot be made
     */
    protected abstract StoreUnderTest createStore() throws Exception;

    /**
     * The size of the message that {@link Streaming} sends through a small buffer. Default 50 MiB.
     *
     * @return octets
     */
    protected long largeMessageSize() {
        return 50L << 20;
    }

    @BeforeEach
    final void createStoreUnderTest() throws Exception {
        under = createStore();
        assertThat(under).as("createStore()").isNotNull();
        assertThat(under.store()).as("createStore().store()").isNotNull();
    }

    @AfterEach
    final void closeStoreUnderTest() throws Exception {
        if (under != null) {
            under.close();
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Shared steps

    private MailboxStore store() {
        return under.store();
    }

    private MessageInfo seed(String mailbox, String text) throws Exception {
        return seed(mailbox, text.getBytes(StandardCharsets.UTF_8));
    }

    private MessageInfo seed(String mailbox, byte[] octets) throws Exception {
        MessageInfo seeded = under.seed(mailbox, new ByteArrayInputStream(octets));
        assertThat(seeded).as("what seeding returned").isNotNull();
        return seeded;
    }

    private static List<String> uids(List<MessageInfo> messages) {
        return messages.stream().map(MessageInfo::uid).toList();
    }

    /** Unique-ids and sizes, to compare lists of messages from different sources (handles aside). */
    private static List<String> idsAndSizes(List<MessageInfo> messages) {
        return messages.stream().map(m -> m.uid() + " " + m.size()).toList();
    }

    private static StoreException.Kind failureOf(Callable<?> call) {
        Throwable thrown = catchThrowable(call::call);
        assertThat(thrown).as("a StoreException").isInstanceOf(StoreException.class);
        return ((StoreException) thrown).kind();
    }

    private static WireForm.Result read(Maildrop maildrop, MessageInfo message) throws Exception {
        MessageContent content = maildrop.content(message);
        assertThat(content).as("content of %s", message.uid()).isNotNull();
        boolean wireReady = content.wireReady();
        WireForm.Result read = WireForm.of(content, SMALL_BUFFER, true);
        if (wireReady) {
            assertThat(read.exact()).as("content of %s says it is wire-ready, but it is not in wire form",
                    message.uid()).isTrue();
        }
        return read;
    }

    private static WireForm.Result wireForm(byte[] octets) throws IOException {
        return WireForm.of(new ByteArrayInputStream(octets), SMALL_BUFFER, false);
    }

    private static <T> T within(Future<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static ExecutorService threads(int count) {
        return Executors.newFixedThreadPool(count, task -> {
            Thread thread = new Thread(task, "store-contract");
            thread.setDaemon(true);
            return thread;
        });
    }

    private static void shutdown(ExecutorService threads) throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("threads ended").isTrue();
    }

    /** Messages that POP3 servers get wrong: dots, line ends, the end of the message. */
    static Map<String, byte[]> trickyMessages() {
        byte[] eightBit = new byte[300];
        for (int i = 0; i < eightBit.length; i++) {
            eightBit[i] = (byte) (i % 256 == '\n' || i % 256 == '\r' ? 'x' : i % 256);
        }
        eightBit[eightBit.length - 1] = '\n';
        Map<String, byte[]> messages = new LinkedHashMap<>();
        messages.put("CRLF line ends", ascii("From: a@example.org\r\nSubject: crlf\r\n\r\nbody\r\n"));
        messages.put("LF line ends", ascii("From: a@example.org\nSubject: lf\n\none\ntwo\n"));
        messages.put("mixed line ends", ascii("Subject: mixed\r\n\nA\r\nB\nC\r\n"));
        messages.put("a bare CR", ascii("Subject: cr\r\n\r\na\rb\r\n"));
        messages.put("no line end at the end", ascii("Subject: cut\n\nno newline at the end"));
        messages.put("a line holding a single dot", ascii("Subject: dot\r\n\r\nbefore\r\n.\r\nafter\r\n"));
        messages.put("lines starting with dots", ascii("Subject: dots\n\n.hidden\n..double\n.\n"));
        messages.put("an empty body", ascii("Subject: empty\r\n\r\n"));
        messages.put("a single line feed", ascii("\n"));
        messages.put("8-bit octets", eightBit);
        messages.put("a 5,000-octet line", ascii("Subject: long\n\n" + "x".repeat(5000) + "\n"));
        return messages;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** The snapshot a maildrop holds: fixed for the session (RFC 1939 section 5). */
    @Nested
    class Snapshots {

        @Test
        void aSessionListsWhatWasSeededWithTheUniqueIdsAndSizesSeedingReturned() throws Exception {
            List<MessageInfo> seeded = List.of(seed("alice", "Subject: one\r\n\r\n1\r\n"),
                    seed("alice", "Subject: two\n\ntwo\n"), seed("alice", "Subject: three\r\n\r\n3\r\n"));
            try (Maildrop maildrop = store().open("alice")) {
                assertThat(idsAndSizes(maildrop.messages())).containsExactlyInAnyOrderElementsOf(idsAndSizes(seeded));
            }
        }

        @Test
        void theSnapshotStaysTheSameWhileMailArrivesAndIsRemoved() throws Exception {
            MessageInfo first = seed("alice", "Subject: one\r\n\r\n1\r\n");
            MessageInfo second = seed("alice", "Subject: two\r\n\r\n2\r\n");
            MessageInfo arrived;
            try (Maildrop maildrop = store().open("alice")) {
                List<MessageInfo> before = List.copyOf(maildrop.messages());
                arrived = seed("alice", "Subject: arrived during the session\r\n\r\n3\r\n");
                under.removeBehindTheStore("alice", first.uid());

                assertThat(maildrop.messages()).as("the snapshot after mail arrived and was removed")
                        .containsExactlyElementsOf(before);
                assertThat(uids(maildrop.messages())).doesNotContain(arrived.uid());
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(uids(next.messages())).as("the next session")
                        .containsExactlyInAnyOrder(second.uid(), arrived.uid());
            }
        }

        @Test
        void theListIsUnmodifiable() throws Exception {
            seed("alice", "Subject: one\r\n\r\n1\r\n");
            try (Maildrop maildrop = store().open("alice")) {
                List<MessageInfo> messages = maildrop.messages();
                assertThatThrownBy(() -> messages.add(messages.get(0)))
                        .isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> messages.remove(0)).isInstanceOf(UnsupportedOperationException.class);
            }
        }

        @Test
        void aMailboxNeverWrittenToOpensEmptyOrIsRefusedPermanently() throws Exception {
            Maildrop maildrop = null;
            try {
                maildrop = store().open("nobody-wrote-here");
                assertThat(maildrop.messages()).isEmpty();
            } catch (StoreException e) {
                assertThat(e.kind()).as("the kind of refusal").isEqualTo(StoreException.Kind.PERMANENT);
            } finally {
                if (maildrop != null) {
                    maildrop.close();
                }
            }
        }

        @Test
        void mailboxesAreSeparate() throws Exception {
            MessageInfo alices = seed("alice", "Subject: for alice\r\n\r\n1\r\n");
            MessageInfo bobs = seed("bob", "Subject: for bob\r\n\r\n2\r\n");
            try (Maildrop alice = store().open("alice"); Maildrop bob = store().open("bob")) {
                assertThat(uids(alice.messages())).containsExactly(alices.uid());
                assertThat(uids(bob.messages())).containsExactly(bobs.uid());
            }
        }
    }

    /** The exclusive hold of RFC 1939 section 4. */
    @Nested
    class ExclusiveHold {

        @Test
        void aSecondSessionOfTheSameMailboxIsInUse() throws Exception {
            seed("alice", "Subject: one\r\n\r\n1\r\n");
            try (Maildrop held = store().open("alice")) {
                assertThat(held.messages()).hasSize(1);
                assertThat(failureOf(() -> store().open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                assertThat(failureOf(() -> store().open("alice"))).as("and again")
                        .isEqualTo(StoreException.Kind.IN_USE);
            }
        }

        @Test
        void closingReleasesTheHoldWithOrWithoutAnUpdate() throws Exception {
            seed("alice", "Subject: one\r\n\r\n1\r\n");
            store().open("alice").close();
            try (Maildrop again = store().open("alice")) {
                again.update(Set.of(), Set.copyOf(again.messages()));
            }
            try (Maildrop third = store().open("alice")) {
                assertThat(third.messages()).hasSize(1);
            }
        }

        @Test
        void aRefusedSessionTakesNoHold() throws Exception {
            Maildrop held = store().open("alice");
            assertThat(failureOf(() -> store().open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            held.close();
            try (Maildrop next = store().open("alice")) {
                assertThat(next.messages()).isEmpty();
            }
        }

        @Test
        void holdingOneMailboxLeavesOthersFree() throws Exception {
            try (Maildrop alice = store().open("alice"); Maildrop bob = store().open("bob")) {
                assertThat(alice.messages()).isEmpty();
                assertThat(bob.messages()).isEmpty();
            }
        }
    }

    /** Sizes are the octets POP3 sends: CRLF line ends, a final CRLF, before dot-stuffing. */
    @Nested
    class Sizes {

        @TestFactory
        Stream<DynamicTest> theSizeAndTheContentAreWhatPop3Sends() {
            List<Map.Entry<String, byte[]>> cases = List.copyOf(trickyMessages().entrySet());
            return cases.stream().map(c -> DynamicTest.dynamicTest(c.getKey(),
                    () -> sizeAndContent("tricky" + cases.indexOf(c), c.getKey(), c.getValue())));
        }

        private void sizeAndContent(String mailbox, String what, byte[] octets) throws Exception {
            WireForm.Result expected = wireForm(octets);
            MessageInfo seeded = seed(mailbox, octets);
            assertThat(seeded.size()).as("size returned by seeding %s", what).isEqualTo(expected.size());
            try (Maildrop maildrop = store().open(mailbox)) {
                MessageInfo message = maildrop.messages().get(0);
                WireForm.Result read = read(maildrop, message);

                assertThat(message.size()).as("listed size of %s", what).isEqualTo(expected.size());
                assertThat(read.size()).as("size of the content of %s as POP3 sends it", what)
                        .isEqualTo(expected.size());
                assertThat(read.digest()).as("content of %s as POP3 sends it", what).isEqualTo(expected.digest());
            }
        }

        @Test
        void contentCanBeReadAgainInTheSameSession() throws Exception {
            seed("alice", "Subject: twice\r\n\r\nread me twice\r\n");
            try (Maildrop maildrop = store().open("alice")) {
                MessageInfo message = maildrop.messages().get(0);
                WireForm.Result first = read(maildrop, message);
                WireForm.Result second = read(maildrop, message);
                assertThat(second.digest()).isEqualTo(first.digest());
                assertThat(second.size()).isEqualTo(message.size());
            }
        }
    }

    /** RFC 1939 unique-ids: 1 to 70 characters in 0x21..0x7E, stable, never reused. */
    @Nested
    class UniqueIds {

        @Test
        void uniqueIdsAreDistinctEvenForIdenticalMessages() throws Exception {
            Set<String> seeded = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                seeded.add(seed("alice", "Subject: the same\r\n\r\nidentical\r\n").uid());
            }
            assertThat(seeded).hasSize(20);
            try (Maildrop maildrop = store().open("alice")) {
                assertThat(uids(maildrop.messages())).hasSize(20).doesNotHaveDuplicates()
                        .allSatisfy(uid -> assertThat(uid).hasSizeBetween(1, 70).matches("[\\x21-\\x7e]+"));
            }
        }

        @Test
        void uniqueIdsAndSizesAreTheSameInTheNextSession() throws Exception {
            for (int i = 0; i < 5; i++) {
                seed("alice", "Subject: message " + i + "\n\n" + "line\n".repeat(i));
            }
            List<MessageInfo> first;
            try (Maildrop maildrop = store().open("alice")) {
                first = List.copyOf(maildrop.messages());
            }
            try (Maildrop maildrop = store().open("alice")) {
                assertThat(idsAndSizes(maildrop.messages())).containsExactlyElementsOf(idsAndSizes(first));
            }
        }

        @Test
        void aUniqueIdIsNeverGivenToAnotherMessage() throws Exception {
            Set<String> used = new HashSet<>();
            for (int round = 0; round < 5; round++) {
                MessageInfo message = seed("alice", "Subject: round " + round + "\r\n\r\nsame size\r\n");
                assertThat(used.add(message.uid())).as("unique-id %s given again", message.uid()).isTrue();
                try (Maildrop maildrop = store().open("alice")) {
                    assertThat(maildrop.update(Set.copyOf(maildrop.messages()), Set.of()).isComplete()).isTrue();
                }
            }
        }
    }

    /** The RFC 1939 UPDATE state: deletion only at QUIT, through one call. */
    @Nested
    class Update {

        @Test
        void deletedMessagesAreRemovedAndTheOthersStayWhole() throws Exception {
            List<byte[]> octets = new ArrayList<>();
            List<MessageInfo> seeded = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                octets.add(ascii("Subject: message " + i + "\r\n\r\n" + "body\r\n".repeat(i + 1)));
                seeded.add(seed("alice", octets.get(i)));
            }
            try (Maildrop maildrop = store().open("alice")) {
                List<MessageInfo> listed = maildrop.messages();
                Set<MessageInfo> deleted = Set.of(find(listed, seeded.get(0)), find(listed, seeded.get(2)),
                        find(listed, seeded.get(4)));
                UpdateResult result = maildrop.update(deleted, Set.of());
                assertThat(result).isNotNull();
                assertThat(result.isComplete()).as("every deletion happened").isTrue();
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(uids(next.messages())).containsExactlyInAnyOrder(seeded.get(1).uid(), seeded.get(3).uid());
                for (int i : new int[] {1, 3}) {
                    WireForm.Result read = read(next, find(next.messages(), seeded.get(i)));
                    assertThat(read.digest()).as("message %d whole", i).isEqualTo(wireForm(octets.get(i)).digest());
                }
            }
        }

        @Test
        void nothingIsRemovedWithoutAnUpdate() throws Exception {
            seed("alice", "Subject: one\r\n\r\n1\r\n");
            seed("alice", "Subject: two\r\n\r\n2\r\n");
            try (Maildrop maildrop = store().open("alice")) {
                for (MessageInfo message : maildrop.messages()) {
                    read(maildrop, message);
                }
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(next.messages()).hasSize(2);
            }
        }

        @Test
        void retrievedMessagesAreNotRemoved() throws Exception {
            seed("alice", "Subject: one\r\n\r\n1\r\n");
            seed("alice", "Subject: two\r\n\r\n2\r\n");
            List<MessageInfo> listed;
            try (Maildrop maildrop = store().open("alice")) {
                listed = List.copyOf(maildrop.messages());
                assertThat(maildrop.update(Set.of(), Set.copyOf(listed)).isComplete()).isTrue();
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(uids(next.messages())).containsExactlyInAnyOrderElementsOf(uids(listed));
            }
        }

        @Test
        void aMessageRemovedBehindTheStoreAndDeletedIsGoneAndTheRestIsUntouched() throws Exception {
            MessageInfo first = seed("alice", "Subject: one\r\n\r\n1\r\n");
            MessageInfo second = seed("alice", "Subject: two\r\n\r\n2\r\n");
            try (Maildrop maildrop = store().open("alice")) {
                under.removeBehindTheStore("alice", first.uid());
                maildrop.update(Set.of(find(maildrop.messages(), first)), Set.of());
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(uids(next.messages())).containsExactly(second.uid());
            }
        }

        @Test
        void aMessageThatCannotBeRemovedIsReportedAndStaysWhileTheOthersGo() throws Exception {
            byte[] keptOctets = ascii("Subject: two\r\n\r\nthis one stays\r\n");
            MessageInfo first = seed("alice", "Subject: one\r\n\r\n1\r\n");
            MessageInfo kept = seed("alice", keptOctets);
            MessageInfo third = seed("alice", "Subject: three\r\n\r\n3\r\n");
            boolean canFail;
            try (Maildrop maildrop = store().open("alice")) {
                // A store that offers no way to make a removal fail must remove all three and say so.
                canFail = under.preventRemoval("alice", kept.uid());
                List<MessageInfo> listed = maildrop.messages();
                UpdateResult result = maildrop.update(Set.of(find(listed, first), find(listed, kept),
                        find(listed, third)), Set.of());
                if (canFail) {
                    assertThat(uids(List.copyOf(result.notRemoved()))).as("reported as not removed")
                            .containsExactly(kept.uid());
                } else {
                    assertThat(result.isComplete()).as("every removal done").isTrue();
                }
            }
            try (Maildrop next = store().open("alice")) {
                if (canFail) {
                    assertThat(uids(next.messages())).containsExactly(kept.uid());
                } else {
                    assertThat(next.messages()).isEmpty();
                }
            }
        }

        private static MessageInfo find(List<MessageInfo> listed, MessageInfo seeded) {
            return listed.stream().filter(m -> m.uid().equals(seeded.uid())).findFirst()
                    .orElseGet(() -> fail("message " + seeded.uid() + " is not listed: " + uids(listed)));
        }
    }

    /**
     * The times a retention policy reads ({@code Maildrop.arrived}, {@code Maildrop.firstRetrieved}) for a store that
     * reports them ({@link MailboxStore#messageTimes()}), and {@code Maildrop.expire}. Times are compared with this
     * machine's clock, allowing a few seconds for clocks that count whole seconds or are the database's.
     */
    @Nested
    class MessageTimes {

        private static final Duration SLACK = Duration.ofSeconds(5);

        private void assumeReported(MailboxStore.MessageTime time) {
            assumeTrue(store().messageTimes().contains(time),
                    "the store does not report " + time + " (MailboxStore.messageTimes)");
        }

        private void assertAround(Optional<Instant> time, Instant from, Instant to, String what) {
            assertThat(time).as(what).isPresent();
            assertThat(time.get()).as(what).isBetween(from.minus(SLACK), to.plus(SLACK));
        }

        @Test
        void aMessageArrivedWhenItWasPutIn() throws Exception {
            assumeReported(MailboxStore.MessageTime.ARRIVAL);
            Instant before = Instant.now();
            MessageInfo seeded = seed("alice", "Subject: one\r\n\r\n1\r\n");
            Instant after = Instant.now();
            try (Maildrop maildrop = store().open("alice")) {
                assertAround(maildrop.arrived(Update.find(maildrop.messages(), seeded)), before, after, "arrived");
            }
        }

        @Test
        void theFirstRetrievalIsRecordedByTheUpdateAndKeptThroughLaterOnes() throws Exception {
            assumeReported(MailboxStore.MessageTime.FIRST_RETRIEVAL);
            MessageInfo read = seed("alice", "Subject: read\r\n\r\n1\r\n");
            MessageInfo unread = seed("alice", "Subject: unread\r\n\r\n2\r\n");
            Instant before = Instant.now();
            try (Maildrop maildrop = store().open("alice")) {
                assertThat(maildrop.firstRetrieved(Update.find(maildrop.messages(), read))).as("before any")
                        .isEmpty();
                assertThat(maildrop.update(Set.of(), Set.of(Update.find(maildrop.messages(), read))).isComplete())
                        .isTrue();
            }
            Instant after = Instant.now();
            Instant first;
            try (Maildrop next = store().open("alice")) {
                Optional<Instant> recorded = next.firstRetrieved(Update.find(next.messages(), read));
                assertAround(recorded, before, after, "first retrieval");
                first = recorded.get();
                assertThat(next.firstRetrieved(Update.find(next.messages(), unread))).as("never retrieved").isEmpty();
                next.update(Set.of(), Set.copyOf(next.messages()));
            }
            try (Maildrop again = store().open("alice")) {
                assertThat(again.firstRetrieved(Update.find(again.messages(), read))).as("the first one counts")
                        .contains(first);
                assertThat(again.firstRetrieved(Update.find(again.messages(), unread))).isPresent();
            }
        }

        @Test
        void aSessionThatEndsWithoutAnUpdateRecordsNoRetrieval() throws Exception {
            assumeReported(MailboxStore.MessageTime.FIRST_RETRIEVAL);
            MessageInfo seeded = seed("alice", "Subject: one\r\n\r\n1\r\n");
            try (Maildrop maildrop = store().open("alice")) {
                read(maildrop, Update.find(maildrop.messages(), seeded));
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(next.firstRetrieved(Update.find(next.messages(), seeded))).isEmpty();
            }
        }

        @Test
        void expireRemovesTheMessagesNamedAndTheSessionGoesOnToItsUpdate() throws Exception {
            assumeTrue(!store().messageTimes().isEmpty(), "the store reports no message times, so it need not "
                    + "implement Maildrop.expire");
            MessageInfo expired = seed("alice", "Subject: expired\r\n\r\n1\r\n");
            MessageInfo deleted = seed("alice", "Subject: deleted\r\n\r\n2\r\n");
            byte[] keptOctets = ascii("Subject: kept\r\n\r\n3\r\n");
            MessageInfo kept = seed("alice", keptOctets);
            try (Maildrop maildrop = store().open("alice")) {
                List<MessageInfo> listed = List.copyOf(maildrop.messages());
                UpdateResult result = maildrop.expire(Set.of(Update.find(listed, expired)));
                assertThat(result).isNotNull();
                assertThat(result.isComplete()).as("the expired message was removed").isTrue();
                assertThat(maildrop.messages()).as("the session's list stays as it was").isEqualTo(listed);
                assertThat(read(maildrop, Update.find(listed, kept)).digest()).isEqualTo(wireForm(keptOctets).digest());
                assertThat(maildrop.update(Set.of(Update.find(listed, deleted)), Set.of(Update.find(listed, kept)))
                        .isComplete()).isTrue();
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(uids(next.messages())).containsExactly(kept.uid());
            }
        }
    }

    /** A message removed by someone else during a session. */
    @Nested
    class Gone {

        @Test
        void aMessageRemovedDuringTheSessionIsGoneAndTheSessionGoesOn() throws Exception {
            MessageInfo removed = seed("alice", "Subject: one\r\n\r\n1\r\n");
            MessageInfo other = seed("alice", "Subject: two\r\n\r\n2\r\n");
            try (Maildrop maildrop = store().open("alice")) {
                under.removeBehindTheStore("alice", removed.uid());
                MessageInfo gone = Update.find(maildrop.messages(), removed);
                MessageInfo stays = Update.find(maildrop.messages(), other);

                assertThat(failureOf(() -> maildrop.content(gone))).isEqualTo(StoreException.Kind.GONE);
                assertThat(read(maildrop, stays).size()).isEqualTo(stays.size());
                maildrop.update(Set.of(gone), Set.of(stays));
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(uids(next.messages())).containsExactly(other.uid());
            }
        }
    }

    /** Many sessions at once. */
    @Nested
    class Concurrency {

        @Test
        void manySessionsOfDifferentMailboxesRunAtOnce() throws Exception {
            int mailboxes = 16;
            for (int i = 0; i < mailboxes; i++) {
                for (int j = 0; j < 3; j++) {
                    seed(String.format("user%02d", i), "Subject: " + j + "\r\n\r\nfor user " + i + "\r\n");
                }
            }
            ExecutorService threads = threads(mailboxes);
            try {
                CyclicBarrier start = new CyclicBarrier(mailboxes);
                List<Future<Integer>> sessions = new ArrayList<>();
                for (int i = 0; i < mailboxes; i++) {
                    String mailbox = String.format("user%02d", i);
                    sessions.add(threads.submit(() -> {
                        start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        try (Maildrop maildrop = store().open(mailbox)) {
                            for (MessageInfo message : maildrop.messages()) {
                                assertThat(read(maildrop, message).size()).isEqualTo(message.size());
                            }
                            maildrop.update(Set.of(maildrop.messages().get(0)), Set.of());
                            return maildrop.messages().size();
                        }
                    }));
                }
                for (Future<Integer> session : sessions) {
                    assertThat(within(session)).isEqualTo(3);
                }
            } finally {
                shutdown(threads);
            }
            for (int i = 0; i < mailboxes; i++) {
                try (Maildrop maildrop = store().open(String.format("user%02d", i))) {
                    assertThat(maildrop.messages()).hasSize(2);
                }
            }
        }

        @Test
        void twoSessionsRacingForOneMailboxNeverBothHoldIt() throws Exception {
            seed("alice", "Subject: one\r\n\r\n1\r\n");
            ExecutorService threads = threads(2);
            try {
                for (int round = 0; round < 100; round++) {
                    CyclicBarrier start = new CyclicBarrier(2);
                    CyclicBarrier tried = new CyclicBarrier(2);
                    Callable<Boolean> contender = () -> {
                        start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        Maildrop maildrop = null;
                        try {
                            maildrop = store().open("alice");
                        } catch (StoreException e) {
                            assertThat(e.kind()).as("the loser's failure").isEqualTo(StoreException.Kind.IN_USE);
                        }
                        // The winner holds on until the other has tried.
                        tried.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        if (maildrop != null) {
                            maildrop.close();
                        }
                        return maildrop != null;
                    };
                    Future<Boolean> one = threads.submit(contender);
                    Future<Boolean> two = threads.submit(contender);
                    boolean first = within(one);
                    boolean second = within(two);
                    assertThat(first && second).as("both held the mailbox in round %d", round).isFalse();
                    assertThat(first || second).as("neither got the mailbox in round %d", round).isTrue();
                }
            } finally {
                shutdown(threads);
            }
        }
    }

    /** Content is streamed, never held whole. */
    @Nested
    class Streaming {

        @Test
        void aLargeMessageIsStreamedThroughASmallBuffer() throws Exception {
            long size = largeMessageSize();
            WireForm.Result expected = WireForm.of(new GeneratedMessage(size), 64 * 1024, false);
            MessageInfo seeded = under.seed("alice", new GeneratedMessage(size));
            assertThat(seeded.size()).as("size returned by seeding").isEqualTo(expected.size());
            try (Maildrop maildrop = store().open("alice")) {
                MessageInfo message = maildrop.messages().get(0);
                assertThat(message.size()).as("listed size").isEqualTo(expected.size());
                WireForm.Result read = WireForm.of(maildrop.content(message), SMALL_BUFFER, false);
                assertThat(read.size()).as("octets POP3 sends").isEqualTo(expected.size());
                assertThat(read.digest()).as("content").isEqualTo(expected.digest());
            }
        }
    }

    /** {@link Delivery}, for stores that offer it. */
    @Nested
    class Deliveries {

        private Delivery delivery() {
            assumeTrue(store() instanceof Delivery, "the store under test is not a Delivery");
            return (Delivery) store();
        }

        @Test
        void deliveredMailWaitsForTheNextSessionAndNeedsNoHold() throws Exception {
            Delivery delivery = delivery();
            MessageInfo before = delivery.deliver("alice", new ByteArrayInputStream(ascii("Subject: 1\n\nbefore\n")));
            MessageInfo during;
            try (Maildrop maildrop = store().open("alice")) {
                during = delivery.deliver("alice", new ByteArrayInputStream(ascii("Subject: 2\n\nduring\n")));
                assertThat(uids(maildrop.messages())).containsExactly(before.uid());
            }
            try (Maildrop next = store().open("alice")) {
                assertThat(idsAndSizes(next.messages())).containsExactlyInAnyOrderElementsOf(
                        idsAndSizes(List.of(before, during)));
            }
        }

        @Test
        void aMessageWhoseStreamFailsIsNotDelivered() throws Exception {
            Delivery delivery = delivery();
            MessageInfo earlier = delivery.deliver("alice", new ByteArrayInputStream(ascii("Subject: 1\n\nok\n")));
            IOException broken = new IOException("the sender went away");
            InputStream failing = new SequenceInputStream(new ByteArrayInputStream(new byte[200_000]),
                    new InputStream() {
                        @Override
                        public int read() throws IOException {
                            throw broken;
                        }
                    });

            assertThat(catchThrowable(() -> delivery.deliver("alice", failing))).as("what deliver threw")
                    .isInstanceOf(IOException.class);
            try (Maildrop next = store().open("alice")) {
                assertThat(uids(next.messages())).containsExactly(earlier.uid());
            }
        }

        @Test
        void deliveriesFromManyThreadsAllArriveWithDistinctUniqueIds() throws Exception {
            Delivery delivery = delivery();
            ExecutorService threads = threads(8);
            Set<String> delivered = new HashSet<>();
            try {
                List<Future<MessageInfo>> deliveries = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    byte[] octets = ascii("Subject: " + i + "\n\nmessage " + i + "\n");
                    deliveries.add(threads.submit(() -> delivery.deliver("alice", new ByteArrayInputStream(octets))));
                }
                for (Future<MessageInfo> future : deliveries) {
                    delivered.add(within(future).uid());
                }
            } finally {
                shutdown(threads);
            }
            assertThat(delivered).hasSize(200);
            try (Maildrop next = store().open("alice")) {
                assertThat(uids(next.messages())).containsExactlyInAnyOrderElementsOf(delivered);
            }
        }
    }

    /**
     * A message of a given size made up as it is read: lines of varying length ending with LF, some beginning with a
     * dot, the last one ending the message. The same size always gives the same octets.
     */
    static final class GeneratedMessage extends InputStream {
        private static final byte[] BLOCK = block();
        private final long size;
        private long position;

        GeneratedMessage(long size) {
            this.size = size;
        }

        private static byte[] block() {
            byte[] block = new byte[4096];
            String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -=+.,;";
            int line = 0;
            int column = 0;
            for (int i = 0; i < block.length; i++) {
                int length = 20 + (line * 37) % 90;
                if (i == block.length - 1 || column == length) {
                    block[i] = '\n';
                    line++;
                    column = 0;
                } else {
                    block[i] = (byte) (column == 0 && line % 7 == 3 ? '.' : alphabet.charAt((i + line) % alphabet.length()));
                    column++;
                }
            }
            return block;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                long at = position + i;
                b[off + i] = at == size - 1 ? (byte) '\n' : BLOCK[(int) (at % BLOCK.length)];
            }
            position += n;
            return n;
        }
    }
}
