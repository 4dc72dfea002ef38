package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import dev.poplar.pop3.store.maildir.internal.LockState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static dev.poplar.pop3.store.maildir.MaildirStoreTest.bytes;
import static dev.poplar.pop3.store.maildir.MaildirStoreTest.failureOf;
import static dev.poplar.pop3.store.maildir.MaildirStoreTest.uids;
import static org.assertj.core.api.Assertions.assertThat;

/** The message times a retention policy needs, and expiry, on real Maildir files. */
class MaildirRetentionTest {

    static final String TIMES = "poplar-retrieved";

    @TempDir
    Path root;

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T08:00:00Z"));
    final Clock clock = ((InstantSource) now::get).withZone(ZoneOffset.UTC);
    MaildirStore store;
    TestMaildir alice;

    @BeforeEach
    void createStore() {
        store = MaildirStore.builder(root).clock(clock).build();
        alice = new TestMaildir(root, "alice");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Retrieves the messages at the given indexes in one session that ends with an update. */
    void retrieve(MaildirStore by, int... indexes) throws StoreException {
        try (Maildrop maildrop = by.open("alice")) {
            List<MessageInfo> messages = maildrop.messages();
            Set<MessageInfo> retrieved = new HashSet<>();
            for (int index : indexes) {
                retrieved.add(messages.get(index));
            }
            assertThat(maildrop.update(Set.of(), retrieved).isComplete()).isTrue();
        }
    }

    List<String> tmpFiles() throws IOException {
        try (Stream<Path> files = Files.list(alice.resolve("tmp"))) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void theStoreReportsBothTimesUnlessRecordingIsOff() {
        assertThat(store.messageTimes()).containsExactlyInAnyOrder(MailboxStore.MessageTime.ARRIVAL,
                MailboxStore.MessageTime.FIRST_RETRIEVAL);
        try (MaildirStore quiet = MaildirStore.builder(root).recordRetrievalTimes(false).build()) {
            assertThat(quiet.messageTimes()).containsExactly(MailboxStore.MessageTime.ARRIVAL);
        }
    }

    @Nested
    class Arrival {

        @Test
        void isTheDeliveryTimeTheFileNameStartsWith() throws Exception {
            String fileName = alice.deliver("one\n");
            Files.setLastModifiedTime(alice.resolve("new/" + fileName), FileTime.from(now.get()));
            try (Maildrop maildrop = store.open("alice")) {
                long seconds = Long.parseLong(fileName.substring(0, fileName.indexOf('.')));
                assertThat(maildrop.arrived(maildrop.messages().get(0))).contains(Instant.ofEpochSecond(seconds));
            }
        }

        @Test
        void isTheFilesModificationTimeForANameWithoutAPlausibleTime() throws Exception {
            Instant modified = Instant.parse("2026-02-01T12:00:00Z");
            for (String name : List.of("no-time-here", "12.M1P1.host", "99999999999.M1P1.host")) {
                alice.deliver("cur", name + ":2,", bytes(name + "\n"));
                Files.setLastModifiedTime(alice.resolve("cur/" + name + ":2,"), FileTime.from(modified));
            }
            try (Maildrop maildrop = store.open("alice")) {
                for (MessageInfo message : maildrop.messages()) {
                    assertThat(maildrop.arrived(message)).as(message.uid()).contains(modified);
                }
            }
        }
    }

    @Nested
    class FirstRetrieval {

        @Test
        void isRecordedAtTheUpdateAndSeenByTheNextSessionAndByAnotherStoreOnTheSameFiles() throws Exception {
            String read = alice.deliver("read\n");
            alice.deliver("unread\n");
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.firstRetrieved(maildrop.messages().get(0))).isEmpty();
            }
            Instant first = now.get();
            retrieve(store, 0);
            assertThat(alice.resolve(TIMES)).content().contains(read + " " + first.getEpochSecond());
            try (MaildirStore otherHost = MaildirStore.builder(root).lockHostName("other.example").build();
                 Maildrop maildrop = otherHost.open("alice")) {
                assertThat(maildrop.firstRetrieved(maildrop.messages().get(0))).contains(first);
                assertThat(maildrop.firstRetrieved(maildrop.messages().get(1))).isEmpty();
            }
            assertThat(tmpFiles()).as("the new file was renamed out of tmp/").isEmpty();
        }

        @Test
        void keepsTheFirstTimeWhenTheMessageIsRetrievedAgainOrFlaggedSeen() throws Exception {
            alice.deliver("read\n");
            Instant first = now.get();
            retrieve(store, 0);
            now.set(first.plusSeconds(86_400));
            try (MaildirStore seeing = MaildirStore.builder(root).markRetrievedSeen(true).clock(clock).build()) {
                retrieve(seeing, 0);
                try (Maildrop maildrop = seeing.open("alice")) {
                    assertThat(maildrop.firstRetrieved(maildrop.messages().get(0))).contains(first);
                }
            }
            try (Stream<Path> cur = Files.list(alice.resolve("cur"))) {
                assertThat(cur.map(p -> p.getFileName().toString())).singleElement().asString().endsWith(":2,S");
            }
        }

        @Test
        void messagesDeletedOrRemovedByAnotherClientLeaveTheFile() throws Exception {
            String deleted = alice.deliver("deleted\n");
            String removedElsewhere = alice.deliver("removed by IMAP\n");
            String kept = alice.deliver("kept\n");
            retrieve(store, 0, 1, 2);
            assertThat(alice.resolve(TIMES)).content().contains(deleted, removedElsewhere, kept);
            Files.delete(alice.resolve("new/" + removedElsewhere));
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.update(Set.of(maildrop.messages().get(0)), Set.of()).isComplete()).isTrue();
            }
            assertThat(alice.resolve(TIMES)).content().contains(kept).doesNotContain(deleted)
                    .doesNotContain(removedElsewhere);
        }

        @Test
        void isNotRecordedWhenRecordingIsOff() throws Exception {
            alice.deliver("read\n");
            try (MaildirStore quiet = MaildirStore.builder(root).recordRetrievalTimes(false).build()) {
                retrieve(quiet, 0);
            }
            assertThat(alice.resolve(TIMES)).doesNotExist();
        }

        @Test
        void aLinkPlantedInPlaceOfTheFileIsNeitherFollowedNorWrittenThroughButReplaced() throws Exception {
            Path elsewhere = Files.writeString(root.resolve("outside"), "someone else's file\n");
            String message = alice.deliver("read\n");
            Files.createSymbolicLink(alice.resolve(TIMES), elsewhere);
            retrieve(store, 0);
            assertThat(elsewhere).hasContent("someone else's file");
            assertThat(alice.resolve(TIMES)).isRegularFile().content().contains(message);
        }

        @Test
        void aFileFarLargerThanTheMailboxCouldNeedIsIgnoredAndReplaced() throws Exception {
            String message = alice.deliver("read\n");
            byte[] line = (message + " 1000000000\n").getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = Files.newOutputStream(alice.resolve(TIMES))) {
                for (long written = 0; written <= (4 << 20) + 512; written += line.length) {
                    out.write(line);
                }
            }
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.firstRetrieved(maildrop.messages().get(0))).isEmpty();
            }
            retrieve(store, 0);
            assertThat(Files.size(alice.resolve(TIMES))).isLessThan(1024);
            assertThat(alice.resolve(TIMES)).content().contains(message + " " + now.get().getEpochSecond());
        }

        @Test
        void linesThatAreNotTimesAreSkipped() throws Exception {
            String message = alice.deliver("read\n");
            Files.writeString(alice.resolve(TIMES), "garbage\n" + message + " not-a-number\n\n");
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.firstRetrieved(maildrop.messages().get(0))).isEmpty();
            }
        }
    }

    @Nested
    class Expire {

        @Test
        void removesTheMessagesNamedAndNothingElse() throws Exception {
            String old = alice.deliver("old\n");
            String recent = alice.deliver("recent\n");
            try (Maildrop maildrop = store.open("alice")) {
                UpdateResult result = maildrop.expire(Set.of(maildrop.messages().get(0)));
                assertThat(result.isComplete()).isTrue();
                assertThat(uids(maildrop)).as("the session's list stays as it was").containsExactly(old, recent);
            }
            assertThat(alice.resolve("new/" + old)).doesNotExist();
            assertThat(alice.resolve("new/" + recent)).hasContent("recent");
            try (Maildrop next = store.open("alice")) {
                assertThat(uids(next)).containsExactly(recent);
            }
        }

        @Test
        void withFlagTrashedExpiredMessagesAreFlaggedAsDeletedOnesAre() throws Exception {
            String old = alice.deliver("old\n");
            try (MaildirStore flagging = MaildirStore.builder(root).deletedMessages(DeletedMessages.FLAG_TRASHED)
                    .build()) {
                try (Maildrop maildrop = flagging.open("alice")) {
                    assertThat(maildrop.expire(Set.copyOf(maildrop.messages())).isComplete()).isTrue();
                }
                try (Maildrop next = flagging.open("alice")) {
                    assertThat(next.messages()).isEmpty();
                }
            }
            assertThat(alice.resolve("cur/" + old + ":2,T")).hasContent("old");
        }

        @Test
        void aSessionWhoseLockWasTakenOverRemovesNothing() throws Exception {
            String message = alice.deliver("one\n");
            try (Maildrop maildrop = store.open("alice")) {
                Path lockFile = alice.resolve("poplar.lock");
                Files.delete(lockFile);
                Files.write(lockFile, LockState.render("other.example", 7, "elsewhere-1", Instant.now()));
                assertThat(failureOf(() -> maildrop.expire(Set.copyOf(maildrop.messages()))))
                        .isEqualTo(StoreException.Kind.TEMPORARY);
            }
            assertThat(alice.resolve("new/" + message)).hasContent("one");
        }

        @Test
        void theTimesOfExpiredMessagesLeaveTheFileAtTheNextUpdate() throws Exception {
            String expired = alice.deliver("expired\n");
            String kept = alice.deliver("kept\n");
            retrieve(store, 0, 1);
            try (Maildrop maildrop = store.open("alice")) {
                maildrop.expire(Set.of(maildrop.messages().get(0)));
                maildrop.update(Set.of(), Set.of(maildrop.messages().get(1)));
            }
            assertThat(alice.resolve(TIMES)).content().contains(kept).doesNotContain(expired);
        }
    }
}
