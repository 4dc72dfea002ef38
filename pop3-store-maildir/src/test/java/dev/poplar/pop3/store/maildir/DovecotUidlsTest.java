package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.maildir.internal.MessageFile;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.poplar.pop3.store.maildir.MaildirStoreTest.uids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Maildirs that a real Dovecot (Debian's dovecot-pop3d) served over POP3, with the UIDLs it gave: captured by
 * {@code src/test/dovecot/capture-fixtures.sh} into {@code src/test/resources/dovecot/}. The store must present the
 * same UIDLs, in the same order.
 */
class DovecotUidlsTest {

    @TempDir
    Path root;

    static Path fixtures() {
        try {
            return Path.of(DovecotUidlsTest.class.getResource("/dovecot").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> scenarios() throws IOException {
        try (Stream<Path> entries = Files.list(fixtures())) {
            List<String> names = entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
                    .toList();
            assertThat(names).as("captured scenarios").contains("fresh", "grown", "migrated", "courier", "format");
            return names.stream();
        }
    }

    static Stream<String> scenariosWithAnEarlierUidlist() throws IOException {
        return scenarios().filter(s -> Files.exists(fixtures().resolve(s).resolve("dovecot-uidlist.before")));
    }

    /** What Dovecot listed: one "n uidl size" line per message. */
    record Listed(int number, String uidl, long size) {
    }

    static List<Listed> dovecotListing(String scenario) throws IOException {
        List<Listed> listed = new ArrayList<>();
        for (String line : Files.readAllLines(fixtures().resolve(scenario).resolve("uidl.txt"))) {
            String[] fields = line.split(" ");
            listed.add(new Listed(Integer.parseInt(fields[0]), fields[1], Long.parseLong(fields[2])));
        }
        return listed;
    }

    /** Copies a scenario's Maildir to root/alice. */
    Path copyMaildir(String scenario) throws IOException {
        Path source = fixtures().resolve(scenario).resolve("Maildir");
        Path target = root.resolve("alice");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(target.resolve(sub));
        }
        return target;
    }

    MaildirStore storeFor(String scenario) throws IOException {
        Path format = fixtures().resolve(scenario).resolve("uidl-format.txt");
        MaildirStore.Builder builder = MaildirStore.builder(root);
        if (Files.exists(format)) {
            builder.dovecotUidlFormat(Files.readString(format).strip());
        }
        return builder.build();
    }

    static boolean endsWithLineFeed(byte[] content) {
        return content.length == 0 || content[content.length - 1] == '\n';
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theStorePresentsTheUidlsDovecotGaveInDovecotsOrder(String scenario) throws Exception {
        copyMaildir(scenario);
        List<Listed> dovecot = dovecotListing(scenario);
        try (MaildirStore store = storeFor(scenario); Maildrop maildrop = store.open("alice")) {
            assertThat(uids(maildrop)).as(scenario).containsExactlyElementsOf(dovecot.stream().map(Listed::uidl).toList());
            for (int i = 0; i < dovecot.size(); i++) {
                MessageInfo message = maildrop.messages().get(i);
                byte[] content = TestMaildir.read(maildrop.content(message));
                // Dovecot does not count the CRLF it adds after a message without a final line end; POP3 sends it.
                long expected = dovecot.get(i).size() + (endsWithLineFeed(content) ? 0 : 2);
                assertThat(message.size()).as("size of %s in %s", message.uid(), scenario).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenariosWithAnEarlierUidlist")
    void theUidlistAsItWasBeforeDovecotServedTheMaildirGivesTheSameUidlsForTheMessagesItNames(String scenario)
            throws Exception {
        Path maildir = copyMaildir(scenario);
        Files.copy(fixtures().resolve(scenario).resolve("dovecot-uidlist.before"), maildir.resolve("dovecot-uidlist"),
                StandardCopyOption.REPLACE_EXISTING);
        String before = Files.readString(maildir.resolve("dovecot-uidlist"));
        List<String> dovecot = dovecotListing(scenario).stream().map(Listed::uidl).toList();
        try (MaildirStore store = storeFor(scenario); Maildrop maildrop = store.open("alice")) {
            for (MessageInfo message : maildrop.messages()) {
                String base = message.handle(MessageFile.class).name().base();
                if (before.contains(base)) {
                    assertThat(dovecot).as("Dovecot's UIDLs").contains(message.uid());
                } else {
                    assertThat(message.uid()).as("a message the earlier list does not name").isEqualTo(base);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void turnedOffTheStoreUsesBaseNamesAsBefore(String scenario) throws Exception {
        Path maildir = copyMaildir(scenario);
        List<String> bases;
        try (Stream<Path> files = Files.list(maildir.resolve("cur"))) {
            bases = files.map(p -> MaildirStoreTest.base(p.getFileName().toString())).sorted().toList();
        }
        try (MaildirStore store = MaildirStore.builder(root).dovecotUidls(false).build();
             Maildrop maildrop = store.open("alice")) {
            assertThat(uids(maildrop)).containsExactlyInAnyOrderElementsOf(bases);
        }
    }

    @Nested
    class HandWrittenUidlists {

        TestMaildir alice;

        void uidlist(String text) throws IOException {
            Path file = alice.resolve("dovecot-uidlist");
            Files.writeString(file, text, StandardCharsets.UTF_8);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        }

        @Test
        void aMaildirWithoutAUidlistKeepsItsBaseNames() throws Exception {
            alice = new TestMaildir(root, "alice");
            String first = alice.deliver("one\n");
            String second = alice.deliver("two\n");
            try (MaildirStore store = MaildirStore.builder(root).build(); Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(first, second);
            }
        }

        @Test
        void aUidlistWrittenLaterIsReadAtTheNextOpenAlthoughTheDirectoriesDidNotChange() throws Exception {
            alice = new TestMaildir(root, "alice");
            String first = alice.deliver("one\n");
            alice.ageDirectories();
            try (MaildirStore store = MaildirStore.builder(root).build()) {
                try (Maildrop maildrop = store.open("alice")) {
                    assertThat(uids(maildrop)).containsExactly(first);
                }
                uidlist("3 V1000 N2\n1 :" + first + "\n");
                try (Maildrop maildrop = store.open("alice")) {
                    assertThat(uids(maildrop)).containsExactly("00000001000003e8");
                }
            }
        }

        @Test
        void messagesTheUidlistDoesNotNameFollowWithTheirBaseNames() throws Exception {
            alice = new TestMaildir(root, "alice");
            String first = alice.deliver("one\n");
            String second = alice.deliver("two\n");
            String third = alice.deliver("three\n");
            uidlist("3 V1 N9\n7 :" + third + "\n8 :" + first + ":2,S\n");
            try (MaildirStore store = MaildirStore.builder(root).build(); Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly("0000000700000001", "0000000800000001", second);
            }
        }

        @Test
        void aUidlTakenByAnotherMessagesBaseNameLeavesThatMessageItsHashedName() throws Exception {
            alice = new TestMaildir(root, "alice");
            String first = alice.deliver("one\n");
            alice.deliver("new", "0000000100000001", "two\n".getBytes(StandardCharsets.US_ASCII));
            uidlist("3 V1 N2\n1 :" + first + "\n");
            try (MaildirStore store = MaildirStore.builder(root).build(); Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).hasSize(2).doesNotHaveDuplicates()
                        .startsWith("0000000100000001").last().asString().startsWith("0000000100000001~");
            }
        }

        @Test
        void anInvalidPop3UidlInTheUidlistGivesWayToTheFormat() throws Exception {
            alice = new TestMaildir(root, "alice");
            String first = alice.deliver("one\n");
            uidlist("3 V1 N2\n1 P" + "x".repeat(71) + " :" + first + "\n");
            try (MaildirStore store = MaildirStore.builder(root).build(); Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly("0000000100000001");
            }
        }

        @Test
        void aUidlistThatIsALinkIsIgnored() throws Exception {
            alice = new TestMaildir(root, "alice");
            String first = alice.deliver("one\n");
            Path elsewhere = Files.writeString(root.resolve("elsewhere"), "3 V1 N2\n1 :" + first + "\n");
            Files.createSymbolicLink(alice.resolve("dovecot-uidlist"), elsewhere);
            try (MaildirStore store = MaildirStore.builder(root).build(); Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(first);
            }
        }

        @Test
        void aUidlistWithoutUidValidityIsIgnored() throws Exception {
            alice = new TestMaildir(root, "alice");
            String first = alice.deliver("one\n");
            uidlist("3 N2\n1 :" + first + "\n");
            try (MaildirStore store = MaildirStore.builder(root).build(); Maildrop maildrop = store.open("alice")) {
                assertThat(uids(maildrop)).containsExactly(first);
            }
        }
    }

    @Test
    void anUnknownFormatVariableIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> MaildirStore.builder(root).dovecotUidlFormat("%m").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("dovecotUidlFormat");
    }
}
