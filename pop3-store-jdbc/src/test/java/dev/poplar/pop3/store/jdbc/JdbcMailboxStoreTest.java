package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;

import static dev.poplar.pop3.store.jdbc.Contents.failureOf;
import static dev.poplar.pop3.store.jdbc.Contents.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class JdbcMailboxStoreTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    TestSchema db;
    JdbcMailboxStore store;

    @BeforeEach
    void createStore(TestSchema db) throws StoreException {
        this.db = db;
        this.store = db.store();
    }

    MessageInfo deliver(String mailbox, byte[] octets) throws Exception {
        return store.deliver(mailbox, new ByteArrayInputStream(octets));
    }

    MessageInfo deliver(String mailbox, String text) throws Exception {
        return store.deliver(mailbox, text(text));
    }

    List<String> uidsIn(String mailbox) throws StoreException {
        try (Maildrop maildrop = store.open(mailbox)) {
            return maildrop.messages().stream().map(MessageInfo::uid).toList();
        }
    }

    @Nested
    class Opening {

        @Test
        void aMailboxThatWasNeverWrittenToOpensEmpty() throws Exception {
            try (Maildrop maildrop = store.open("nobody-yet")) {
                assertThat(maildrop.messages()).isEmpty();
            }
        }

        @Test
        void theListingHoldsEveryMessageInDeliveryOrderWithTheInfoDeliveryReturned() throws Exception {
            List<MessageInfo> delivered = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                delivered.add(deliver("alice", "Subject: " + i + "\n\nbody " + "x".repeat(i) + "\n"));
            }
            deliver("bob", "Subject: not alice's\n\n");
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.messages()).containsExactlyElementsOf(delivered);
            }
        }

        @Test
        void mailboxNamesAreCaseSensitiveAndMayBeAnyPrintableUnicode() throws Exception {
            deliver("Alice", "one\n");
            deliver("ålice@example.org", "two\n");
            assertThat(uidsIn("alice")).isEmpty();
            assertThat(uidsIn("Alice")).hasSize(1);
            assertThat(uidsIn("ålice@example.org")).hasSize(1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "tab\there", "new\nline", "del\u007F", "lone\uD800surrogate"})
        void anInvalidMailboxNameIsPermanentForOpenAndDelivery(String name) {
            assertThat(failureOf(() -> store.open(name))).isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(failureOf(() -> store.deliver(name, text("x\n")))).isEqualTo(StoreException.Kind.PERMANENT);
        }

        @Test
        void aNameLongerThan255CharactersIsPermanent() {
            assertThat(failureOf(() -> store.open("a".repeat(256)))).isEqualTo(StoreException.Kind.PERMANENT);
        }

        @Test
        void withoutCreationAMissingMailboxIsPermanentAndAnExistingOneOpens() throws Exception {
            deliver("existing", "hello\n");
            JdbcMailboxStore strict = db.build(db.builder().createMissingMailboxes(false));
            assertThat(failureOf(() -> strict.open("missing"))).isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(failureOf(() -> strict.deliver("missing", text("x\n")))).isEqualTo(StoreException.Kind.PERMANENT);
            try (Maildrop maildrop = strict.open("existing")) {
                assertThat(maildrop.messages()).hasSize(1);
            }
            assertThat(db.number("SELECT count(*) FROM %s.mailbox WHERE name = 'missing'")).isZero();
        }

        @Test
        void everyOperationMayBlock() {
            for (MailboxStore.Operation operation : MailboxStore.Operation.values()) {
                assertThat(store.mayBlock(operation)).as(operation.name()).isTrue();
            }
        }

        @Test
        void aClosedStoreRefusesToOpenOrDeliver() {
            store.close();
            assertThatThrownBy(() -> store.open("alice")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> store.deliver("alice", text("x\n"))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class Snapshot {

        @Test
        void mailDeliveredDuringASessionAppearsOnlyInTheNextSession() throws Exception {
            MessageInfo first = deliver("alice", "first\n");
            MessageInfo late;
            try (Maildrop maildrop = store.open("alice")) {
                late = deliver("alice", "late\n");
                assertThat(maildrop.messages()).containsExactly(first);
            }
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.messages()).containsExactly(first, late);
            }
        }

        @Test
        void theListCannotBeChanged() throws Exception {
            deliver("alice", "one\n");
            try (Maildrop maildrop = store.open("alice")) {
                assertThatThrownBy(() -> maildrop.messages().remove(0))
                        .isInstanceOf(UnsupportedOperationException.class);
            }
        }

        @Test
        void aMessageRemovedBySomeoneElseStaysListedButReadsAsGone() throws Exception {
            MessageInfo kept = deliver("alice", "kept\n");
            MessageInfo removed = deliver("alice", "removed\n");
            try (Maildrop maildrop = store.open("alice")) {
                db.execute("DELETE FROM %s.message WHERE uid = ?", removed.uid());
                assertThat(maildrop.messages()).containsExactly(kept, removed);
                assertThat(failureOf(() -> maildrop.content(removed))).isEqualTo(StoreException.Kind.GONE);
                assertThat(Contents.read(maildrop.content(kept), 64)).isEqualTo("kept\n".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Nested
    class Content {

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 65_535, 65_536, 65_537, 4 * 65_536, 4 * 65_536 + 1, 9 * 65_536 + 12_345})
        void readsBackExactlyTheDeliveredOctetsAcrossChunkAndBatchBoundaries(int length) throws Exception {
            byte[] octets = Contents.patterned(length, length);
            MessageInfo info = deliver("alice", octets);
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(Contents.read(maildrop.content(info), 8_192)).isEqualTo(octets);
                assertThat(Contents.read(maildrop.content(info), 100_003)).isEqualTo(octets);
            }
            assertThat(db.number("SELECT count(*) FROM %s.message_chunk")).isEqualTo((length + 65_535) / 65_536);
        }

        @Test
        void readsOctetByOctet() throws Exception {
            byte[] octets = Contents.patterned(3_000, 7);
            MessageInfo info = deliver("alice", octets);
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(Contents.read(maildrop.content(info), 1)).isEqualTo(octets);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "Subject: crlf\r\n\r\nbody\r\n",
            "Subject: lf\n\nbody\n",
            "Subject: mixed\r\n\nbody\r\n",
            "Subject: no final line end\r\n\r\nbody",
            "Subject: dots\r\n\r\n.leading dot\r\n..two\r\n",
            ".",
            "\n",
            "\r\n",
            "",
            "Subject: bare CR\r\n\r\nbody\rstill body\r\n"
        })
        void theSizeIsWhatPop3SendsAndWireReadyIsTrueOnlyForWireFormWithoutLeadingDots(String message)
                throws Exception {
            byte[] octets = message.getBytes(StandardCharsets.UTF_8);
            MessageInfo info = deliver("alice", octets);
            assertThat(info.size()).isEqualTo(Contents.wireForm(octets).length);
            try (Maildrop maildrop = store.open("alice")) {
                MessageInfo listed = maildrop.messages().get(0);
                assertThat(listed.size()).isEqualTo(Contents.wireForm(octets).length);
                MessageContent content = maildrop.content(listed);
                assertThat(content.wireReady()).isEqualTo(Contents.wireReady(octets));
                assertThat(Contents.read(content, 16)).isEqualTo(octets);
            }
        }

        @Test
        void aMessageRemovedWhileItIsReadFailsTheReadAndTheSessionGoesOn() throws Exception {
            byte[] big = Contents.patterned(10 * 65_536, 1);
            MessageInfo doomed = deliver("alice", big);
            MessageInfo other = deliver("alice", "other\n");
            try (Maildrop maildrop = store.open("alice")) {
                MessageContent content = maildrop.content(doomed);
                ReadableByteChannel channel = content.channel();
                ByteBuffer buffer = ByteBuffer.allocate(65_536);
                assertThat(channel.read(buffer)).isEqualTo(65_536);
                db.execute("DELETE FROM %s.message WHERE uid = ?", doomed.uid());
                assertThatThrownBy(() -> {
                    buffer.clear();
                    while (channel.read(buffer) >= 0) {
                        buffer.clear();
                    }
                }).isInstanceOf(IOException.class).hasMessageContaining("removed while it was read");
                content.close();
                assertThat(Contents.read(maildrop.content(other), 64)).isEqualTo("other\n".getBytes(StandardCharsets.UTF_8));
            }
        }

        @Test
        void aContentClosedEarlyCanBeOpenedAgain() throws Exception {
            byte[] octets = Contents.patterned(300_000, 3);
            MessageInfo info = deliver("alice", octets);
            try (Maildrop maildrop = store.open("alice")) {
                MessageContent content = maildrop.content(info);
                content.channel().read(ByteBuffer.allocate(10));
                content.close();
                assertThat(content.channel().isOpen()).isFalse();
                assertThat(Contents.read(maildrop.content(info), 4_096)).isEqualTo(octets);
            }
        }

        @Test
        void aMessageOfAnotherMaildropIsRejected() throws Exception {
            MessageInfo bobs = deliver("bob", "bob's\n");
            deliver("alice", "alice's\n");
            try (Maildrop alice = store.open("alice")) {
                assertThatThrownBy(() -> alice.content(bobs)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> alice.content(new MessageInfo("forged", 3)))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> alice.update(Set.of(bobs), Set.of()))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            assertThat(uidsIn("bob")).containsExactly(bobs.uid());
        }
    }

    @Nested
    class UniqueIds {

        @Test
        void uniqueIdsAreValidAndDistinct() throws Exception {
            Set<String> uids = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                uids.add(deliver("alice", "same content\n").uid());
            }
            assertThat(uids).hasSize(200).allSatisfy(uid -> {
                assertThat(uid).hasSizeBetween(1, 70);
                assertThat(uid.chars()).allMatch(c -> c >= 0x21 && c <= 0x7E);
            });
        }

        @Test
        void uniqueIdsAreStableAcrossSessionsAndStoreInstances() throws Exception {
            for (int i = 0; i < 3; i++) {
                deliver("alice", "message " + i + "\n");
            }
            List<String> first = uidsIn("alice");
            assertThat(uidsIn("alice")).isEqualTo(first);
            JdbcMailboxStore other = db.store();
            try (Maildrop maildrop = other.open("alice")) {
                assertThat(maildrop.messages()).extracting(MessageInfo::uid).isEqualTo(first);
            }
        }

        @Test
        void aMessageDeliveredAgainAfterDeletionGetsANewUniqueId() throws Exception {
            MessageInfo original = deliver("alice", "same\n");
            try (Maildrop maildrop = store.open("alice")) {
                maildrop.update(Set.copyOf(maildrop.messages()), Set.of());
            }
            MessageInfo again = deliver("alice", "same\n");
            assertThat(again.uid()).isNotEqualTo(original.uid());
        }
    }

    @Nested
    class Retention {

        @Test
        void theStoreReportsBothTimes() {
            assertThat(store.messageTimes()).containsExactlyInAnyOrder(MailboxStore.MessageTime.ARRIVAL,
                    MailboxStore.MessageTime.FIRST_RETRIEVAL);
        }

        @Test
        void timesAreTheColumnsAndAnotherNodeSeesTheFirstRetrieval() throws Exception {
            MessageInfo read = deliver("alice", "read\n");
            MessageInfo unread = deliver("alice", "unread\n");
            db.execute("UPDATE %s.message SET delivered = TIMESTAMP WITH TIME ZONE '2026-01-02 03:04:05+00'"
                    + " WHERE uid = ?", read.uid());
            try (Maildrop maildrop = store.open("alice")) {
                maildrop.update(Set.of(), Set.of(read));
            }
            Instant recorded = ((java.sql.Timestamp) db.queryOne("SELECT retrieved FROM %s.message WHERE uid = ?",
                    read.uid())).toInstant();
            JdbcMailboxStore otherNode = db.store();
            try (Maildrop maildrop = otherNode.open("alice")) {
                assertThat(maildrop.arrived(read)).contains(Instant.parse("2026-01-02T03:04:05Z"));
                assertThat(maildrop.firstRetrieved(read)).contains(recorded);
                assertThat(maildrop.firstRetrieved(unread)).isEmpty();
            }
        }

        @Test
        void expireDeletesWithItsContentAndTheUpdateAfterItStillWorks() throws Exception {
            MessageInfo expired = deliver("alice", Contents.patterned(200_000, 3));
            MessageInfo deleted = deliver("alice", "deleted\n");
            MessageInfo kept = deliver("alice", "kept\n");
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.expire(Set.of(expired)).isComplete()).isTrue();
                assertThat(maildrop.update(Set.of(deleted), Set.of(kept)).isComplete()).isTrue();
            }
            assertThat(uidsIn("alice")).containsExactly(kept.uid());
            assertThat(db.number("SELECT count(*) FROM %s.message_chunk")).isEqualTo(1);
        }

        @Test
        void aSessionWhoseHoldWasTakenOverExpiresNothing() throws Exception {
            MessageInfo message = deliver("alice", "one\n");
            try (Maildrop maildrop = store.open("alice")) {
                db.execute("UPDATE %s.mailbox_hold SET token = token + 1");
                assertThat(failureOf(() -> maildrop.expire(Set.of(message)))).isEqualTo(StoreException.Kind.TEMPORARY);
            }
            assertThat(db.number("SELECT count(*) FROM %s.message WHERE uid = ?", message.uid())).isEqualTo(1);
        }
    }

    @Nested
    class Update {

        @Test
        void quitRemovesTheDeletedMessagesWithTheirContentAndKeepsTheOthers() throws Exception {
            MessageInfo one = deliver("alice", Contents.patterned(200_000, 1));
            MessageInfo two = deliver("alice", "two\n");
            MessageInfo three = deliver("alice", "three\n");
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.update(Set.of(one, three), Set.of())).isEqualTo(UpdateResult.complete());
            }
            assertThat(uidsIn("alice")).containsExactly(two.uid());
            assertThat(db.number("SELECT count(*) FROM %s.message_chunk")).isEqualTo(1);
        }

        @Test
        void retrievedMessagesThatStayAreMarkedRetrieved() throws Exception {
            MessageInfo read = deliver("alice", "read\n");
            MessageInfo unread = deliver("alice", "unread\n");
            MessageInfo readAndDeleted = deliver("alice", "gone\n");
            try (Maildrop maildrop = store.open("alice")) {
                maildrop.update(Set.of(readAndDeleted), Set.of(read, readAndDeleted));
            }
            assertThat(db.number("SELECT count(*) FROM %s.message WHERE uid = ? AND retrieved IS NOT NULL",
                    read.uid())).isEqualTo(1);
            assertThat(db.number("SELECT count(*) FROM %s.message WHERE uid = ? AND retrieved IS NULL",
                    unread.uid())).isEqualTo(1);
            assertThat(uidsIn("alice")).containsExactly(read.uid(), unread.uid());
        }

        @Test
        void aMessageAlreadyRemovedBySomeoneElseCountsAsRemoved() throws Exception {
            MessageInfo one = deliver("alice", "one\n");
            MessageInfo two = deliver("alice", "two\n");
            try (Maildrop maildrop = store.open("alice")) {
                db.execute("DELETE FROM %s.message WHERE uid = ?", one.uid());
                assertThat(maildrop.update(Set.of(one, two), Set.of()).isComplete()).isTrue();
            }
            assertThat(uidsIn("alice")).isEmpty();
        }

        @Test
        void mailDeliveredDuringTheSessionSurvivesTheUpdate() throws Exception {
            deliver("alice", "old\n");
            MessageInfo late;
            try (Maildrop maildrop = store.open("alice")) {
                late = deliver("alice", "late\n");
                maildrop.update(Set.copyOf(maildrop.messages()), Set.of());
            }
            assertThat(uidsIn("alice")).containsExactly(late.uid());
        }

        @Test
        void deletingThousandsOfMessagesTakesSeveralStatementsInOneTransaction() throws Exception {
            int count = 2_500;
            long mailboxId = bulkMailbox("bulk", count);
            try (Maildrop maildrop = store.open("bulk")) {
                assertThat(maildrop.messages()).hasSize(count);
                Set<MessageInfo> all = Set.copyOf(maildrop.messages().subList(0, count - 1));
                assertThat(maildrop.update(all, Set.of()).isComplete()).isTrue();
            }
            assertThat(db.number("SELECT count(*) FROM %s.message WHERE mailbox_id = ?", mailboxId)).isEqualTo(1);
        }

        @Test
        void aFailureInTheMiddleOfTheUpdateRemovesNothing() throws Exception {
            List<MessageInfo> messages = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                messages.add(deliver("alice", "message " + i + "\n"));
            }
            refuseDeletionOf(messages.get(2));
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(failureOf(() -> maildrop.update(Set.copyOf(messages), Set.copyOf(messages))))
                        .isEqualTo(StoreException.Kind.TEMPORARY);
            }
            assertThat(uidsIn("alice")).containsExactlyElementsOf(messages.stream().map(MessageInfo::uid).toList());
            assertThat(db.number("SELECT count(*) FROM %s.message WHERE retrieved IS NOT NULL")).isZero();
        }

        @Test
        void anUpdateThatOutlastsTheStatementTimeoutRemovesNothingAndDoesNotHang() throws Exception {
            JdbcMailboxStore quick = db.build(db.builder().statementTimeout(Duration.ofMillis(500)));
            MessageInfo one = quick.deliver("alice", text("one\n"));
            MessageInfo slow = quick.deliver("alice", text("slow\n"));
            db.execute("CREATE FUNCTION %s.slow_delete() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN PERFORM pg_sleep(30); RETURN OLD; END $$");
            db.execute("CREATE TRIGGER slow BEFORE DELETE ON %s.message FOR EACH ROW WHEN (OLD.uid = '"
                    + slow.uid() + "') EXECUTE FUNCTION %s.slow_delete()");
            try (Maildrop maildrop = quick.open("alice")) {
                long start = System.nanoTime();
                assertThat(failureOf(() -> maildrop.update(Set.of(one, slow), Set.of())))
                        .isEqualTo(StoreException.Kind.TEMPORARY);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            }
            assertThat(uidsIn("alice")).containsExactly(one.uid(), slow.uid());
        }

        @Test
        void aConnectionKilledInTheMiddleOfTheUpdateRemovesNothing() throws Exception {
            MessageInfo one = deliver("alice", "one\n");
            MessageInfo stuck = deliver("alice", "stuck\n");
            db.execute("CREATE FUNCTION %s.stuck_delete() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN PERFORM pg_sleep(2.5); RETURN OLD; END $$");
            db.execute("CREATE TRIGGER stuck BEFORE DELETE ON %s.message FOR EACH ROW WHEN (OLD.uid = '"
                    + stuck.uid() + "') EXECUTE FUNCTION %s.stuck_delete()");
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try (Maildrop maildrop = store.open("alice")) {
                Future<StoreException.Kind> update = executor.submit(
                        () -> failureOf(() -> maildrop.update(Set.of(one, stuck), Set.of())));
                long killed = Poll.until(TIMEOUT, () -> {
                    long terminated = db.number("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            + " WHERE query LIKE 'DELETE FROM %s.message %' AND state = 'active'");
                    return terminated > 0 ? Optional.of(terminated) : Optional.empty();
                });
                assertThat(killed).as("backends terminated in the middle of the update").isEqualTo(1);
                assertThat(update.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(StoreException.Kind.TEMPORARY);
            } finally {
                executor.shutdownNow();
            }
            assertThat(uidsIn("alice")).containsExactly(one.uid(), stuck.uid());
        }

        @Test
        void updateIsCalledAtMostOnce() throws Exception {
            MessageInfo one = deliver("alice", "one\n");
            try (Maildrop maildrop = store.open("alice")) {
                maildrop.update(Set.of(), Set.of(one));
                assertThatThrownBy(() -> maildrop.update(Set.of(one), Set.of()))
                        .isInstanceOf(IllegalStateException.class);
            }
            assertThat(uidsIn("alice")).containsExactly(one.uid());
        }

        @Test
        void aSessionWhoseStoreWasClosedCanNoLongerDelete() throws Exception {
            MessageInfo one = deliver("alice", "one\n");
            Maildrop maildrop = store.open("alice");
            store.close();
            JdbcMailboxStore other = db.store();
            assertThat(failureOf(() -> maildrop.update(Set.of(one), Set.of()))).isEqualTo(StoreException.Kind.TEMPORARY);
            maildrop.close();
            try (Maildrop again = other.open("alice")) {
                assertThat(again.messages()).containsExactly(one);
            }
        }

        /** Makes the database refuse to delete one message, as a constraint or a broken disk would. */
        private void refuseDeletionOf(MessageInfo message) throws Exception {
            db.execute("CREATE FUNCTION %s.refuse_delete() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN RAISE EXCEPTION 'refused'; END $$");
            db.execute("CREATE TRIGGER refuse BEFORE DELETE ON %s.message FOR EACH ROW WHEN (OLD.uid = '"
                    + message.uid() + "') EXECUTE FUNCTION %s.refuse_delete()");
        }
    }

    @Nested
    class Hold {

        @Test
        void aSecondOpenOfTheSameMailboxIsInUseUntilTheFirstCloses() throws Exception {
            try (Maildrop first = store.open("alice")) {
                assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                try (Maildrop other = store.open("bob")) {
                    assertThat(other.messages()).isEmpty();
                }
                assertThat(first.messages()).isEmpty();
            }
            store.open("alice").close();
        }

        @Test
        void aSecondStoreOnTheSameDatabaseIsAnotherNodeAndGetsInUse() throws Exception {
            JdbcMailboxStore otherNode = db.store();
            Maildrop first = store.open("alice");
            assertThat(failureOf(() -> otherNode.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            first.close();
            otherNode.open("alice").close();
        }

        @Test
        void closingAMaildropTwiceIsHarmless() throws Exception {
            Maildrop first = store.open("alice");
            first.close();
            Maildrop second = store.open("alice");
            first.close();
            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            second.close();
        }

        @Test
        void closingTheStoreReleasesItsHoldsAtOnce() throws Exception {
            JdbcMailboxStore otherNode = db.store();
            store.open("alice");
            store.open("bob");
            assertThat(failureOf(() -> otherNode.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            store.close();
            otherNode.open("alice").close();
            otherNode.open("bob").close();
            assertThat(db.number("SELECT count(*) FROM %s.store_node")).isEqualTo(1);
        }

        @Test
        void concurrentOpensOfOneMailboxFromTwoNodesAdmitExactlyOne() throws Exception {
            JdbcMailboxStore otherNode = db.store();
            int contenders = 8;
            ExecutorService executor = Executors.newFixedThreadPool(contenders);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Maildrop>> attempts = new ArrayList<>();
            try {
                for (int i = 0; i < contenders; i++) {
                    JdbcMailboxStore node = i % 2 == 0 ? store : otherNode;
                    attempts.add(executor.submit(() -> {
                        start.await();
                        try {
                            return node.open("contended");
                        } catch (StoreException e) {
                            assertThat(e.kind()).isEqualTo(StoreException.Kind.IN_USE);
                            return null;
                        }
                    }));
                }
                start.countDown();
                List<Maildrop> winners = new ArrayList<>();
                for (Future<Maildrop> attempt : attempts) {
                    Maildrop maildrop = attempt.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    if (maildrop != null) {
                        winners.add(maildrop);
                    }
                }
                assertThat(winners).hasSize(1);
                winners.get(0).close();
            } finally {
                executor.shutdownNow();
            }
            otherNode.open("contended").close();
        }

        @Test
        void aSessionWhoseHoldWasTakenOverCannotDeleteAndTheTakeOverStands() throws Exception {
            MessageInfo one = deliver("alice", "one\n");
            try (Maildrop maildrop = store.open("alice")) {
                // As a node that judged this one dead would: the hold row now names another token.
                db.execute("UPDATE %s.mailbox_hold SET token = token + 1000");
                assertThat(failureOf(() -> maildrop.update(Set.of(one), Set.of()))).isEqualTo(StoreException.Kind.TEMPORARY);
            }
            assertThat(db.number("SELECT count(*) FROM %s.mailbox_hold")).as("the other's hold stays").isEqualTo(1);
            assertThat(db.number("SELECT count(*) FROM %s.message")).isEqualTo(1);
        }

        @Test
        void aSessionWhoseNodeLeaseExpiredCannotDeleteEvenBeforeItsNodeNotices() throws Exception {
            MessageInfo one = deliver("alice", "one\n");
            JdbcMailboxStore slow = db.build(db.builder().holdLease(Duration.ofMinutes(10)).heartbeat(Duration.ofMinutes(5)));
            try (Maildrop maildrop = slow.open("alice")) {
                db.execute("UPDATE %s.store_node SET expires = CURRENT_TIMESTAMP - INTERVAL '1' SECOND");
                assertThat(failureOf(() -> maildrop.update(Set.of(one), Set.of()))).isEqualTo(StoreException.Kind.TEMPORARY);
                try (Maildrop takenOver = store.open("alice")) {
                    assertThat(takenOver.messages()).containsExactly(one);
                }
            }
        }

        @Test
        void aNodeThatFindsItsLeaseExpiredMarksItsSessionsLostAndContinuesUnderANewLease() throws Exception {
            MessageInfo one = deliver("alice", "one\n");
            JdbcMailboxStore quick = db.build(db.builder().holdLease(Duration.ofSeconds(2)).heartbeat(Duration.ofMillis(200)));
            try (Maildrop stale = quick.open("alice")) {
                db.execute("UPDATE %s.store_node SET expires = CURRENT_TIMESTAMP - INTERVAL '1' SECOND"
                        + " WHERE expires < CURRENT_TIMESTAMP + INTERVAL '3' SECOND");
                Poll.until(TIMEOUT, () -> db.number("SELECT count(*) FROM %s.store_node"
                        + " WHERE expires > CURRENT_TIMESTAMP") == 2 ? Optional.of(true) : Optional.empty());
                assertThat(db.number("SELECT count(*) FROM %s.store_node")).as("the expired lease is removed")
                        .isEqualTo(2);
                assertThat(db.number("SELECT count(*) FROM %s.mailbox_hold")).as("with its holds").isZero();
                assertThat(failureOf(() -> stale.update(Set.of(one), Set.of()))).isEqualTo(StoreException.Kind.TEMPORARY);
                try (Maildrop again = quick.open("alice")) {
                    assertThat(again.messages()).containsExactly(one);
                }
            }
        }

        @Test
        void terminatingTheStoresDatabaseSessionsKeepsItsHoldsAndItRecoversByItself() throws Exception {
            JdbcMailboxStore mine = db.build(db.builder(db.server().jdbcUrl("postgres") + "?ApplicationName=" + db.name()));
            JdbcMailboxStore otherNode = db.store();
            MessageInfo one = mine.deliver("alice", text("one\n"));
            try (Maildrop maildrop = mine.open("alice")) {
                long terminated = db.number("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE application_name = ?", db.name());
                assertThat(terminated).isPositive();
                assertThat(failureOf(() -> otherNode.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                assertThat(Contents.read(readable(maildrop, one), 64)).isEqualTo("one\n".getBytes(StandardCharsets.UTF_8));
                assertThat(maildrop.update(Set.of(one), Set.of()).isComplete()).isTrue();
            }
            otherNode.open("alice").close();
        }

        /** Opens content, retrying while the pool replaces connections that were terminated. */
        private MessageContent readable(Maildrop maildrop, MessageInfo message) throws Exception {
            return eventually(() -> maildrop.content(message));
        }
    }

    @Nested
    class LargeMailboxListings {

        private static final int LARGE = 1_500;

        @Test
        void anUnchangedLargeMailboxIsServedFromTheCacheAndMatchesAFreshListing() throws Exception {
            bulkMailbox("large", LARGE);
            List<MessageInfo> first;
            try (Maildrop maildrop = store.open("large")) {
                first = maildrop.messages();
            }
            try (Maildrop maildrop = store.open("large")) {
                assertThat(maildrop.messages()).isSameAs(first);
            }
            JdbcMailboxStore uncached = db.build(db.builder().listingCache(0));
            try (Maildrop maildrop = uncached.open("large")) {
                assertThat(maildrop.messages()).isEqualTo(first).isNotSameAs(first);
            }
        }

        @Test
        void newMailExtendsTheCachedListing() throws Exception {
            bulkMailbox("large", LARGE);
            store.open("large").close();
            MessageInfo added = deliver("large", "new\n");
            JdbcMailboxStore otherNode = db.store();
            MessageInfo addedElsewhere = otherNode.deliver("large", text("from another node\n"));
            try (Maildrop maildrop = store.open("large")) {
                assertThat(maildrop.messages()).hasSize(LARGE + 2).endsWith(added, addedElsewhere);
                assertThat(Contents.read(maildrop.content(added), 64)).isEqualTo("new\n".getBytes(StandardCharsets.UTF_8));
            }
        }

        @Test
        void aSessionsOwnRemovalKeepsTheListingCachedAndCorrect() throws Exception {
            bulkMailbox("large", LARGE);
            JdbcMailboxStore uncached = db.build(db.builder().listingCache(0));
            List<MessageInfo> afterRemoval;
            try (Maildrop maildrop = store.open("large")) {
                List<MessageInfo> all = maildrop.messages();
                Set<MessageInfo> deleted = Set.of(all.get(0), all.get(700), all.get(LARGE - 1));
                deliver("large", "arrives during the session\n");
                maildrop.update(deleted, Set.of());
                afterRemoval = new ArrayList<>(all);
                afterRemoval.removeAll(deleted);
            }
            MessageInfo later = deliver("large", "arrives after it\n");
            try (Maildrop fresh = uncached.open("large")) {
                List<MessageInfo> expected = fresh.messages();
                assertThat(expected).hasSize(LARGE - 3 + 2).startsWith(afterRemoval.toArray(MessageInfo[]::new))
                        .endsWith(later);
                fresh.close();
                try (Maildrop cached = store.open("large")) {
                    assertThat(cached.messages()).isEqualTo(expected);
                }
            }
        }

        @Test
        void aRemovalOnAnotherNodeIsSeenAtTheNextOpen() throws Exception {
            bulkMailbox("large", LARGE);
            List<MessageInfo> before;
            try (Maildrop maildrop = store.open("large")) {
                before = maildrop.messages();
            }
            JdbcMailboxStore otherNode = db.store();
            try (Maildrop maildrop = otherNode.open("large")) {
                maildrop.update(Set.of(maildrop.messages().get(7)), Set.of());
            }
            try (Maildrop maildrop = store.open("large")) {
                assertThat(maildrop.messages()).hasSize(LARGE - 1).doesNotContain(before.get(7));
            }
        }

        @Test
        void aDeliveryThatCommitsAfterALaterOneIsNotMissed() throws Exception {
            bulkMailbox("large", LARGE);
            store.open("large").close();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            InputStream slow = new InputStream() {
                private final InputStream octets = text("slow but first\n");

                @Override
                public int read() throws IOException {
                    started.countDown();
                    try {
                        finish.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    return octets.read();
                }
            };
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                Future<MessageInfo> early = executor.submit(() -> store.deliver("large", slow));
                assertThat(started.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                MessageInfo late = deliver("large", "fast but second\n");
                try (Maildrop maildrop = store.open("large")) {
                    assertThat(maildrop.messages()).hasSize(LARGE + 1).endsWith(late);
                }
                finish.countDown();
                MessageInfo slowOne = early.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                try (Maildrop maildrop = store.open("large")) {
                    assertThat(maildrop.messages()).as("in row order: the slow delivery's row came first")
                            .hasSize(LARGE + 2).endsWith(slowOne, late);
                }
            } finally {
                executor.shutdownNow();
            }
        }
    }

    @Nested
    class Delivery {

        @Test
        void aDeliveryWhoseInputFailsLeavesNothingBehind() throws Exception {
            deliver("alice", "before\n");
            InputStream failing = new InputStream() {
                private int sent;

                @Override
                public int read() throws IOException {
                    if (sent++ >= 200_000) {
                        throw new IOException("the client went away");
                    }
                    return 'a' + sent % 26;
                }
            };
            assertThatThrownBy(() -> store.deliver("alice", failing)).isInstanceOf(IOException.class)
                    .hasMessage("the client went away");
            assertThat(uidsIn("alice")).hasSize(1);
            assertThat(db.number("SELECT count(*) FROM %s.message_chunk")).isEqualTo(1);
        }

        @Test
        void anEndlessMessageIsPermanentOnceItPassesTheLimitAndLeavesNothingBehind() throws Exception {
            JdbcMailboxStore small = db.build(db.builder().maxMessageSize(200_000));
            small.deliver("alice", new ByteArrayInputStream(Contents.patterned(200_000, 1)));
            InputStream endless = new InputStream() {
                @Override
                public int read() {
                    return 'x';
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    Arrays.fill(b, off, off + len, (byte) 'x');
                    return len;
                }
            };
            assertThat(failureOf(() -> small.deliver("alice", endless))).isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(failureOf(() -> small.deliver("alice", new ByteArrayInputStream(Contents.patterned(200_001, 1)))))
                    .isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(uidsIn("alice")).hasSize(1);
            assertThat(db.number("SELECT count(*) FROM %s.message_chunk")).isEqualTo(4);
        }

        @Test
        void aMessageIsInvisibleUntilItsDeliveryCompletesAndDeliveryNeedsNoHold() throws Exception {
            CountDownLatch halfway = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            byte[] octets = Contents.patterned(300_000, 5);
            InputStream paused = new InputStream() {
                private final InputStream first = new ByteArrayInputStream(octets, 0, 150_000);
                private final InputStream rest = new ByteArrayInputStream(octets, 150_000, octets.length - 150_000);
                private boolean waited;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = first.read(b, off, len);
                    if (n >= 0) {
                        return n;
                    }
                    if (!waited) {
                        waited = true;
                        halfway.countDown();
                        try {
                            proceed.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    return rest.read(b, off, len);
                }
            };
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try (Maildrop session = store.open("alice")) {
                Future<MessageInfo> delivery = executor.submit(() -> store.deliver("alice", paused));
                assertThat(halfway.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(db.number("SELECT count(*) FROM %s.message")).isZero();
                proceed.countDown();
                MessageInfo info = delivery.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(info.size()).isEqualTo(Contents.wireForm(octets).length);
                assertThat(session.messages()).isEmpty();
            } finally {
                executor.shutdownNow();
            }
            try (Maildrop next = store.open("alice")) {
                assertThat(Contents.read(next.content(next.messages().get(0)), 65_536)).isEqualTo(octets);
            }
        }

        @Test
        void concurrentDeliveriesToOneNewMailboxAllLand() throws Exception {
            int deliveries = 12;
            ExecutorService executor = Executors.newFixedThreadPool(4);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<MessageInfo>> results = new ArrayList<>();
            try {
                for (int i = 0; i < deliveries; i++) {
                    byte[] octets = Contents.patterned(70_000 + i, i);
                    results.add(executor.submit(() -> {
                        start.await();
                        return store.deliver("crowded", new ByteArrayInputStream(octets));
                    }));
                }
                start.countDown();
                Set<String> uids = new HashSet<>();
                for (Future<MessageInfo> result : results) {
                    uids.add(result.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).uid());
                }
                assertThat(uids).hasSize(deliveries);
                assertThat(uidsIn("crowded")).containsExactlyInAnyOrderElementsOf(uids);
            } finally {
                executor.shutdownNow();
            }
            assertThat(db.number("SELECT count(*) FROM %s.mailbox WHERE name = 'crowded'")).isEqualTo(1);
        }

        @Test
        void theReturnedInfoMatchesTheScanOfTheOctets() throws Exception {
            byte[] octets = Contents.patterned(150_000, 9);
            MessageInfo info = deliver("alice", octets);
            assertThat(info.size()).isEqualTo(ContentFacts.of(octets).size());
            assertThat(db.number("SELECT octets FROM %s.message WHERE uid = ?", info.uid())).isEqualTo(octets.length);
        }
    }

    /** Inserts many small messages with SQL, as a bulk import would (counting them, as it must). */
    long bulkMailbox(String name, int count) throws Exception {
        store.open(name).close();
        long mailboxId = db.number("SELECT id FROM %s.mailbox WHERE name = ?", name);
        db.execute("INSERT INTO %s.message (mailbox_id, uid, pop3_size, octets, wire_ready)"
                + " SELECT ?, 'bulk-' || g || '-' || ?, 10, 8, FALSE FROM generate_series(1, ?) g",
                mailboxId, name, count);
        db.execute("UPDATE %s.mailbox SET delivered = delivered + ? WHERE id = ?", count, mailboxId);
        return mailboxId;
    }

    /** Retries a store call that fails with a temporary error until it succeeds or the timeout passes. */
    static <T> T eventually(Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                return call.call();
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.TEMPORARY || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }
}
