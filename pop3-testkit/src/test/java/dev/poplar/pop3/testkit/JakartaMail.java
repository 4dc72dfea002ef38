package dev.poplar.pop3.testkit;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A real client for the tests: Angus Mail over the properties the test server hands out. */
final class JakartaMail {

    private JakartaMail() {
    }

    /** Logs in, reads every subject (RETR), optionally deletes everything, and logs out with QUIT. */
    static List<String> fetchSubjects(Properties properties, String user, String password, boolean delete)
            throws MessagingException {
        Store store = Session.getInstance(properties).getStore();
        store.connect(user, password);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(delete ? Folder.READ_WRITE : Folder.READ_ONLY);
            List<String> subjects = new ArrayList<>();
            for (Message message : inbox.getMessages()) {
                try {
                    message.getContent();
                } catch (java.io.IOException e) {
                    throw new MessagingException("could not read message " + message.getMessageNumber(), e);
                }
                subjects.add(message.getSubject());
                if (delete) {
                    message.setFlag(Flags.Flag.DELETED, true);
                }
            }
            inbox.close(delete);
            return subjects;
        } finally {
            store.close();
        }
    }

    static List<String> fetchSubjects(Pop3TestServer server, String user, String password, boolean delete)
            throws MessagingException {
        return fetchSubjects(server.jakartaMailProperties(), user, password, delete);
    }
}
