package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;

import java.nio.file.Path;
import java.util.List;

/**
 * Prints what the store presents of one mailbox, one {@code n uidl size} line per message, as
 * {@code src/test/dovecot/compare.sh} compares it with Dovecot's listing. Arguments: the store root, the mailbox, and
 * optionally Dovecot's {@code pop3_uidl_format} (empty for Dovecot's default). Opens the mailbox and closes it without
 * changing anything.
 */
public final class UidlListingMain {

    private UidlListingMain() {
    }

    /**
     * Runs the listing.
     *
     * @param args the store root, the mailbox, optionally the UIDL format
     * @throws Exception if the mailbox cannot be opened
     */
    public static void main(String[] args) throws Exception {
        MaildirStore.Builder builder = MaildirStore.builder(Path.of(args[0]));
        if (args.length > 2 && !args[2].isBlank()) {
            builder.dovecotUidlFormat(args[2].strip());
        }
        try (MaildirStore store = builder.build(); Maildrop maildrop = store.open(args[1])) {
            List<MessageInfo> messages = maildrop.messages();
            for (int i = 0; i < messages.size(); i++) {
                System.out.println((i + 1) + " " + messages.get(i).uid() + " " + messages.get(i).size());
            }
        }
    }
}
