package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.StoreException;

import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Holds one mailbox open in a process of its own: prints {@code LOCKED} once it holds the lock, releases it when its
 * standard input ends, then prints {@code RELEASED}. If it cannot open the mailbox, prints {@code REFUSED} and the
 * kind of the failure. Arguments: the store root, the mailbox, and optionally the {@link LockScope} (default
 * {@code HOSTS}).
 */
public final class LockHolderMain {

    private LockHolderMain() {
    }

    /**
     * Runs the holder.
     *
     * @param args the store root, the mailbox and optionally the lock scope
     * @throws Exception if the store fails otherwise
     */
    public static void main(String[] args) throws Exception {
        LockScope scope = args.length > 2 ? LockScope.valueOf(args[2]) : LockScope.HOSTS;
        try (MaildirStore store = MaildirStore.builder(Path.of(args[0])).lockScope(scope).build()) {
            Maildrop maildrop;
            try {
                maildrop = store.open(args[1]);
            } catch (StoreException e) {
                System.out.println("REFUSED " + e.kind());
                System.out.flush();
                return;
            }
            try (maildrop) {
                System.out.println("LOCKED " + maildrop.messages().size());
                System.out.flush();
                System.in.transferTo(OutputStream.nullOutputStream());
            }
        }
        System.out.println("RELEASED");
        System.out.flush();
    }
}
