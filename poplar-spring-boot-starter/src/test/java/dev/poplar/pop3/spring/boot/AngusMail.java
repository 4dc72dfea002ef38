package dev.poplar.pop3.spring.boot;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A real POP3 client for the tests: Angus Mail. */
final class AngusMail {

    private AngusMail() {
    }

    /** Properties for {@code pop3} (with STLS required when {@code trust} is given) or {@code pop3s}. */
    static Properties properties(String protocol, int port, SSLContext trust) {
        Properties properties = new Properties();
        String prefix = "mail." + protocol + ".";
        properties.put("mail.store.protocol", protocol);
        properties.put(prefix + "host", "127.0.0.1");
        properties.put(prefix + "port", Integer.toString(port));
        properties.put(prefix + "connectiontimeout", "10000");
        properties.put(prefix + "timeout", "10000");
        if (trust != null) {
            properties.put(prefix + "ssl.socketFactory", trust.getSocketFactory());
            properties.put(prefix + "ssl.checkserveridentity", "true");
            if (protocol.equals("pop3")) {
                properties.put(prefix + "starttls.enable", "true");
                properties.put(prefix + "starttls.required", "true");
            }
        }
        return properties;
    }

    /** Logs in, reads every message (RETR), optionally marks them all deleted, and logs out with QUIT. */
    static List<String> fetchSubjects(Properties properties, String user, String password, boolean delete)
            throws MessagingException, IOException {
        try (Store store = Session.getInstance(properties).getStore()) {
            store.connect(user, password);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(delete ? Folder.READ_WRITE : Folder.READ_ONLY);
            Message[] messages = inbox.getMessages();
            List<String> subjects = new ArrayList<>();
            for (Message message : messages) {
                message.getContent();
                subjects.add(message.getSubject());
            }
            inbox.setFlags(messages, new Flags(Flags.Flag.DELETED), delete);
            inbox.close(delete);
            return subjects;
        }
    }
}
