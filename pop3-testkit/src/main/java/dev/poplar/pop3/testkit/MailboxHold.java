package dev.poplar.pop3.testkit;

/**
 * A mailbox held locked by a test with {@link Pop3TestServer#holdMailbox(String)}: every login to it gets
 * {@code -ERR [IN-USE]} until {@link #close()}. Thread-safe.
 */
public final class MailboxHold implements AutoCloseable {

    private final String mailbox;
    private final Runnable release;
    private boolean released;

    MailboxHold(String mailbox, Runnable release) {
        this.mailbox = mailbox;
        this.release = release;
    }

    /**
     * The mailbox held.
     *
     * @return its name
     */
    public String mailbox() {
        return mailbox;
    }

    /** Releases the mailbox; logins succeed again. Idempotent. */
    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            release.run();
        }
    }

    @Override
    public String toString() {
        return "MailboxHold[" + mailbox + (released ? ", released" : "") + "]";
    }
}
