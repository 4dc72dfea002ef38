package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Opens a Maildir and ends the session with an update, to be killed in the middle by {@link UpdateCrashTest}.
 * Arguments: the store root, the mailbox, and {@code unlink} or {@code flag} (deleted messages flagged {@code T},
 * retrieved ones {@code S}). Deletes every message whose {@code Message-Id}-derived base name has an even number
 * (the {@code N<number>} part of the base name), retrieves all. Prints {@code UPDATING <messages> <deleted>} just
 * before the update and {@code DONE <microseconds>} after it.
 */
public final class UpdateCrashMain {

    private UpdateCrashMain() {
    }

    /**
     * Runs one session.
     *
     * @param args the store root, the mailbox, the deletion mode
     * @throws Exception if the mailbox cannot be opened or updated
     */
    public static void main(String[] args) throws Exception {
        boolean flag = args[2].equals("flag");
        MaildirStore.Builder builder = MaildirStore.builder(Path.of(args[0]));
        if (flag) {
            builder.deletedMessages(DeletedMessages.FLAG_TRASHED).markRetrievedSeen(true);
        }
        try (MaildirStore store = builder.build(); Maildrop maildrop = store.open(args[1])) {
            List<MessageInfo> messages = maildrop.messages();
            Set<MessageInfo> deleted = new HashSet<>();
            for (MessageInfo message : messages) {
                if (UpdateCrashTest.deleted(message.uid())) {
                    deleted.add(message);
                }
            }
            if (!messages.isEmpty()) {
                // A read opens the Maildir's directories, so that the update below starts changing files at once.
                maildrop.content(messages.get(0)).close();
            }
            System.out.println("UPDATING " + messages.size() + " " + deleted.size());
            System.out.flush();
            long start = System.nanoTime();
            maildrop.update(deleted, Set.copyOf(messages));
            System.out.println("DONE " + (System.nanoTime() - start) / 1_000);
            System.out.flush();
        }
    }
}
