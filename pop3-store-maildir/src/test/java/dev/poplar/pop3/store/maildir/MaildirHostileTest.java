package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.poplar.pop3.store.maildir.MaildirStoreTest.failureOf;
import static dev.poplar.pop3.store.maildir.MaildirStoreTest.uids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * What a user who can write into their own Maildir (or make links and FIFOs in it) can do to the store: read nothing
 * outside their Maildir, hold no thread, make nothing spin. Real files, links, FIFOs and sockets.
 */
class MaildirHostileTest {

    static final Duration PROMPTLY = Duration.ofSeconds(10);
    static final byte[] SECRET = "root:secret-hash:19000:0:99999:7:::\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path temp;

    Path root;
    Path outside;
    MaildirStore store;
    TestMaildir alice;
    TestMaildir bob;

    @BeforeEach
    void createStore() throws IOException {
        root = Files.createDirectory(temp.resolve("root"));
        outside = Files.createDirectory(temp.resolve("outside"));
        store = MaildirStore.builder(root).build();
        alice = new TestMaildir(root, "alice");
        bob = new TestMaildir(root, "bob");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static void mkfifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).as("mkfifo finished").isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo's exit status").isZero();
    }

    /** Opens alice's mailbox (within a deadline) and returns what it lists, reading every message. */
    List<String> listAndReadAll(MaildirStore through) {
        return assertTimeoutPreemptively(PROMPTLY, () -> {
            try (Maildrop maildrop = through.open("alice")) {
                for (MessageInfo message : maildrop.messages()) {
                    assertThat(new String(TestMaildir.read(maildrop.content(message)), StandardCharsets.ISO_8859_1))
                            .doesNotContain("root:secret");
                }
                return uids(maildrop);
            }
        });
    }

    @Nested
    class LinksInCurAndNew {

        @Test
        void aLinkToEtcPasswdIsNeitherListedNorServed() throws Exception {
            String real = alice.deliver("a real message\n");
            Files.createSymbolicLink(alice.resolve("cur/1700000999.M1P1.host:2,S"), Path.of("/etc/passwd"));

            assertThat(listAndReadAll(store)).containsExactly(real);
        }

        @Test
        void aLinkToAFileOutsideTheRootIsNeitherListedNorServed() throws Exception {
            Path secret = Files.write(outside.resolve("secret"), SECRET);
            String real = alice.deliver("a real message\n");
            Files.createSymbolicLink(alice.resolve("new/1700000999.M1P1.host,S=36,W=37"), secret);

            assertThat(listAndReadAll(store)).containsExactly(real);
            try (MaildirStore following = MaildirStore.builder(root).followMessageLinks(true).build()) {
                assertThat(listAndReadAll(following)).as("with links to messages allowed").containsExactly(real);
            }
        }

        @Test
        void aLinkToAnotherUsersMessageIsNeitherListedNorServedEvenWithMessageLinksAllowed() throws Exception {
            String bobs = bob.deliver("new", "1700009999.M1P1.bob", SECRET);
            String real = alice.deliver("a real message\n");
            Files.createSymbolicLink(alice.resolve("new/" + bobs), Path.of("../../bob/new/" + bobs));
            Files.createSymbolicLink(alice.resolve("cur/1700000998.M1P1.host:2,"), bob.resolve("new/" + bobs));

            assertThat(listAndReadAll(store)).containsExactly(real);
            try (MaildirStore following = MaildirStore.builder(root).followMessageLinks(true).build()) {
                assertThat(listAndReadAll(following)).containsExactly(real);
            }
        }

        @Test
        void aLinkToAMessageOfTheSameMaildirIsServedOnlyWhenAllowed() throws Exception {
            String target = alice.deliver("cur", alice.nextBase() + ":2,S", "linked to\n".getBytes(StandardCharsets.US_ASCII));
            String link = alice.nextBase();
            Files.createSymbolicLink(alice.resolve("new/" + link), Path.of("../cur/" + target));

            assertThat(listAndReadAll(store)).containsExactly(MaildirStoreTest.base(target));
            try (MaildirStore following = MaildirStore.builder(root).followMessageLinks(true).build();
                 Maildrop maildrop = following.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(MaildirStoreTest.base(target), link);
                assertThat(TestMaildir.read(maildrop.content(maildrop.messages().get(1))))
                        .isEqualTo("linked to\n".getBytes(StandardCharsets.US_ASCII));
            }
        }

        @Test
        void aLinkToDevZeroIsNeitherListedNorRead() throws Exception {
            String real = alice.deliver("a real message\n");
            Files.createSymbolicLink(alice.resolve("new/1700000999.M1P1.host"), Path.of("/dev/zero"));

            assertThat(listAndReadAll(store)).containsExactly(real);
            try (MaildirStore following = MaildirStore.builder(root).followMessageLinks(true).build()) {
                assertThat(listAndReadAll(following)).containsExactly(real);
            }
        }

        @Test
        void aMessageReplacedByALinkDuringTheSessionIsNotServed() throws Exception {
            Path secret = Files.write(outside.resolve("secret"), SECRET);
            String name = alice.deliver("mine\n");
            try (Maildrop maildrop = store.open("alice")) {
                Files.delete(alice.resolve("new/" + name));
                Files.createSymbolicLink(alice.resolve("new/" + name), secret);

                assertThat(failureOf(() -> maildrop.content(maildrop.messages().get(0))))
                        .isEqualTo(StoreException.Kind.TEMPORARY);
            }
        }
    }

    @Nested
    class LinkedDirectories {

        @Test
        void aLinkedCurIsPermanentAndNothingOfItsTargetIsServed() throws Exception {
            bob.deliver("cur", bob.nextBase() + ":2,S", SECRET);
            Files.delete(alice.resolve("cur"));
            Files.createSymbolicLink(alice.resolve("cur"), bob.resolve("cur"));

            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(alice.resolve("poplar.lock")).doesNotExist();
        }

        @Test
        void aLinkedNewIsPermanent() throws Exception {
            Files.delete(alice.resolve("new"));
            Files.createSymbolicLink(alice.resolve("new"), outside);

            assertThat(failureOf(() -> store.open("alice"))).isEqualTo(StoreException.Kind.PERMANENT);
        }

        @Test
        void curSwappedForALinkDuringTheSessionServesAndDeletesNothingOutside() throws Exception {
            String name = alice.deliver("cur", alice.nextBase() + ":2,S", "mine\n".getBytes(StandardCharsets.US_ASCII));
            Path decoy = Files.createDirectory(outside.resolve("decoy"));
            Files.write(decoy.resolve(name), SECRET);
            try (Maildrop maildrop = store.open("alice")) {
                Files.move(alice.resolve("cur"), alice.resolve("cur.real"));
                Files.createSymbolicLink(alice.resolve("cur"), decoy);

                StoreException.Kind read = failureOf(() -> maildrop.content(maildrop.messages().get(0)));
                StoreException.Kind update = failureOf(() -> maildrop.update(Set.copyOf(maildrop.messages()), Set.of()));

                assertThat(read).isIn(StoreException.Kind.PERMANENT, StoreException.Kind.TEMPORARY);
                assertThat(update).isIn(StoreException.Kind.PERMANENT, StoreException.Kind.TEMPORARY);
            }
            assertThat(decoy.resolve(name)).hasBinaryContent(SECRET);
            assertThat(alice.resolve("cur.real/" + name)).hasContent("mine");
        }

        @Test
        void aUserDirectoryLinkedElsewhereIsPermanentByDefault() throws Exception {
            TestMaildir elsewhere = new TestMaildir(outside, "carol");
            elsewhere.deliver(new String(SECRET, StandardCharsets.US_ASCII));
            Files.createSymbolicLink(root.resolve("carol"), elsewhere.path());

            assertThat(failureOf(() -> store.open("carol"))).isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(elsewhere.resolve("poplar.lock")).doesNotExist();
        }

        @Test
        void aUserDirectoryLinkedToBobsIsPermanentEvenWithLinkTargetsAllowed() throws Exception {
            bob.deliver(new String(SECRET, StandardCharsets.US_ASCII));
            Path mallory = root.resolve("mallory");
            Files.createSymbolicLink(mallory, Path.of("bob"));

            assertThat(failureOf(() -> store.open("mallory"))).isEqualTo(StoreException.Kind.PERMANENT);
            try (MaildirStore hosting = MaildirStore.builder(root).mailboxLinkTargets(List.of(outside)).build()) {
                assertThat(failureOf(() -> hosting.open("mallory"))).isEqualTo(StoreException.Kind.PERMANENT);
            }
            assertThat(bob.resolve("poplar.lock")).doesNotExist();
        }

        @Test
        void withLinkTargetsALinkedUserDirectoryIsServedAndItsMailDeleted() throws Exception {
            Path homes = Files.createDirectory(temp.resolve("home"));
            TestMaildir home = new TestMaildir(homes.resolve("carol"), "Maildir");
            String first = home.deliver("one\n");
            String second = home.deliver("two\n");
            Files.createSymbolicLink(root.resolve("carol"), home.path());

            try (MaildirStore hosting = MaildirStore.builder(root).mailboxLinkTargets(List.of(homes)).build()) {
                try (Maildrop maildrop = hosting.open("carol")) {
                    assertThat(uids(maildrop)).containsExactly(first, second);
                    assertThat(TestMaildir.read(maildrop.content(maildrop.messages().get(1))))
                            .isEqualTo("two\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(maildrop.update(Set.of(maildrop.messages().get(0)), Set.of()).isComplete()).isTrue();
                }
                try (Maildrop maildrop = hosting.open("carol")) {
                    assertThat(uids(maildrop)).containsExactly(second);
                }
            }
            assertThat(home.resolve("new/" + first)).doesNotExist();
        }

        @Test
        void withLinkTargetsALinkOutsideThemIsPermanent() throws Exception {
            Path homes = Files.createDirectory(temp.resolve("home"));
            TestMaildir elsewhere = new TestMaildir(outside, "carol");
            Files.createSymbolicLink(root.resolve("carol"), elsewhere.path());

            try (MaildirStore hosting = MaildirStore.builder(root).mailboxLinkTargets(List.of(homes)).build()) {
                assertThat(failureOf(() -> hosting.open("carol"))).isEqualTo(StoreException.Kind.PERMANENT);
            }
        }

        @Test
        void withLinkTargetsAMaildirTheUserReplacedByALinkToAnotherUsersIsPermanent() throws Exception {
            Path homes = Files.createDirectory(temp.resolve("home"));
            TestMaildir bobsHome = new TestMaildir(homes.resolve("bob"), "Maildir");
            bobsHome.deliver(new String(SECRET, StandardCharsets.US_ASCII));
            Files.createDirectories(homes.resolve("carol"));
            Files.createSymbolicLink(homes.resolve("carol/Maildir"), bobsHome.path());
            Files.createSymbolicLink(root.resolve("carol"), homes.resolve("carol/Maildir"));

            try (MaildirStore hosting = MaildirStore.builder(root).mailboxLinkTargets(List.of(homes)).build()) {
                assertThat(failureOf(() -> hosting.open("carol"))).isEqualTo(StoreException.Kind.PERMANENT);
            }
            assertThat(bobsHome.resolve("poplar.lock")).doesNotExist();
        }

        @Test
        void aLinkTargetInsideTheRootIsRefusedByTheBuilder() {
            assertThatThrownBy(
                    () -> MaildirStore.builder(root).mailboxLinkTargets(List.of(root.resolve("bob"))).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mailboxLinkTargets");
        }
    }

    @Nested
    class SpecialFiles {

        @Test
        void aFifoInCurIsSkippedWithoutBlockingAndTheRestIsServed() throws Exception {
            String real = alice.deliver("a real message\n");
            mkfifo(alice.resolve("cur/1700000999.M1P1.host:2,S"));
            mkfifo(alice.resolve("new/1700000998.M1P1.host,S=10,W=11"));

            assertThat(listAndReadAll(store)).containsExactly(real);
            assertThat(listAndReadAll(store)).as("again, from the cache").containsExactly(real);
        }

        @Test
        void aFifoPutInPlaceOfAListedMessageIsRefusedWithoutBlocking() throws Exception {
            String name = alice.deliver("mine\n");
            try (Maildrop maildrop = store.open("alice")) {
                Files.delete(alice.resolve("new/" + name));
                mkfifo(alice.resolve("new/" + name));

                StoreException.Kind kind = assertTimeoutPreemptively(PROMPTLY,
                        () -> failureOf(() -> maildrop.content(maildrop.messages().get(0))));
                assertThat(kind).isEqualTo(StoreException.Kind.TEMPORARY);
            }
        }

        @Test
        void aSocketAndADirectoryInNewAreSkipped() throws Exception {
            String real = alice.deliver("a real message\n");
            Files.createDirectory(alice.resolve("new/1700000997.M1P1.host"));
            try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                socket.bind(UnixDomainSocketAddress.of(alice.resolve("new/1700000996.M1P1.host")));

                assertThat(listAndReadAll(store)).containsExactly(real);
            }
        }

        @Test
        void aDirectoryUnderTheBaseNameOfAMessageDoesNotHideIt() throws Exception {
            String name = alice.deliver("mine\n");
            Files.createDirectories(alice.resolve("cur/" + name + ":2,S"));

            assertThat(listAndReadAll(store)).containsExactly(name);
        }

        @Test
        void aFifoAsTheLockFileIsTemporaryWithoutBlocking() throws Exception {
            alice.deliver("mine\n");
            mkfifo(alice.resolve("poplar.lock"));

            StoreException.Kind kind = assertTimeoutPreemptively(PROMPTLY, () -> failureOf(() -> store.open("alice")));
            assertThat(kind).isEqualTo(StoreException.Kind.TEMPORARY);
            assertThat(alice.resolve("poplar.lock")).exists();
        }

        @Test
        void aUserDirectoryThatIsAFifoIsPermanentWithoutBlocking() throws Exception {
            mkfifo(root.resolve("dave"));

            StoreException.Kind kind = assertTimeoutPreemptively(PROMPTLY, () -> failureOf(() -> store.open("dave")));
            assertThat(kind).isEqualTo(StoreException.Kind.PERMANENT);
        }
    }

    @Nested
    class GrowingFiles {

        @Test
        void contentEndsAtTheSizeTheFileHadWhenItWasOpened() throws Exception {
            String name = alice.deliver("first line\n");
            try (Maildrop maildrop = store.open("alice")) {
                MessageContent content = maildrop.content(maildrop.messages().get(0));
                Files.write(alice.resolve("new/" + name), new byte[1 << 20],
                        StandardOpenOption.APPEND);

                assertThat(TestMaildir.read(content)).isEqualTo("first line\n".getBytes(StandardCharsets.US_ASCII));
            }
        }

        @Test
        void aFileGrowingWhileTheListingScansItDoesNotKeepTheScanGoing() throws Exception {
            Path growing = alice.resolve("new/" + alice.nextBase());
            Files.write(growing, new byte[4 << 20]);
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Files.write(growing, chunk, StandardOpenOption.APPEND);
                        if (Files.size(growing) > (256L << 20)) {
                            return;
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            writer.start();
            try {
                assertTimeoutPreemptively(PROMPTLY, () -> {
                    try (Maildrop maildrop = store.open("alice")) {
                        assertThat(maildrop.messages()).hasSizeLessThanOrEqualTo(1);
                    }
                });
            } finally {
                writer.interrupt();
                writer.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    @Nested
    class Names {

        @Test
        void aNameOfFourHundredOctetsInUtf8IsPermanentAndNothingIsCreated() throws Exception {
            String name = "\u00e9".repeat(200);
            assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(400);

            assertThat(failureOf(() -> store.open(name))).isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(failureOf(() -> store.deliver(name, new ByteArrayInputStream(SECRET))))
                    .isEqualTo(StoreException.Kind.PERMANENT);
            try (Stream<Path> entries = Files.list(root)) {
                assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("alice", "bob");
            }
        }

        @Test
        void aNameOfTwoHundredAndFiftyFiveOctetsIsAMailbox() throws Exception {
            String name = "\u00e9".repeat(127) + "x";
            assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(255);

            try (Maildrop maildrop = store.open(name)) {
                assertThat(maildrop.messages()).isEmpty();
            }
        }

        @Test
        void aNameWithALoneSurrogateIsPermanent() {
            assertThat(failureOf(() -> store.open("alice\ud800"))).isEqualTo(StoreException.Kind.PERMANENT);
        }
    }
}
