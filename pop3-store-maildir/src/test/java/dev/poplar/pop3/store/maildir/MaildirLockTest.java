package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.maildir.internal.LockState;
import dev.poplar.pop3.store.maildir.internal.MaildirLocks;
import dev.poplar.pop3.store.maildir.internal.OpenGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;

import static dev.poplar.pop3.store.maildir.MaildirStoreTest.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

class MaildirLockTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    MaildirStore store;
    TestMaildir alice;
    Path lockFile;

    @BeforeEach
    void createStore() {
        store = MaildirStore.builder(root).build();
        alice = new TestMaildir(root, "alice");
        lockFile = alice.resolve("poplar.lock");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Writes a lock file as another owner would, with a given heartbeat time. */
    void writeForeignLock(Path file, String host, long pid, Instant heartbeat) throws IOException {
        Files.write(file, LockState.render(host, pid, "elsewhere-1", heartbeat));
        Files.setLastModifiedTime(file, FileTime.from(heartbeat));
    }

    /** Waits until the lock file's time is no longer {@code from} (a heartbeat set it), {@link #TIMEOUT} at most. */
    void awaitHeartbeat(FileTime from) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (Files.getLastModifiedTime(lockFile).equals(from)) {
            assertThat(System.nanoTime()).as("a heartbeat within " + TIMEOUT).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    LockState lock() throws IOException {
        return LockState.read(lockFile);
    }

    /** The names in alice's Maildir directory. */
    List<String> aliceEntries() throws IOException {
        try (Stream<Path> entries = Files.list(alice.path())) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Asserts that the maildrop is open and its lock file names this process. */
    void assertHeldHere(Maildrop maildrop) throws IOException {
        assertThat(maildrop.messages()).isNotNull();
        assertThat(lock().pid()).hasValue(ProcessHandle.current().pid());
    }

    @Nested
    class InThisProcess {

        @Test
        void aSecondOpenOfTheSameMailboxIsInUseUntilTheFirstCloses() throws Exception {
            try (Maildrop first = store.open("alice")) {
                assertHeldHere(first);
                assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                try (Maildrop other = store.open("bob")) {
                    assertThat(other.messages()).isEmpty();
                }
            }
            try (Maildrop again = store.open("alice")) {
                assertThat(again.messages()).isEmpty();
            }
        }

        @Test
        void aSecondStoreOnTheSameRootGetsInUse() throws Exception {
            try (MaildirStore other = MaildirStore.builder(root).build()) {
                Maildrop first = store.open("alice");
                assertThat(failureOf(() -> other.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                first.close();
                try (Maildrop second = other.open("alice")) {
                    assertThat(second.messages()).isEmpty();
                }
            }
        }

        @Test
        void theLockFileNamesItsOwnerAndIsTheOnlyFileLeftBesideTheMaildirFolders() throws Exception {
            try (Maildrop maildrop = store.open("alice")) {
                assertHeldHere(maildrop);
                assertThat(lock().host()).isNotBlank();
                assertThat(lock().id()).isNotBlank();
                try (Stream<Path> entries = Files.list(alice.path())) {
                    assertThat(entries.map(p -> p.getFileName().toString()))
                            .containsExactlyInAnyOrder("cur", "new", "tmp", "poplar.lock");
                }
            }
        }

        @Test
        void closingTheMaildropReleasesTheLock() throws Exception {
            store.open("alice").close();
            assertThat(lockFile).doesNotExist();
        }

        @Test
        void aLockWhoseFileChangedUnderItIsReadAndStillReleasedWhenItIsOurs() throws Exception {
            // Not the file as this lock last wrote it (another time, then another size): read first, removed as ours.
            Maildrop touched = store.open("alice");
            Files.setLastModifiedTime(lockFile, FileTime.from(Instant.now().minusSeconds(5)));
            touched.close();
            assertThat(lockFile).doesNotExist();

            Maildrop grown = store.open("alice");
            Files.writeString(lockFile, "note=an editor was here\n", StandardCharsets.US_ASCII,
                    StandardOpenOption.APPEND);
            grown.close();
            assertThat(lockFile).doesNotExist();
            assertThat(aliceEntries()).containsExactlyInAnyOrder("cur", "new", "tmp");
        }

        @Test
        void aLockRefreshedByTheHeartbeatIsReleasedAndLeavesNothingBehind() throws Exception {
            try (MaildirStore beating = MaildirStore.builder(root).lockHeartbeat(Duration.ofMillis(20)).build()) {
                Maildrop maildrop = beating.open("alice");
                FileTime created = Files.getLastModifiedTime(lockFile);
                awaitHeartbeat(created);
                maildrop.close();
                assertThat(lockFile).doesNotExist();
                assertThat(aliceEntries()).containsExactlyInAnyOrder("cur", "new", "tmp");
            }
        }

        @Test
        void closingTheStoreReleasesLocksStillHeldAndTheirSessionsCanNoLongerDelete() throws Exception {
            alice.deliver("one\n");
            Maildrop maildrop = store.open("alice");
            store.close();
            assertThat(lockFile).doesNotExist();
            assertThat(failureOf(() -> maildrop.update(Set.copyOf(maildrop.messages()), Set.of())))
                    .isEqualTo(StoreException.Kind.TEMPORARY);
            maildrop.close();
            try (Stream<Path> files = Files.list(alice.resolve("new"))) {
                assertThat(files).hasSize(1);
            }
        }

        @Test
        void aLockThatCannotBeReadIsTemporaryAndLeftAlone() throws Exception {
            Files.createDirectory(lockFile);
            Files.writeString(lockFile.resolve("inside"), "not a lock file");
            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.TEMPORARY);
            assertThat(lockFile.resolve("inside")).hasContent("not a lock file");
            try (Stream<Path> entries = Files.list(alice.path())) {
                assertThat(entries.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("cur", "new", "tmp", "poplar.lock");
            }
        }

        @Test
        void theHeartbeatKeepsTheLockFresh() throws Exception {
            // The lock is a link to the store's owner file; the heartbeat sets the time of that one inode (through the
            // owner file's name, so no change is seen in the Maildir's directory: the time is polled).
            try (MaildirStore beating = MaildirStore.builder(root).lockHeartbeat(Duration.ofMillis(50)).build();
                 Maildrop maildrop = beating.open("alice")) {
                assertHeldHere(maildrop);
                FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
                Files.setLastModifiedTime(lockFile, old);
                awaitHeartbeat(old);
                assertThat(Files.getLastModifiedTime(lockFile).toInstant()).isAfter(Instant.now().minusSeconds(30));
            }
        }

        @Test
        void aLockRewrittenInPlaceAfterItsHeartbeatAgedIsReadBeforeItIsRemoved() throws Exception {
            // Another owner's lock in the very same file, of the same size and time: only its content tells. A lock
            // whose last write is older than half the stale time is read before its removal, so it is left alone.
            // (A lock file of its own: the owner directory cannot be made. A linked lock is told by its file key.)
            Files.writeString(root.resolve(MaildirLocks.OWNER_DIRECTORY), "in the way");
            try (MaildirStore quick = MaildirStore.builder(root).lockStaleAfter(Duration.ofSeconds(2))
                    .lockHeartbeat(Duration.ofMillis(1900)).build()) {
                Maildrop maildrop = quick.open("alice");
                FileTime written = Files.getLastModifiedTime(lockFile);
                String mine = Files.readString(lockFile, StandardCharsets.US_ASCII);
                String id = lock().id();
                String other = "x".repeat(id.length());
                Files.writeString(lockFile, mine.replace(id, other), StandardCharsets.US_ASCII,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                Files.setLastModifiedTime(lockFile, written);
                Thread.sleep(1100);
                maildrop.close();
                assertThat(lock().id()).isEqualTo(other);
            }
        }

        @Test
        void aSessionWhoseLockWasTakenOverCannotDeleteAndLeavesTheOtherLockAlone() throws Exception {
            alice.deliver("one\n");
            try (Maildrop maildrop = store.open("alice")) {
                Files.delete(lockFile);
                writeForeignLock(lockFile, "other.example", 7, Instant.now());

                assertThat(failureOf(() -> maildrop.update(Set.copyOf(maildrop.messages()), Set.of())))
                        .isEqualTo(StoreException.Kind.TEMPORARY);
            }
            assertThat(lock().host()).isEqualTo("other.example");
            try (Stream<Path> files = Files.list(alice.resolve("new"))) {
                assertThat(files).hasSize(1);
            }
        }
    }

    /** Locks are hard links to one owner file per store, in the root's {@code .poplar-locks}. */
    @Nested
    class OwnerFiles {

        Path owners;

        @BeforeEach
        void locateOwners() {
            owners = root.resolve(MaildirLocks.OWNER_DIRECTORY);
        }

        List<Path> ownerFiles() throws IOException {
            try (Stream<Path> files = Files.list(owners)) {
                return files.toList();
            }
        }

        Object fileKey(Path file) throws IOException {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        }

        int links(Path file) throws IOException {
            return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        }

        @Test
        void aLockIsALinkToTheStoresOwnerFileWhichGoesWhenTheStoreCloses() throws Exception {
            TestMaildir bob = new TestMaildir(root, "bob");
            Path owner;
            try (Maildrop first = store.open("alice"); Maildrop second = store.open("bob")) {
                assertHeldHere(first);
                assertThat(ownerFiles()).singleElement();
                owner = ownerFiles().get(0);
                assertThat(fileKey(lockFile)).isEqualTo(fileKey(owner));
                assertThat(fileKey(bob.resolve("poplar.lock"))).isEqualTo(fileKey(owner));
                assertThat(links(owner)).isEqualTo(3);
                assertThat(lock().host()).isNotBlank();
                assertThat(lock().fields()).doesNotContainKey("since");
                assertThat(aliceEntries()).containsExactlyInAnyOrder("cur", "new", "tmp", "poplar.lock");
            }
            assertThat(lockFile).doesNotExist();
            assertThat(bob.resolve("poplar.lock")).doesNotExist();
            assertThat(links(owner)).isEqualTo(1);

            store.close();
            assertThat(owner).doesNotExist();
            assertThat(ownerFiles()).isEmpty();
        }

        @Test
        void eachStoreHasItsOwnOwnerFileAndKeepsTheOthersOut() throws Exception {
            try (MaildirStore other = MaildirStore.builder(root).build();
                 Maildrop mine = store.open("alice");
                 Maildrop theirs = other.open("bob")) {
                assertThat(ownerFiles()).hasSize(2);
                assertThat(fileKey(lockFile)).isNotEqualTo(fileKey(root.resolve("bob/poplar.lock")));
                assertThat(failureOf(() -> other.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                assertThat(failureOf(() -> store.open("bob"))).isEqualTo(StoreException.Kind.IN_USE);
                assertThat(mine.messages()).isEmpty();
                assertThat(theirs.messages()).isEmpty();
            }
        }

        @Test
        void sessionsOfTwoStoresRacingForOneMailboxNeverHoldItTogether() throws Exception {
            try (MaildirStore other = MaildirStore.builder(root).build()) {
                List<MaildirStore> stores = List.of(store, other);
                AtomicInteger holding = new AtomicInteger();
                AtomicInteger most = new AtomicInteger();
                AtomicIntegerArray held = new AtomicIntegerArray(2);
                CountDownLatch start = new CountDownLatch(1);
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                ExecutorService threads = Executors.newFixedThreadPool(8);
                try {
                    List<Future<?>> done = new ArrayList<>();
                    for (int t = 0; t < 8; t++) {
                        int which = t % 2;
                        done.add(threads.submit(() -> {
                            start.await();
                            // Until each store has held alice 200 times (one store's threads may keep it for a while).
                            while (held.get(which) < 200 && System.nanoTime() < deadline) {
                                Maildrop maildrop;
                                try {
                                    maildrop = stores.get(which).open("alice");
                                } catch (StoreException e) {
                                    assertThat(e.kind()).isEqualTo(StoreException.Kind.IN_USE);
                                    continue;
                                }
                                try (maildrop) {
                                    most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                                    held.incrementAndGet(which);
                                    assertThat(maildrop.messages()).isEmpty();
                                    holding.decrementAndGet();
                                }
                            }
                            return null;
                        }));
                    }
                    start.countDown();
                    for (Future<?> each : done) {
                        each.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    }
                } finally {
                    threads.shutdownNow();
                }
                assertThat(most.get()).as("sessions holding alice at once").isEqualTo(1);
                assertThat(held.get(0)).as("holds through the first store").isGreaterThanOrEqualTo(200);
                assertThat(held.get(1)).as("holds through the second store").isGreaterThanOrEqualTo(200);
                assertThat(lockFile).doesNotExist();
            }
        }

        @Test
        void anOwnerFileRemovedUnderHeldLocksLeavesThemValidAndANewOneIsMade() throws Exception {
            alice.deliver("one\n");
            try (Maildrop maildrop = store.open("alice")) {
                Object removed = fileKey(ownerFiles().get(0));
                Files.delete(ownerFiles().get(0));
                assertThat(maildrop.update(Set.copyOf(maildrop.messages()), Set.of()).isComplete()).isTrue();
                try (Maildrop bob = store.open("bob")) {
                    assertThat(ownerFiles()).singleElement();
                    Object made = fileKey(ownerFiles().get(0));
                    assertThat(made).isNotEqualTo(removed);
                    assertThat(fileKey(root.resolve("bob/poplar.lock"))).isEqualTo(made);
                    assertThat(bob.messages()).isEmpty();
                }
            }
            assertThat(lockFile).doesNotExist();
            try (Stream<Path> files = Files.list(alice.resolve("new"))) {
                assertThat(files).isEmpty();
            }
        }

        @Test
        void aLinkedLockReplacedByAnotherOwnersIsLeftAloneWhenTheSessionEnds() throws Exception {
            Maildrop maildrop = store.open("alice");
            Files.delete(lockFile);
            writeForeignLock(lockFile, "other.example", 7, Instant.now());
            maildrop.close();
            assertThat(lock().host()).isEqualTo("other.example");
            assertThat(links(ownerFiles().get(0))).isEqualTo(1);
        }

        /**
         * A contender that renames a linked lock aside to break it, and finds its time changed by a heartbeat meanwhile,
         * puts it back: by then the session has found its lock gone (lost). The link would stay fresh as long as the
         * store's heartbeats set its inode's time, keeping everyone else out; the session's end removes it.
         */
        @Test
        void aLostLinkedLockThatAContenderPutBackIsRemovedWhenTheSessionEnds() throws Exception {
            alice.deliver("one\n");
            Maildrop maildrop = store.open("alice");
            Path aside = alice.resolve("poplar.lock.contender-1.old");
            Files.move(lockFile, aside, StandardCopyOption.ATOMIC_MOVE);
            assertThat(failureOf(() -> maildrop.update(Set.copyOf(maildrop.messages()), Set.of())))
                    .as("the session finds its lock gone").isEqualTo(StoreException.Kind.TEMPORARY);
            Files.createLink(lockFile, aside);
            Files.delete(aside);

            maildrop.close();

            assertThat(lockFile).doesNotExist();
            try (MaildirStore other = MaildirStore.builder(root).build(); Maildrop next = other.open("alice")) {
                assertThat(next.messages()).as("nothing was deleted").hasSize(1);
            }
        }

        /**
         * A link takes its inode's time as it is: after the heartbeat stalled for longer than the stale time (a stalled
         * file server, a busy heartbeat thread), a new lock would have been stale the moment it was taken.
         */
        @Test
        void aLockTakenAfterTheHeartbeatStalledIsNotStale() throws Exception {
            Duration staleAfter = Duration.ofSeconds(3);
            Path owners = root.resolve(MaildirLocks.OWNER_DIRECTORY);
            try (OpenGuard guard = new OpenGuard(Duration.ofSeconds(1));
                 MaildirLocks stalled = new MaildirLocks("here", staleAfter, Duration.ofHours(1), guard,
                         LockScope.HOSTS, owners);
                 MaildirLocks other = new MaildirLocks("here", staleAfter, Duration.ofHours(1), guard,
                         LockScope.HOSTS, owners)) {
                stalled.acquire(new TestMaildir(root, "bob").path()).release();
                Thread.sleep(staleAfter.toMillis() + 300);

                MaildirLocks.Lock lock = stalled.acquire(alice.path());

                assertThat(failureOf(() -> other.acquire(alice.path()))).isEqualTo(StoreException.Kind.IN_USE);
                assertThat(lock.verify()).isTrue();
                lock.release();
            }
        }

        /** An owner file's name that became something else than a file is no longer linked to. */
        @Test
        void anOwnerFileReplacedByAFifoIsNoLongerLinkedTo() throws Exception {
            try (MaildirStore beating = MaildirStore.builder(root).lockHeartbeat(Duration.ofMillis(20)).build();
                 Maildrop held = beating.open("alice")) {
                Path owner = ownerFiles().get(0);
                Files.delete(owner);
                MaildirHostileTest.mkfifo(owner);
                FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
                Files.setLastModifiedTime(lockFile, old);
                awaitHeartbeat(old);

                try (Maildrop maildrop = beating.open("bob")) {
                    Path bobs = root.resolve("bob/poplar.lock");
                    assertThat(Files.isRegularFile(bobs, LinkOption.NOFOLLOW_LINKS)).as("not a FIFO").isTrue();
                    assertThat(links(bobs)).as("a file of its own, as after any replacement").isEqualTo(1);
                    assertThat(maildrop.messages()).isEmpty();
                }
                assertThat(held.messages()).isEmpty();
            }
        }

        @Test
        void withTheOwnerFilesNameGoneTheHeartbeatRefreshesLinkedLocksThroughTheirOwnNames() throws Exception {
            try (MaildirStore beating = MaildirStore.builder(root).lockHeartbeat(Duration.ofMillis(20)).build();
                 Maildrop maildrop = beating.open("alice")) {
                assertHeldHere(maildrop);
                Files.delete(ownerFiles().get(0));
                FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
                Files.setLastModifiedTime(lockFile, old);
                awaitHeartbeat(old);
                assertThat(links(lockFile)).as("the lock, its owner file's name removed").isEqualTo(1);
            }
            assertThat(lockFile).doesNotExist();
        }

        @Test
        void anOwnerFileReplacedUnderAHeldLockIsNoLongerUsedAndTheLockStaysFresh() throws Exception {
            Path owner;
            try (MaildirStore beating = MaildirStore.builder(root).lockHeartbeat(Duration.ofMillis(20)).build();
                 Maildrop maildrop = beating.open("alice")) {
                owner = ownerFiles().get(0);
                Object linked = fileKey(lockFile);
                Files.delete(owner);
                Files.writeString(owner, "another file under the owner file's name");
                FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
                Files.setLastModifiedTime(lockFile, old);
                awaitHeartbeat(old);
                assertThat(fileKey(lockFile)).isEqualTo(linked);
                try (Maildrop bob = beating.open("bob")) {
                    assertThat(links(root.resolve("bob/poplar.lock"))).as("not a link to the replacement").isEqualTo(1);
                    assertThat(bob.messages()).isEmpty();
                }
                assertThat(maildrop.messages()).isEmpty();
            }
            assertThat(lockFile).doesNotExist();
            assertThat(owner).as("not the store's to remove").hasContent("another file under the owner file's name");
        }

        @Test
        void aStoreClosingAfterItsOwnerFileWasReplacedLeavesTheReplacementAlone() throws Exception {
            store.open("alice").close();
            Path owner = ownerFiles().get(0);
            Files.delete(owner);
            Files.writeString(owner, "another file under the owner file's name");
            store.close();
            assertThat(owner).hasContent("another file under the owner file's name");
        }

        @Test
        void withoutAnOwnerFileEachLockIsAFileOfItsOwn() throws Exception {
            Files.writeString(owners, "a file where the directory would go");
            alice.deliver("one\n");
            try (Maildrop maildrop = store.open("alice")) {
                assertHeldHere(maildrop);
                assertThat(links(lockFile)).isEqualTo(1);
                assertThat(lock().fields()).containsKey("since");
                assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                assertThat(maildrop.update(Set.copyOf(maildrop.messages()), Set.of()).isComplete()).isTrue();
            }
            assertThat(lockFile).doesNotExist();
            assertThat(owners).hasContent("a file where the directory would go");
        }

        @Test
        void aMaildirOnAnotherFileSystemGetsALockFileOfItsOwn() throws Exception {
            Path shm = Path.of("/dev/shm");
            assertThat(Files.getFileStore(shm)).as("a second file system for this test")
                    .isNotEqualTo(Files.getFileStore(root));
            Path homes = Files.createTempDirectory(shm, "maildir-lock-test");
            try {
                TestMaildir carol = new TestMaildir(homes, "carol");
                Files.createSymbolicLink(root.resolve("carol"), carol.path());
                try (MaildirStore hosting = MaildirStore.builder(root).mailboxLinkTargets(List.of(homes)).build();
                     Maildrop first = hosting.open("carol");
                     Maildrop second = hosting.open("alice")) {
                    Path carolsLock = carol.resolve("poplar.lock");
                    assertThat(links(carolsLock)).isEqualTo(1);
                    assertThat(LockState.read(carolsLock).pid()).hasValue(ProcessHandle.current().pid());
                    assertThat(links(lockFile)).as("a Maildir on the root's file system").isEqualTo(2);
                    assertThat(failureOf(() -> hosting.open("carol"))).isEqualTo(StoreException.Kind.IN_USE);
                    assertThat(first.messages()).isEmpty();
                    assertThat(second.messages()).isEmpty();
                }
                assertThat(carol.resolve("poplar.lock")).doesNotExist();
            } finally {
                try (Stream<Path> all = Files.walk(homes)) {
                    for (Path each : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(each);
                    }
                }
            }
        }

        @Test
        void ownerFilesLeftBehindAreRemovedWhenAStoreMakesItsOwn() throws Exception {
            Process ended = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(ended.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            long alive = ProcessHandle.current().parent().orElseThrow().pid();
            Files.createDirectories(owners);
            Path endedHere = write("owner-ended", LockState.renderOwner("here.example", ended.pid(), "a-0"), 0);
            Path aliveHere = write("owner-alive", LockState.renderOwner("here.example", alive, "b-0"), 0);
            Path silentThere = write("owner-silent", LockState.renderOwner("there.example", 7, "c-0"), 25);
            Path recentThere = write("owner-recent", LockState.renderOwner("there.example", 8, "d-0"), 23);
            Path notAnOwnerFile = write("notes", "kept".getBytes(StandardCharsets.US_ASCII), 48);

            try (MaildirStore here = MaildirStore.builder(root).lockHostName("here.example").build();
                 Maildrop maildrop = here.open("alice")) {
                assertThat(maildrop.messages()).isEmpty();
                assertThat(endedHere).as("of a process of this host that ended").doesNotExist();
                assertThat(silentThere).as("without a heartbeat for more than a day").doesNotExist();
                assertThat(aliveHere).exists();
                assertThat(recentThere).exists();
                assertThat(notAnOwnerFile).exists();
                assertThat(ownerFiles()).hasSize(4);
            }
        }

        Path write(String name, byte[] content, int hoursAgo) throws IOException {
            Path file = Files.write(owners.resolve(name), content);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(hoursAgo))));
            return file;
        }
    }

    /** {@link LockScope#STORE}: the hold lives in the store's memory. */
    @Nested
    class InMemory {

        MaildirStore local;

        @BeforeEach
        void createLocalStore() {
            local = MaildirStore.builder(root).lockScope(LockScope.STORE).build();
        }

        @AfterEach
        void closeLocalStore() {
            local.close();
        }

        @Test
        void aSecondOpenIsInUseUntilTheFirstClosesAndNoLockFileIsWritten() throws Exception {
            alice.deliver("one\n");
            try (Maildrop first = local.open("alice")) {
                assertThat(first.messages()).hasSize(1);
                assertThat(failureOf(() -> local.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                assertThat(aliceEntries()).containsExactlyInAnyOrder("cur", "new", "tmp");
                first.update(Set.copyOf(first.messages()), Set.of());
            }
            try (Maildrop again = local.open("alice")) {
                assertThat(again.messages()).isEmpty();
            }
        }

        @Test
        void lockFilesOfOthersAreNotHeededNorTouched() throws Exception {
            writeForeignLock(lockFile, "other.example", 7, Instant.now());
            try (Maildrop maildrop = local.open("alice")) {
                assertThat(maildrop.messages()).isEmpty();
            }
            assertThat(lock().host()).isEqualTo("other.example");
        }

        @Test
        void closingTheStoreEndsItsHoldsAndTheirSessionsCanNoLongerDelete() throws Exception {
            alice.deliver("one\n");
            Maildrop maildrop = local.open("alice");
            local.close();
            assertThat(failureOf(() -> maildrop.update(Set.copyOf(maildrop.messages()), Set.of())))
                    .isEqualTo(StoreException.Kind.TEMPORARY);
            maildrop.close();
            try (Stream<Path> files = Files.list(alice.resolve("new"))) {
                assertThat(files).hasSize(1);
            }
        }
    }

    @Nested
    class AcrossHosts {

        @Test
        void aFreshLockOfAnotherHostIsRespected() throws Exception {
            writeForeignLock(lockFile, "other.example", ProcessHandle.current().pid() + 1_000_000, Instant.now());
            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            assertThat(lock().host()).isEqualTo("other.example");
        }

        @Test
        void aLockOfAnotherHostWithoutHeartbeatForTheStaleTimeIsTakenOver() throws Exception {
            writeForeignLock(lockFile, "other.example", 1, Instant.now().minus(Duration.ofMinutes(3)));
            try (Maildrop maildrop = store.open("alice")) {
                assertHeldHere(maildrop);
            }
            assertThat(lockFile).doesNotExist();
        }

        @Test
        void theStaleTimeIsConfigurable() throws Exception {
            writeForeignLock(lockFile, "other.example", 1, Instant.now().minus(Duration.ofMinutes(3)));
            try (MaildirStore patient = MaildirStore.builder(root).lockStaleAfter(Duration.ofMinutes(5)).build()) {
                assertThat(failureOf(() -> patient.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            }
        }

        @Test
        void aLockFileWithoutOwnerIsJudgedByItsAgeAlone() throws Exception {
            Files.createFile(lockFile);
            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            Files.setLastModifiedTime(lockFile, FileTime.from(Instant.now().minus(Duration.ofMinutes(3))));
            try (Maildrop maildrop = store.open("alice")) {
                assertHeldHere(maildrop);
            }
        }

        @Test
        void aBreakLockLeftByACrashedContenderIsRemovedWhenStale() throws Exception {
            Instant old = Instant.now().minus(Duration.ofMinutes(3));
            writeForeignLock(lockFile, "other.example", 1, old);
            writeForeignLock(alice.resolve("poplar.lock.break"), "third.example", 1, old);
            try (Maildrop maildrop = store.open("alice")) {
                assertHeldHere(maildrop);
                assertThat(alice.resolve("poplar.lock.break")).doesNotExist();
            }
        }

        @Test
        void contendersBreakingTheSameStaleLockNeverBothWin() throws Exception {
            int contenders = 6;
            List<MaildirStore> stores = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(contenders);
            try {
                for (int i = 0; i < contenders; i++) {
                    stores.add(MaildirStore.builder(root).build());
                }
                for (int round = 0; round < 40; round++) {
                    writeForeignLock(lockFile, "other.example", 1, Instant.now().minus(Duration.ofMinutes(3)));
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<Maildrop>> attempts = new ArrayList<>();
                    for (MaildirStore contender : stores) {
                        attempts.add(pool.submit(() -> {
                            start.await();
                            try {
                                return contender.open("alice");
                            } catch (StoreException e) {
                                assertThat(e.kind()).isEqualTo(StoreException.Kind.IN_USE);
                                return null;
                            }
                        }));
                    }
                    start.countDown();
                    List<Maildrop> winners = new ArrayList<>();
                    for (Future<Maildrop> attempt : attempts) {
                        winners.add(attempt.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                    }
                    winners.removeIf(Objects::isNull);
                    assertThat(winners).as("winners of round " + round).hasSize(1);
                    winners.get(0).close();
                    assertThat(lockFile).doesNotExist();
                }
            } finally {
                pool.shutdownNow();
                stores.forEach(MaildirStore::close);
            }
        }
    }

    @Nested
    class AcrossProcesses {

        Process startHolder() throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    LockHolderMain.class.getName(), root.toString(), "alice")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        }

        String nextLine(BufferedReader reader) throws Exception {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        @Test
        void anotherProcessHoldingTheMailboxMakesItInUseUntilItReleases() throws Exception {
            alice.deliver("one\n");
            Process holder = startHolder();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                        StandardCharsets.UTF_8));
                assertThat(nextLine(out)).isEqualTo("LOCKED 1");
                assertThat(lock().pid()).hasValue(holder.pid());

                assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);

                holder.getOutputStream().close();
                assertThat(nextLine(out)).isEqualTo("RELEASED");
                assertThat(holder.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                try (Maildrop maildrop = store.open("alice")) {
                    assertThat(maildrop.messages()).hasSize(1);
                }
            } finally {
                holder.destroyForcibly();
            }
        }

        @Test
        void theLockOfAProcessThatDiedOnThisHostIsTakenOverAtOnce() throws Exception {
            Process holder = startHolder();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                        StandardCharsets.UTF_8));
                assertThat(nextLine(out)).isEqualTo("LOCKED 0");
            } finally {
                holder.destroyForcibly();
            }
            assertThat(holder.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(lock().pid()).as("the lock the killed process left").hasValue(holder.pid());
            Path holdersOwnerFile = root.resolve(MaildirLocks.OWNER_DIRECTORY).resolve("owner-" + holder.pid() + "-"
                    + lock().id().replaceFirst("-0$", ""));
            assertThat(holdersOwnerFile).exists();

            try (Maildrop maildrop = store.open("alice")) {
                assertHeldHere(maildrop);
            }
            assertThat(holdersOwnerFile).as("removed with the dead process's lock").doesNotExist();
        }
    }
}
