package dev.poplar.examples.poller;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;

import java.util.Objects;
import java.util.Properties;

/**
 * A small mail-polling application, the kind that needs a POP3 server in its tests: it logs in with Jakarta Mail
 * (Angus Mail), downloads every message, hands each to a {@link MessageHandler}, and deletes what the handler took.
 *
 * <p>Deletion follows POP3: messages are only marked while the poller works and leave the mailbox when it ends the
 * session with {@code QUIT}. A message that cannot be downloaded, or that the handler refuses, stays for the next
 * poll; if the connection breaks, nothing at all is deleted and the next poll sees everything again, so the handler
 * must tolerate seeing a message twice.
 *
 * <p>The connection comes from Jakarta Mail properties ({@code mail.store.protocol}, {@code mail.pop3.host},
 * {@code mail.pop3.starttls.required}, ...), as an application reads them from its configuration. Not thread-safe:
 * one poll at a time.
 */
public final class MailPoller {

    /** What the application does with each message. */
    @FunctionalInterface
    public interface MessageHandler {
        /**
         * Takes one message; returning normally means it is taken care of and may be deleted.
         *
         * @param message the whole message, downloaded
         * @throws Exception to leave the message in the mailbox for the next poll
         */
        void handle(MimeMessage message) throws Exception;
    }

    /**
     * What one poll did.
     *
     * @param found the messages in the mailbox
     * @param handled the messages handed over and marked for deletion
     * @param failed the messages that could not be downloaded or that the handler refused
     */
    public record PollResult(int found, int handled, int failed) {
    }

    private final Properties properties;
    private final String user;
    private final String password;
    private final MessageHandler handler;

    /**
     * Creates a poller.
     *
     * @param properties Jakarta Mail properties naming the protocol ({@code pop3} or {@code pop3s}), host, port and
     *     TLS settings; copied
     * @param user the user name
     * @param password the password
     * @param handler what to do with each message
     */
    public MailPoller(Properties properties, String user, String password, MessageHandler handler) {
        this.properties = new Properties();
        this.properties.putAll(Objects.requireNonNull(properties, "properties"));
        this.user = Objects.requireNonNull(user, "user");
        this.password = Objects.requireNonNull(password, "password");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Polls the mailbox once.
     *
     * @return what the poll did
     * @throws MessagingException if the server cannot be reached, refuses the login, or the connection breaks (then
     *     nothing is deleted)
     */
    public PollResult poll() throws MessagingException {
        Store store = Session.getInstance(properties).getStore();
        store.connect(user, password);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] messages = inbox.getMessages();
            int handled = 0;
            for (Message message : messages) {
                if (take(inbox, message)) {
                    message.setFlag(Flags.Flag.DELETED, true);
                    handled++;
                }
            }
            inbox.close(true);
            return new PollResult(messages.length, handled, messages.length - handled);
        } finally {
            store.close();
        }
    }

    private boolean take(Folder inbox, Message message) throws MessagingException {
        MimeMessage copy;
        try {
            copy = new MimeMessage((MimeMessage) message);
        } catch (MessagingException e) {
            if (!inbox.isOpen()) {
                throw e;
            }
            return false;
        }
        try {
            handler.handle(copy);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
