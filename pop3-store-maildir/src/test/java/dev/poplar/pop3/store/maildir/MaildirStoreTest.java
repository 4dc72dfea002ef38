package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class MaildirStoreTest {

    @TempDir
    Path root;

    MaildirStore store;
    TestMaildir alice;

    @BeforeEach
    void createStore() {
        store = MaildirStore.builder(root).build();
        alice = new TestMaildir(root, "alice");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static StoreException.Kind failureOf(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(StoreException.class);
        return ((StoreException) thrown).kind();
    }

    static List<String> uids(Maildrop maildrop) {
        return maildrop.messages().stream().map(MessageInfo::uid).toList();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String base(String fileName) {
        int colon = fileName.indexOf(':');
        return colon < 0 ? fileName : fileName.substring(0, colon);
    }

    @Nested
    class Listing {

        @Test
        void servesNewAndCurInDeliveryOrderButNeverTmpOrHiddenFiles() throws Exception {
            alice.deliver("cur", "1700000300.M5P1.host:2,S", "third\n".getBytes(StandardCharsets.US_ASCII));
            alice.deliver("new", "1700000100.M9P1.host", "first\n".getBytes(StandardCharsets.US_ASCII));
            alice.deliver("new", "1700000200.M1P1.host", "second\n".getBytes(StandardCharsets.US_ASCII));
            alice.deliver("cur", "1700000100.M10P1.host:2,", "first and a bit\n".getBytes(StandardCharsets.US_ASCII));
            Files.writeString(alice.resolve("tmp/1700000000.M1P1.host"), "being delivered\n");
            Files.writeString(alice.resolve("cur/.nfs000123"), "not a message\n");

            try (Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly("1700000100.M9P1.host", "1700000100.M10P1.host",
                        "1700000200.M1P1.host", "1700000300.M5P1.host");
            }
        }

        @Test
        void aMessageInBothNewAndCurIsServedOnce() throws Exception {
            String base = alice.nextBase();
            alice.deliver("new", base, "same\n".getBytes(StandardCharsets.US_ASCII));
            alice.deliver("cur", base + ":2,S", "same\n".getBytes(StandardCharsets.US_ASCII));

            try (Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(base);
            }
        }

        @Test
        void aMissingMailboxIsCreatedAndOpensEmpty() throws Exception {
            try (Maildrop maildrop = store.open("bob")) {
                assertThat(maildrop.messages()).isEmpty();
            }
            assertThat(root.resolve("bob/cur")).isDirectory();
            assertThat(root.resolve("bob/new")).isDirectory();
            assertThat(root.resolve("bob/tmp")).isDirectory();
        }

        @Test
        void aMissingMailboxIsPermanentWhenCreationIsOff() {
            try (MaildirStore strict = MaildirStore.builder(root).createMissingMailboxes(false).build()) {
                assertThat(failureOf(() -> strict.open("bob"))).isEqualTo(StoreException.Kind.PERMANENT);
            }
            assertThat(root.resolve("bob")).doesNotExist();
        }

        /** The lock is taken before cur/ and new/ are looked at: a directory that is not a Maildir gives it back. */
        @Test
        void aDirectoryWithoutCurAndNewIsPermanentAndLeavesTheMailboxUnlocked() throws Exception {
            Path carol = Files.createDirectory(root.resolve("carol"));
            try (MaildirStore strict = MaildirStore.builder(root).createMissingMailboxes(false).build()) {
                assertThat(failureOf(() -> strict.open("carol"))).isEqualTo(StoreException.Kind.PERMANENT);
                try (var entries = Files.list(carol)) {
                    assertThat(entries).isEmpty();
                }

                for (String sub : List.of("tmp", "new", "cur")) {
                    Files.createDirectory(carol.resolve(sub));
                }
                try (Maildrop maildrop = strict.open("carol")) {
                    assertThat(maildrop.messages()).isEmpty();
                }
            }
        }

        @Test
        void aClosedMaildropRefusesContentAndOpensNothingAgain() throws Exception {
            alice.deliver("one\n");
            Maildrop maildrop = store.open("alice");
            MessageInfo message = maildrop.messages().get(0);
            maildrop.close();
            assertThatThrownBy(() -> maildrop.content(message)).isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.TEMPORARY))
                    .hasMessageContaining("is closed");
            try (Maildrop next = store.open("alice")) {
                assertThat(next.messages()).hasSize(1);
            }
        }

        @Test
        void mailDeliveredDuringASessionAppearsInTheNextSession() throws Exception {
            String first = alice.deliver("one\n");
            Maildrop maildrop = store.open("alice");
            String second = alice.deliver("two\n");
            assertThat(uids(maildrop)).containsExactly(first);
            maildrop.close();
            try (Maildrop next = store.open("alice")) {
                assertThat(uids(next)).containsExactly(first, second);
            }
        }

        @Test
        void messageNumbersStayFixedWhenAFileDisappears() throws Exception {
            String first = alice.deliver("one\n");
            String second = alice.deliver("two\n");
            try (Maildrop maildrop = store.open("alice")) {
                Files.delete(alice.resolve("new/" + first));
                assertThat(uids(maildrop)).containsExactly(first, second);
                assertThat(TestMaildir.read(maildrop.content(maildrop.messages().get(1))))
                        .isEqualTo("two\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    @Nested
    class UniqueIds {

        @Test
        void theUidIsTheBaseNameAndSurvivesFlagChangesMovesAndRestarts() throws Exception {
            String fileName = alice.deliver("hello\n");
            String uid;
            try (Maildrop maildrop = store.open("alice")) {
                uid = maildrop.messages().get(0).uid();
            }
            assertThat(uid).isEqualTo(fileName);

            Files.move(alice.resolve("new/" + fileName), alice.resolve("cur/" + fileName + ":2,FS"));
            try (MaildirStore restarted = MaildirStore.builder(root).build();
                 Maildrop maildrop = restarted.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(uid);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"1700000001.M1P1.host with space", "1700000001.M1P1.h\u00f6st", "1700000001.tab\there"})
        void aBaseNameWithCharactersOutsidePrintableAsciiIsHashedToAValidStableUid(String base) throws Exception {
            alice.deliver("new", base, "hi\n".getBytes(StandardCharsets.US_ASCII));
            String uid;
            try (Maildrop maildrop = store.open("alice")) {
                uid = maildrop.messages().get(0).uid();
            }
            assertThat(uid).hasSizeBetween(1, 70).matches("[\\x21-\\x7e]+").isNotEqualTo(base);
            try (MaildirStore restarted = MaildirStore.builder(root).build();
                 Maildrop maildrop = restarted.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(uid);
            }
        }

        @Test
        void longBaseNamesAreHashedToDistinctUidsOfAtMostSeventyCharacters() throws Exception {
            String prefix = "1700000001.M1P1." + "a-very-long-host-name-of-a-mail-server".repeat(2);
            alice.deliver("new", prefix + ",S=3,W=4", "hi\n".getBytes(StandardCharsets.US_ASCII));
            alice.deliver("new", prefix + ",S=4,W=5", "hi!\n".getBytes(StandardCharsets.US_ASCII));

            try (Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).hasSize(2).doesNotHaveDuplicates()
                        .allSatisfy(uid -> assertThat(uid).hasSizeLessThanOrEqualTo(70).startsWith("1700000001.M1P1."));
            }
        }
    }

    @Nested
    class SizesAndContent {

        static Stream<Arguments> trickyMessages() {
            return Stream.of(
                    Arguments.of("a line holding a single dot", bytes("Subject: dot\r\n\r\nbefore\r\n.\r\nafter\r\n")),
                    Arguments.of("lines starting with a dot", bytes("Subject: dots\n\n.hidden\n..double\n.\n")),
                    Arguments.of("an empty body", bytes("Subject: empty\r\n\r\n")),
                    Arguments.of("an empty file", new byte[0]),
                    Arguments.of("LF line ends", bytes("From: a@example.org\nSubject: lf\n\none\ntwo\n")),
                    Arguments.of("CRLF line ends", bytes("From: a@example.org\r\nSubject: crlf\r\n\r\nbody\r\n")),
                    Arguments.of("mixed line ends", bytes("Subject: mixed\r\n\nA\r\nB\nC\r\n")),
                    Arguments.of("a bare CR", bytes("Subject: cr\r\n\r\na\rb\r\n")),
                    Arguments.of("no line end at the end", bytes("Subject: cut\n\nno newline at the end")),
                    Arguments.of("8-bit octets", eightBit()),
                    Arguments.of("2,000-character lines", bytes("Subject: long\n\n" + "x".repeat(2000) + "\n"
                            + ".".repeat(2000) + "\r\n")),
                    Arguments.of("5 MiB", fiveMebibytes()));
        }

        static Stream<Arguments> trickyMessagesWithNames() {
            return trickyMessages().flatMap(args -> Stream.of("plain", "S", "W", "S and W")
                    .map(naming -> Arguments.of(args.get()[0], args.get()[1], naming)));
        }

        private static byte[] eightBit() {
            byte[] head = bytes("Subject: 8bit\nContent-Transfer-Encoding: 8bit\n\n");
            byte[] all = new byte[head.length + 256 + 1];
            System.arraycopy(head, 0, all, 0, head.length);
            for (int i = 0; i < 256; i++) {
                all[head.length + i] = (byte) (i == '\n' || i == '\r' ? 'x' : i);
            }
            all[all.length - 1] = '\n';
            return all;
        }

        private static byte[] fiveMebibytes() {
            byte[] all = new byte[5 * 1024 * 1024];
            byte[] line = bytes("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-._~!$&'()*+,;\n");
            for (int i = 0; i < all.length; i++) {
                all[i] = line[i % line.length];
            }
            for (int i = line.length * 1000; i < all.length; i += line.length * 977) {
                all[i] = '.';
            }
            all[all.length - 1] = '\n';
            return all;
        }

        @ParameterizedTest(name = "{0}, named {2}")
        @MethodSource("trickyMessagesWithNames")
        void contentReadsBackByteForByteAndTheSizeIsWhatPop3Sends(String what, byte[] content, String naming)
                throws Exception {
            ContentFacts oracle = ContentFacts.of(content);
            String name = alice.nextBase()
                    + (naming.contains("S") ? ",S=" + content.length : "")
                    + (naming.contains("W") ? ",W=" + oracle.size() : "");
            alice.deliver("cur", name + ":2,S", content);

            try (Maildrop maildrop = store.open("alice")) {
                MessageInfo message = maildrop.messages().get(0);
                assertThat(message.size()).as(what).isEqualTo(oracle.size());
                try (MessageContent read = maildrop.content(message)) {
                    assertThat(read.wireReady()).as(what).isEqualTo(!naming.contains("W") && oracle.wireReady());
                    assertThat(TestMaildir.read(read)).as(what).isEqualTo(content);
                }
            }
        }

        @Test
        void theWFieldIsTrustedWithoutReadingTheFile() throws Exception {
            alice.deliver("new", alice.nextBase() + ",S=4,W=1234", bytes("abc\n"));
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.messages().get(0).size()).isEqualTo(1234);
            }
        }

        @Test
        void aMessageRenamedByAnotherClientIsFoundByItsBaseName() throws Exception {
            String fileName = alice.deliver("moving\n");
            try (Maildrop maildrop = store.open("alice")) {
                Files.move(alice.resolve("new/" + fileName), alice.resolve("cur/" + fileName + ":2,RS"));
                assertThat(TestMaildir.read(maildrop.content(maildrop.messages().get(0))))
                        .isEqualTo(bytes("moving\n"));
            }
        }

        @Test
        void aMessageDeletedByAnotherClientIsGoneAndTheSessionGoesOn() throws Exception {
            String first = alice.deliver("one\n");
            alice.deliver("two\n");
            try (Maildrop maildrop = store.open("alice")) {
                Files.delete(alice.resolve("new/" + first));
                assertThat(failureOf(() -> maildrop.content(maildrop.messages().get(0))))
                        .isEqualTo(StoreException.Kind.GONE);
                assertThat(TestMaildir.read(maildrop.content(maildrop.messages().get(1)))).isEqualTo(bytes("two\n"));
            }
        }

        @Test
        void aMessageFileThatCannotBeReadIsTemporary() throws Exception {
            String fileName = alice.deliver("one\n");
            try (Maildrop maildrop = store.open("alice")) {
                Path file = alice.resolve("new/" + fileName);
                Files.delete(file);
                Files.createDirectory(file);
                assertThat(failureOf(() -> maildrop.content(maildrop.messages().get(0))))
                        .isEqualTo(StoreException.Kind.TEMPORARY);
            }
        }

        @Test
        void aMessageOfAnotherMaildropIsRefused() throws Exception {
            alice.deliver("one\n");
            try (Maildrop maildrop = store.open("alice")) {
                assertThatThrownBy(() -> maildrop.content(new MessageInfo("not-here", 4)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not-here");
            }
        }
    }

    @Nested
    class Update {

        @Test
        void deletedMessagesAreUnlinkedAndTheOthersStay() throws Exception {
            String first = alice.deliver("one\n");
            String second = alice.deliver("two\n");
            String third = alice.deliver("three\n");
            try (Maildrop maildrop = store.open("alice")) {
                List<MessageInfo> messages = maildrop.messages();
                UpdateResult result = maildrop.update(Set.of(messages.get(0), messages.get(2)), Set.of());
                assertThat(result.isComplete()).isTrue();
            }
            assertThat(alice.resolve("new/" + first)).doesNotExist();
            assertThat(alice.resolve("new/" + third)).doesNotExist();
            assertThat(alice.resolve("new/" + second)).hasContent("two");
            try (Maildrop next = store.open("alice")) {
                assertThat(uids(next)).containsExactly(second);
            }
        }

        @Test
        void theListingIsReadAgainAfterAnUpdateEvenIfTheDirectoryTimesLookUnchanged() throws Exception {
            alice.deliver("one\n");
            String second = alice.deliver("two\n");
            alice.ageDirectories();
            try (Maildrop maildrop = store.open("alice")) {
                maildrop.update(Set.of(maildrop.messages().get(0)), Set.of());
            }
            alice.ageDirectories();
            try (Maildrop next = store.open("alice")) {
                assertThat(uids(next)).containsExactly(second);
            }
        }

        @Test
        void withFlagTrashedDeletedMessagesAreFlaggedAndNoLongerListed() throws Exception {
            String first = alice.deliver("one\n");
            String second = alice.deliver("two\n");
            alice.deliver("cur", alice.nextBase() + ":2,ST", bytes("trashed by IMAP\n"));
            try (MaildirStore flagging = MaildirStore.builder(root).deletedMessages(DeletedMessages.FLAG_TRASHED)
                    .build()) {
                try (Maildrop maildrop = flagging.open("alice")) {
                    assertThat(uids(maildrop)).containsExactly(first, second);
                    assertThat(maildrop.update(Set.of(maildrop.messages().get(0)), Set.of()).isComplete()).isTrue();
                }
                assertThat(alice.resolve("cur/" + first + ":2,T")).hasContent("one");
                try (Maildrop next = flagging.open("alice")) {
                    assertThat(uids(next)).containsExactly(second);
                }
            }
        }

        @Test
        void retrievedMessagesAreFlaggedSeenWhenConfigured() throws Exception {
            String read = alice.deliver("read\n");
            String unread = alice.deliver("unread\n");
            String readAndDeleted = alice.deliver("read and deleted\n");
            String flagged = alice.deliver("cur", alice.nextBase() + ":2,F", bytes("flagged\n"));
            try (MaildirStore seeing = MaildirStore.builder(root).markRetrievedSeen(true).build();
                 Maildrop maildrop = seeing.open("alice")) {
                List<MessageInfo> m = maildrop.messages();
                UpdateResult result = maildrop.update(Set.of(m.get(2)), Set.of(m.get(0), m.get(2), m.get(3)));
                assertThat(result.isComplete()).isTrue();
            }
            assertThat(alice.resolve("cur/" + read + ":2,S")).hasContent("read");
            assertThat(alice.resolve("new/" + unread)).hasContent("unread");
            assertThat(alice.resolve("new/" + readAndDeleted)).doesNotExist();
            assertThat(alice.resolve("cur/" + readAndDeleted + ":2,S")).doesNotExist();
            assertThat(alice.resolve("cur/" + base(flagged) + ":2,FS")).hasContent("flagged");
        }

        @Test
        void withFlagTrashedAndSeenARetrievedDeletedMessageGetsBothFlagsInOrder() throws Exception {
            String fileName = alice.deliver("cur", alice.nextBase() + ":2,R", bytes("replied\n"));
            try (MaildirStore store2 = MaildirStore.builder(root).deletedMessages(DeletedMessages.FLAG_TRASHED)
                    .markRetrievedSeen(true).build();
                 Maildrop maildrop = store2.open("alice")) {
                MessageInfo message = maildrop.messages().get(0);
                maildrop.update(Set.of(message), Set.of(message));
            }
            assertThat(alice.resolve("cur/" + base(fileName) + ":2,RST")).hasContent("replied");
        }

        @Test
        void aFileThatCannotBeRemovedIsReportedAndNothingElseIsLost() throws Exception {
            String first = alice.deliver("one\n");
            String second = alice.deliver("two\n");
            String third = alice.deliver("three\n");
            String kept = alice.deliver("kept\n");
            try (Maildrop maildrop = store.open("alice")) {
                List<MessageInfo> m = maildrop.messages();
                Path blocked = alice.resolve("new/" + second);
                Files.delete(blocked);
                Files.createDirectory(blocked);
                Files.writeString(blocked.resolve("inside"), "still here");

                UpdateResult result = maildrop.update(Set.of(m.get(0), m.get(1), m.get(2)), Set.of());

                assertThat(result.notRemoved()).containsExactly(m.get(1));
                assertThat(blocked.resolve("inside")).hasContent("still here");
            }
            assertThat(alice.resolve("new/" + first)).doesNotExist();
            assertThat(alice.resolve("new/" + third)).doesNotExist();
            assertThat(alice.resolve("new/" + kept)).hasContent("kept");
        }

        @Test
        void withFlagTrashedAFileThatCannotBeRenamedIsReportedAndStaysWhole() throws Exception {
            String first = alice.deliver("one\n");
            String second = alice.deliver("two\n");
            try (MaildirStore flagging = MaildirStore.builder(root).deletedMessages(DeletedMessages.FLAG_TRASHED)
                    .build();
                 Maildrop maildrop = flagging.open("alice")) {
                List<MessageInfo> m = maildrop.messages();
                assertThat(uids(maildrop)).containsExactly(first, second);
                Path blocker = alice.resolve("cur/" + second + ":2,T");
                Files.createDirectory(blocker);
                Files.writeString(blocker.resolve("inside"), "in the way");

                UpdateResult result = maildrop.update(Set.of(m.get(0), m.get(1)), Set.of());

                assertThat(result.notRemoved()).containsExactly(m.get(1));
            }
            assertThat(alice.resolve("cur/" + first + ":2,T")).hasContent("one");
            assertThat(alice.resolve("new/" + second)).hasContent("two");
        }

        @Test
        void aDeletedMessageThatAnotherClientRemovedCountsAsRemoved() throws Exception {
            String first = alice.deliver("one\n");
            try (Maildrop maildrop = store.open("alice")) {
                Files.delete(alice.resolve("new/" + first));
                assertThat(maildrop.update(Set.copyOf(maildrop.messages()), Set.of()).isComplete()).isTrue();
            }
        }

        @Test
        void aDeletedMessageThatAnotherClientRenamedIsFollowedAndRemoved() throws Exception {
            String first = alice.deliver("one\n");
            try (Maildrop maildrop = store.open("alice")) {
                Files.move(alice.resolve("new/" + first), alice.resolve("cur/" + first + ":2,S"));
                assertThat(maildrop.update(Set.copyOf(maildrop.messages()), Set.of()).isComplete()).isTrue();
            }
            assertThat(alice.resolve("cur/" + first + ":2,S")).doesNotExist();
        }
    }

    @Nested
    class MailboxNames {

        @ParameterizedTest
        @ValueSource(strings = {"", ".", "..", "../escape", "a/b", "/etc", "a\\b", ".hidden", "nul\u0000byte",
                "line\nbreak"})
        void aNameThatIsNotAPlainDirectoryNameIsPermanentAndNothingIsCreated(String name) throws Exception {
            assertThat(failureOf(() -> store.open(name))).isEqualTo(StoreException.Kind.PERMANENT);
            try (Stream<Path> entries = Files.list(root)) {
                assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("alice");
            }
            assertThat(root.resolveSibling("escape")).doesNotExist();
        }

        @Test
        void aNameWithAnAtSignIsAPlainMailbox() throws Exception {
            try (Maildrop maildrop = store.open("alice@example.org")) {
                assertThat(maildrop.messages()).isEmpty();
            }
            assertThat(root.resolve("alice@example.org/new")).isDirectory();
        }
    }

    @Nested
    class ListingCache {

        @Test
        void anUnchangedMailboxIsServedFromTheCacheWithoutReadingTheDirectories() throws Exception {
            String first = alice.deliver("one\n");

            assertThat(listedAfterASessionAndAnUnseenDelivery(maildrop -> assertThat(uids(maildrop))
                    .containsExactly(first))).as("the cached listing").containsExactly(first);
        }

        /** Mail left on the server: retrieving changes neither new/ nor cur/, so the next login needs no listing. */
        @Test
        void aSessionThatOnlyRetrievedKeepsTheCachedListing() throws Exception {
            String first = alice.deliver("one\n");

            assertThat(listedAfterASessionAndAnUnseenDelivery(maildrop -> {
                maildrop.content(maildrop.messages().get(0)).close();
                assertThat(maildrop.update(Set.of(), Set.of(maildrop.messages().get(0))).isComplete()).isTrue();
            })).as("the cached listing").containsExactly(first);
        }

        /**
         * Runs a session on alice's aged Maildir, then delivers a message without changing the directories' times
         * (so that only a fresh listing sees it), and lists the mailbox again.
         */
        private List<String> listedAfterASessionAndAnUnseenDelivery(Session session) throws Exception {
            alice.ageDirectories();
            FileTime aged = Files.getLastModifiedTime(alice.resolve("new"));
            try (Maildrop maildrop = store.open("alice")) {
                session.run(maildrop);
            }
            alice.deliver("sneaked in\n");
            alice.setDirectoryTimes(aged);
            try (Maildrop maildrop = store.open("alice")) {
                return uids(maildrop);
            }
        }

        @Test
        void aChangedDirectoryIsReadAgain() throws Exception {
            String first = alice.deliver("one\n");
            alice.ageDirectories();
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(first);
            }
            String second = alice.deliver("two\n");
            alice.setDirectoryTimes(FileTime.from(Instant.now().minusSeconds(60)));

            try (Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(first, second);
            }
        }

        @Test
        void aListingReadRightAfterAChangeIsNotTrustedSinceTheClockMayNotHaveTicked() throws Exception {
            String first = alice.deliver("one\n");
            FileTime now = FileTime.from(Instant.now());
            alice.setDirectoryTimes(now);
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(first);
            }
            String second = alice.deliver("two, in the same tick\n");
            alice.setDirectoryTimes(now);

            try (Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(first, second);
            }
        }

        @Test
        void aZeroSizeCacheListsTheMailboxAtEveryOpen() throws Exception {
            String first = alice.deliver("one\n");
            alice.ageDirectories();
            FileTime aged = Files.getLastModifiedTime(alice.resolve("new"));
            try (MaildirStore uncached = MaildirStore.builder(root).listingCache(0).build()) {
                try (Maildrop maildrop = uncached.open("alice")) {
                    assertThat(uids(maildrop)).containsExactly(first);
                }
                String second = alice.deliver("two\n");
                alice.setDirectoryTimes(aged);
                try (Maildrop maildrop = uncached.open("alice")) {
                    assertThat(uids(maildrop)).containsExactly(first, second);
                }
            }
        }

        @Test
        void sizesCountedOnceAreCachedBeyondTheListing() throws Exception {
            String first = alice.deliver("one\n");
            try (MaildirStore sizesOnly = MaildirStore.builder(root).listingCache(0).build()) {
                try (Maildrop maildrop = sizesOnly.open("alice")) {
                    assertThat(maildrop.messages().get(0).size()).isEqualTo(5);
                }
                Files.writeString(alice.resolve("new/" + first), "a Maildir file never changes\n");
                try (Maildrop maildrop = sizesOnly.open("alice")) {
                    assertThat(maildrop.messages().get(0).size()).isEqualTo(5);
                }
            }
        }

        @Test
        void withoutCachesEveryOpenCountsAgain() throws Exception {
            String first = alice.deliver("one\n");
            try (MaildirStore uncached = MaildirStore.builder(root).listingCache(0).sizeCache(0).build()) {
                try (Maildrop maildrop = uncached.open("alice")) {
                    assertThat(maildrop.messages().get(0).size()).isEqualTo(5);
                }
                Files.writeString(alice.resolve("new/" + first), "changed\n");
                try (Maildrop maildrop = uncached.open("alice")) {
                    assertThat(maildrop.messages().get(0).size()).isEqualTo(9);
                }
            }
        }

        @Test
        void sizesOfKnownMessagesAreNotCountedAgainWhenTheListingIsRead() throws Exception {
            List<String> names = new ArrayList<>();
            names.add(alice.deliver("one\n"));
            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.messages().get(0).size()).isEqualTo(5);
            }
            Files.writeString(alice.resolve("new/" + names.get(0)), "a Maildir file never changes\n");
            names.add(alice.deliver("two\n"));

            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.messages()).extracting(MessageInfo::size).containsExactly(5L, 5L);
            }
        }
    }

    @Test
    void openingAfterCloseIsAnError() {
        store.close();
        assertThatThrownBy(() -> store.open("alice")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aMaildirWithAFileWhereCurShouldBeIsPermanent() throws IOException {
        Files.delete(alice.resolve("cur"));
        Files.writeString(alice.resolve("cur"), "not a directory");
        try (MaildirStore strict = MaildirStore.builder(root).createMissingMailboxes(false).build()) {
            assertThat(failureOf(() -> strict.open("alice"))).isEqualTo(StoreException.Kind.PERMANENT);
        }
        assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.PERMANENT);
        assertThat(alice.resolve("cur")).hasContent("not a directory");
    }

    /** What a test does with a maildrop between its open and its close. */
    @FunctionalInterface
    interface Session {
        void run(Maildrop maildrop) throws Exception;
    }
}
