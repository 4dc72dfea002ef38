package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.testkit.store.MailboxStoreContract;
import dev.poplar.pop3.testkit.store.StoreUnderTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The Maildir store against the storage contract: unlinking deleted messages (the default). */
class MaildirStoreContractTest extends MailboxStoreContract {

    @Override
    protected StoreUnderTest createStore() throws IOException {
        return maildirStore(MaildirStore.builder(Files.createTempDirectory("poplar-contract")), false);
    }

    /**
     * A Maildir store over a new temporary root, deleted after the test. Messages are removed behind its back by
     * deleting their files; with {@link DeletedMessages#FLAG_TRASHED}, a removal is made to fail by putting a non-empty
     * directory where the flagged file would go (unlinking cannot be made to fail for a process that may run as root).
     */
    static StoreUnderTest maildirStore(MaildirStore.Builder builder, boolean flagTrashed) throws IOException {
        MaildirStore store = builder.deletedMessages(flagTrashed ? DeletedMessages.FLAG_TRASHED : DeletedMessages.UNLINK)
                .build();
        Path root = store.root();
        return new StoreUnderTest() {
            @Override
            public MaildirStore store() {
                return store;
            }

            @Override
            public void removeBehindTheStore(String mailbox, String uid) throws IOException {
                Files.delete(file(mailbox, uid));
            }

            @Override
            public boolean preventRemoval(String mailbox, String uid) throws IOException {
                if (!flagTrashed) {
                    return false;
                }
                Path file = file(mailbox, uid);
                Path blocker = root.resolve(mailbox).resolve("cur").resolve(uid + ":2,T");
                Files.createDirectories(blocker);
                Files.writeString(blocker.resolve("in-the-way"), "so that the rename fails");
                return Files.exists(file);
            }

            @Override
            public void close() throws IOException {
                store.close();
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }

            private Path file(String mailbox, String uid) throws IOException {
                for (String directory : List.of("new", "cur")) {
                    try (Stream<Path> files = Files.list(root.resolve(mailbox).resolve(directory))) {
                        Optional<Path> found = files.filter(p -> MaildirStoreTest.base(p.getFileName().toString()).equals(uid))
                                .filter(Files::isRegularFile).findFirst();
                        if (found.isPresent()) {
                            return found.get();
                        }
                    }
                }
                throw new IOException("no message " + uid + " in " + mailbox);
            }
        };
    }
}
