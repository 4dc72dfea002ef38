package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;

import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Holds one mailbox open in a process of its own: prints {@code LOCKED} once it holds the lock, releases it when its
 * standard input ends, then prints {@code RELEASED}. Arguments: the store root and the mailbox.
 */
public final class LockHolderMain {

    private LockHolderMain() {
    }

    /**
     * Runs the holder.
     *
     * @param args the store root and the mailbox
     * @throws Exception if the mailbox cannot be opened
     */
    public static void main(String[] args) throws Exception {
        try (MaildirStore store = MaildirStore.builder(Path.of(args[0])).build();
             Maildrop maildrop = store.open(args[1])) {
            System.out.println("LOCKED " + maildrop.messages().size());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
        System.out.println("RELEASED");
        System.out.flush();
    }
}
