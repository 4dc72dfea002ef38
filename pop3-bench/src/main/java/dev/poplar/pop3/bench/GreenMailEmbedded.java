package dev.poplar.pop3.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Starts GreenMail in this JVM: {@code new GreenMail(...)}, seeding, {@code start()}, on a free port. */
public final class GreenMailEmbedded implements EmbeddedServerFactory {

    /** Creates the factory; ServiceLoader calls this. */
    public GreenMailEmbedded() {
    }

    @Override
    public String target() {
        return "greenmail";
    }

    /** GreenMail's in-process server is also what a test writer starts: in memory, seeded at each start. */
    @Override
    public boolean testServer() {
        return true;
    }

    @Override
    public EmbeddedServer start(Path maildirRoot, Path usersFile) throws IOException {
        GreenMail greenMail = new GreenMail(
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
        try {
            GreenMailServer.seed(greenMail, maildirRoot, usersFile);
            greenMail.start();
        } catch (MessagingException | RuntimeException e) {
            greenMail.stop();
            throw new IOException("GreenMail did not start: " + e.getMessage(), e);
        }
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", greenMail.getPop3().getPort());
        return EmbeddedServer.of(address, greenMail::stop);
    }
}
