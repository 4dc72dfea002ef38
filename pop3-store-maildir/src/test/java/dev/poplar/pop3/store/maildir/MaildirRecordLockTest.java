package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.poplar.pop3.store.maildir.MaildirStoreTest.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link LockScope#PROCESSES}: the hold is a POSIX record lock on {@code poplar.fcntl}. */
class MaildirRecordLockTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String LOCK_FILE = "poplar.fcntl";

    @TempDir
    Path root;

    MaildirStore store;
    TestMaildir alice;

    @BeforeEach
    void createStore() {
        store = processes();
        alice = new TestMaildir(root, "alice");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    MaildirStore processes() {
        return MaildirStore.builder(root).lockScope(LockScope.PROCESSES).build();
    }

    /** A process of its own that tries to hold alice's mailbox with the record lock. */
    final class OtherProcess implements AutoCloseable {
        final Process process;
        final BufferedReader out;

        OtherProcess() throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"),
                    LockHolderMain.class.getName(), root.toString(), "alice", LockScope.PROCESSES.name())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        String nextLine() throws Exception {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        void release() throws Exception {
            process.getOutputStream().close();
            assertThat(nextLine()).isEqualTo("RELEASED");
            assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** The mailbox is held: another process that tries it is refused. */
    void assertAnotherProcessIsRefused() throws Exception {
        try (OtherProcess other = new OtherProcess()) {
            assertThat(other.nextLine()).isEqualTo("REFUSED IN_USE");
        }
    }

    List<String> entries() throws IOException {
        try (Stream<Path> entries = Files.list(alice.path())) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void aSecondOpenIsInUseUntilTheFirstClosesAndOnlyTheLockFileIsLeftBeside() throws Exception {
        alice.deliver("one\n");
        try (Maildrop first = store.open("alice")) {
            assertThat(first.messages()).hasSize(1);
            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            try (Maildrop other = store.open("bob")) {
                assertThat(other.messages()).isEmpty();
            }
        }
        assertThat(entries()).containsExactlyInAnyOrder("cur", "new", "tmp", LOCK_FILE);
        try (Maildrop again = store.open("alice")) {
            assertThat(again.messages()).hasSize(1);
        }
    }

    @Test
    void anotherProcessIsKeptOutWhileAMailboxIsOpenAndLetInOnceItCloses() throws Exception {
        alice.deliver("one\n");
        try (Maildrop held = store.open("alice")) {
            assertThat(held.messages()).hasSize(1);
            assertAnotherProcessIsRefused();
        }
        try (OtherProcess other = new OtherProcess()) {
            assertThat(other.nextLine()).isEqualTo("LOCKED 1");
            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            other.release();
        }
        try (Maildrop again = store.open("alice")) {
            assertThat(again.messages()).hasSize(1);
        }
    }

    @Test
    void theLockOfAKilledProcessEndsWithIt() throws Exception {
        try (OtherProcess other = new OtherProcess()) {
            assertThat(other.nextLine()).isEqualTo("LOCKED 0");
            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            other.process.destroyForcibly();
            assertThat(other.process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        try (Maildrop maildrop = store.open("alice")) {
            assertThat(maildrop.messages()).isEmpty();
        }
    }

    @Test
    void aSecondStoreInThisProcessIsKeptOutWithoutEndingTheFirstStoresLock() throws Exception {
        try (MaildirStore second = processes()) {
            Maildrop first = store.open("alice");
            assertThat(failureOf(() -> second.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            assertThat(failureOf(() -> second.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
            // Closing the descriptor that met the lock would have ended it for the whole process.
            assertAnotherProcessIsRefused();
            first.close();
            try (Maildrop taken = second.open("alice")) {
                assertThat(taken.messages()).isEmpty();
                assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.IN_USE);
                assertAnotherProcessIsRefused();
            }
        }
        try (Maildrop again = store.open("alice")) {
            assertThat(again.messages()).isEmpty();
        }
    }

    @Test
    void aLockFileReplacedDuringTheSessionLeavesItUnableToDelete() throws Exception {
        alice.deliver("one\n");
        try (Maildrop maildrop = store.open("alice")) {
            Files.delete(alice.resolve(LOCK_FILE));
            try (OtherProcess other = new OtherProcess()) {
                assertThat(other.nextLine()).as("the replaced file is free").isEqualTo("LOCKED 1");
                assertThat(failureOf(() -> maildrop.update(Set.copyOf(maildrop.messages()), Set.of())))
                        .isEqualTo(StoreException.Kind.TEMPORARY);
                other.release();
            }
        }
        try (Stream<Path> files = Files.list(alice.resolve("new"))) {
            assertThat(files).hasSize(1);
        }
        try (Maildrop again = store.open("alice")) {
            again.update(Set.copyOf(again.messages()), Set.of());
        }
        try (Stream<Path> files = Files.list(alice.resolve("new"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aLockFileThatIsALinkOrADirectoryIsRefusedWithoutTouchingWhatItNames() throws Exception {
        Path elsewhere = root.resolve("elsewhere");
        Files.createSymbolicLink(alice.resolve(LOCK_FILE), elsewhere);
        assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.TEMPORARY);
        assertThat(elsewhere).doesNotExist();

        Files.delete(alice.resolve(LOCK_FILE));
        Files.createDirectory(alice.resolve(LOCK_FILE));
        assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.TEMPORARY);

        Files.delete(alice.resolve(LOCK_FILE));
        try (Maildrop maildrop = store.open("alice")) {
            assertThat(maildrop.messages()).isEmpty();
        }
    }

    @Test
    void closingTheStoreEndsItsHoldsAndTheirSessionsCanNoLongerDelete() throws Exception {
        alice.deliver("one\n");
        Maildrop maildrop = store.open("alice");
        store.close();
        assertThat(failureOf(() -> maildrop.update(Set.copyOf(maildrop.messages()), Set.of())))
                .isEqualTo(StoreException.Kind.TEMPORARY);
        maildrop.close();
        try (OtherProcess other = new OtherProcess()) {
            assertThat(other.nextLine()).isEqualTo("LOCKED 1");
            other.release();
        }
        try (Stream<Path> files = Files.list(alice.resolve("new"))) {
            assertThat(files).hasSize(1);
        }
    }
}
