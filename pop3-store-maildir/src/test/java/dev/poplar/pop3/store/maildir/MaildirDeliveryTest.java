package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.poplar.pop3.store.maildir.MaildirStoreTest.failureOf;
import static dev.poplar.pop3.store.maildir.MaildirStoreTest.uids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

class MaildirDeliveryTest {

    @TempDir
    Path root;

    MaildirStore store;

    @BeforeEach
    void createStore() {
        store = MaildirStore.builder(root).lockHostName("mx1.example.org").build();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static InputStream text(String content) {
        return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Nested
    class Delivering {

        @Test
        void aMessageLandsInNewUnderAUniqueNameWithItsSizesAndTmpIsEmpty() throws Exception {
            byte[] content = "Subject: hi\n\nhello\n.dot\n".getBytes(StandardCharsets.US_ASCII);

            MessageInfo delivered = store.deliver("alice", new ByteArrayInputStream(content));

            List<String> files = names(root.resolve("alice/new"));
            assertThat(files).hasSize(1);
            String name = files.get(0);
            long pid = ProcessHandle.current().pid();
            assertThat(name).matches("\\d{10}\\.M\\d{1,6}P" + pid + "Q\\d+\\.mx1\\.example\\.org,S=24,W=28");
            assertThat(delivered.size()).isEqualTo(ContentFacts.of(content).size()).isEqualTo(28);
            assertThat(delivered.uid()).isEqualTo(name);
            assertThat(root.resolve("alice/new/" + name)).hasBinaryContent(content);
            assertThat(names(root.resolve("alice/tmp"))).isEmpty();
            assertThat(names(root.resolve("alice/cur"))).isEmpty();
        }

        @Test
        void theNextSessionListsWhatDeliveryReturned() throws Exception {
            MessageInfo first = store.deliver("alice", text("one\n"));
            MessageInfo second = store.deliver("alice", text("two, without a final line end"));

            try (Maildrop maildrop = store.open("alice")) {
                assertThat(maildrop.messages()).extracting(MessageInfo::uid, MessageInfo::size)
                        .containsExactly(tuple(first.uid(), first.size()),
                                tuple(second.uid(), second.size()));
                assertThat(TestMaildir.read(maildrop.content(maildrop.messages().get(1))))
                        .isEqualTo("two, without a final line end".getBytes(StandardCharsets.US_ASCII));
            }
        }

        @Test
        void mailDeliveredWhileASessionHoldsTheMailboxWaitsForTheNextSession() throws Exception {
            MessageInfo before = store.deliver("alice", text("before\n"));
            try (Maildrop maildrop = store.open("alice")) {
                MessageInfo during = store.deliver("alice", text("during\n"));
                assertThat(uids(maildrop)).containsExactly(before.uid());
                maildrop.close();
                try (Maildrop next = store.open("alice")) {
                    assertThat(uids(next)).containsExactly(before.uid(), during.uid());
                }
            }
        }

        @Test
        void concurrentDeliveriesGetDistinctNamesAndAllArrive() throws Exception {
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try (MaildirStore other = MaildirStore.builder(root).lockHostName("mx1.example.org").build()) {
                List<Future<MessageInfo>> deliveries = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    MailboxStore through = i % 2 == 0 ? store : other;
                    String content = "message " + i + "\n";
                    deliveries.add(threads.submit(() -> ((MaildirStore) through).deliver("alice", text(content))));
                }
                Set<String> uids = new HashSet<>();
                for (Future<MessageInfo> delivery : deliveries) {
                    uids.add(delivery.get(30, TimeUnit.SECONDS).uid());
                }
                assertThat(uids).hasSize(400);
                assertThat(names(root.resolve("alice/new"))).hasSize(400);
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Nested
    class Failures {

        @Test
        void aStreamThatFailsHalfWayLeavesNothingInNewOrTmp() throws Exception {
            store.deliver("alice", text("an earlier message\n"));
            IOException broken = new IOException("the client went away");
            InputStream failing = new SequenceInputStream(new ByteArrayInputStream(new byte[100_000]),
                    new InputStream() {
                        @Override
                        public int read() throws IOException {
                            throw broken;
                        }
                    });

            Throwable thrown = catchThrowable(() -> store.deliver("alice", failing));

            assertThat(thrown).isSameAs(broken);
            assertThat(names(root.resolve("alice/new"))).hasSize(1);
            assertThat(names(root.resolve("alice/tmp"))).isEmpty();
        }

        @Test
        void aMissingMailboxIsCreatedUnlessCreationIsOff() throws Exception {
            store.deliver("bob", text("hi\n"));
            assertThat(names(root.resolve("bob/new"))).hasSize(1);

            try (MaildirStore strict = MaildirStore.builder(root).createMissingMailboxes(false).build()) {
                assertThat(failureOf(() -> strict.deliver("carol", text("hi\n"))))
                        .isEqualTo(StoreException.Kind.PERMANENT);
            }
            assertThat(root.resolve("carol")).doesNotExist();
        }

        @ParameterizedTest
        @ValueSource(strings = {"tmp", "new"})
        void aSubdirectoryThatIsALinkIsPermanentAndNothingIsWrittenThroughIt(String subdirectory,
                                                                            @TempDir Path outside) throws Exception {
            TestMaildir alice = new TestMaildir(root, "alice");
            Files.delete(alice.resolve(subdirectory));
            Files.createSymbolicLink(alice.resolve(subdirectory), outside);

            assertThat(failureOf(() -> store.deliver("alice", text("hi\n")))).isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(names(outside)).isEmpty();
            for (String other : List.of("tmp", "new", "cur")) {
                if (!other.equals(subdirectory)) {
                    assertThat(names(alice.resolve(other))).as(other).isEmpty();
                }
            }
        }
    }

    @Nested
    class BlockingHints {

        @Test
        void openingAndUpdatingMayBlockButReadingLocalContentDoesNot() {
            assertThat(store.mayBlock(MailboxStore.Operation.OPEN)).isTrue();
            assertThat(store.mayBlock(MailboxStore.Operation.UPDATE)).isTrue();
            assertThat(store.mayBlock(MailboxStore.Operation.CONTENT)).isFalse();
        }

        @Test
        void onANetworkFileSystemReadingContentMayBlockToo() throws Exception {
            try (MaildirStore nfs = MaildirStore.builder(root).contentMayBlock(true).build()) {
                for (MailboxStore.Operation operation : MailboxStore.Operation.values()) {
                    assertThat(nfs.mayBlock(operation)).as(operation.name()).isTrue();
                }
                try (Maildrop maildrop = nfs.open("alice")) {
                    assertThat(maildrop.closeMayBlock()).isTrue();
                }
            }
        }

        @Test
        void closingAMaildropOnALocalDiskDoesNotBlockInAnyLockScope() throws Exception {
            for (LockScope scope : LockScope.values()) {
                try (MaildirStore local = MaildirStore.builder(root).lockScope(scope).build();
                     Maildrop maildrop = local.open("alice")) {
                    assertThat(maildrop.closeMayBlock()).as(scope.name()).isFalse();
                }
            }
        }
    }
}
