package dev.poplar.pop3.spring.boot.test.sample;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Downloads every message of the invoice mailbox, keeps their subjects and deletes them, as configured by
 * {@code invoices.pop3.*}; over pop3s, it trusts the SSL bundle {@code invoices.pop3.ssl-bundle}.
 */
@Component
public class InvoiceImporter {

    private final Properties session = new Properties();
    private final String user;
    private final String password;

    InvoiceImporter(@Value("${invoices.pop3.protocol:pop3}") String protocol,
                    @Value("${invoices.pop3.host}") String host, @Value("${invoices.pop3.port}") int port,
                    @Value("${invoices.pop3.user}") String user, @Value("${invoices.pop3.password}") String password,
                    @Value("${invoices.pop3.ssl-bundle:}") String bundle, SslBundles bundles) {
        String prefix = "mail." + protocol + ".";
        session.put("mail.store.protocol", protocol);
        session.put(prefix + "host", host);
        session.put(prefix + "port", Integer.toString(port));
        session.put(prefix + "timeout", "10000");
        if (!bundle.isEmpty()) {
            session.put(prefix + "ssl.socketFactory", bundles.getBundle(bundle).createSslContext().getSocketFactory());
            session.put(prefix + "ssl.checkserveridentity", "true");
        }
        this.user = user;
        this.password = password;
    }

    /**
     * Imports what the mailbox holds.
     *
     * @return the subjects of the imported invoices
     */
    public List<String> importAll() throws MessagingException, IOException {
        try (Store store = Session.getInstance(session).getStore()) {
            store.connect(user, password);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            List<String> subjects = new ArrayList<>();
            for (Message message : inbox.getMessages()) {
                message.getContent();
                subjects.add(message.getSubject());
                message.setFlag(Flags.Flag.DELETED, true);
            }
            inbox.close(true);
            return subjects;
        }
    }
}
