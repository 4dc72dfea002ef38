package dev.poplar.pop3.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * GreenMail 2.1.3 as a benchmark peer: a process that seeds GreenMail's in-memory store with the fixture's users
 * and messages (read from the Maildir fixture, in file-name order, converted to CRLF line ends), then serves
 * POP3 and POP3S on loopback.
 *
 * <p>GreenMail closes a connection after 30 s without input by default; this server raises that to the
 * 10 minutes RFC 1939 section 3 requires of an autologout timer, as the other targets do.
 */
public final class GreenMailServer {

    private static final int AUTOLOGOUT_MILLIS = 600_000;

    private GreenMailServer() {
    }

    /**
     * Runs GreenMail until the process is stopped.
     *
     * @param args {@code --maildir-root DIR --users FILE --bind HOST --port N --tls-port N --keystore P12
     *             --keystore-password PW}
     */
    public static void main(String[] args) {
        Map<String, String> options = Cli.peerServer("greenmail-server", args);
        System.setProperty("greenmail.tls.keystore.file", options.get("--keystore"));
        System.setProperty("greenmail.tls.keystore.password", options.get("--keystore-password"));
        System.setProperty("greenmail.tls.key.password", options.get("--keystore-password"));
        String bind = options.get("--bind");
        try {
            GreenMail greenMail = new GreenMail(new ServerSetup[] {
                new ServerSetup(Cli.port(options, "--port"), bind, ServerSetup.PROTOCOL_POP3),
                new ServerSetup(Cli.port(options, "--tls-port"), bind, ServerSetup.PROTOCOL_POP3S)});
            long start = System.nanoTime();
            int messages = seed(greenMail, Path.of(options.get("--maildir-root")), Path.of(options.get("--users")));
            greenMail.getPop3().setClientSocketTimeout(AUTOLOGOUT_MILLIS);
            greenMail.getPop3s().setClientSocketTimeout(AUTOLOGOUT_MILLIS);
            greenMail.start();
            Runtime.getRuntime().addShutdownHook(new Thread(greenMail::stop));
            System.out.println("greenmail-server: seeded " + messages + " messages in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms; serving");
        } catch (IOException | MessagingException | RuntimeException e) {
            System.err.println("greenmail-server: " + e);
            System.exit(1);
        }
    }

    /**
     * Creates every user of a passwd-file ({@code user:{PLAIN}password}) and delivers the messages of
     * {@code maildirRoot/user/{new,cur}} to it.
     *
     * @return the number of messages delivered
     * @throws IOException        if a file cannot be read, or a password is not {@code {PLAIN}}
     * @throws MessagingException if a message cannot be parsed
     */
    static int seed(GreenMail greenMail, Path maildirRoot, Path usersFile) throws IOException, MessagingException {
        Session session = Session.getInstance(new Properties());
        int messages = 0;
        for (Map.Entry<String, String> user : PlainUsers.read(usersFile).entrySet()) {
            var account = greenMail.setUser(user.getKey() + "@example.org", user.getKey(), user.getValue());
            for (Path file : MaildirFolder.messageFiles(maildirRoot.resolve(user.getKey()))) {
                byte[] crlf = toCrlf(Files.readAllBytes(file));
                account.deliver(new MimeMessage(session, new ByteArrayInputStream(crlf)));
                messages++;
            }
        }
        return messages;
    }

    /**
     * A Maildir message (LF line ends) in the CRLF form it arrives in by SMTP: GreenMail sends stored content
     * as it is, and would otherwise send bare LFs.
     */
    static byte[] toCrlf(byte[] lf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(lf.length + lf.length / 32);
        for (int i = 0; i < lf.length; i++) {
            if (lf[i] == '\n' && (i == 0 || lf[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(lf[i]);
        }
        return out.toByteArray();
    }
}
