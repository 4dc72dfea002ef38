package dev.poplar.pop3.bench;

import dev.poplar.pop3.auth.passwd.PasswdFileAuthenticator;
import dev.poplar.pop3.auth.passwd.PasswdFileException;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.maildir.MaildirStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Starts Poplar in this JVM as an application would: a {@code MaildirStore} over the fixture, the passwd-file,
 * {@code Pop3Server.builder()...build().start()} on a free loopback port, default settings otherwise.
 */
public final class PoplarEmbedded implements EmbeddedServerFactory {

    /** Creates the factory; ServiceLoader calls this. */
    public PoplarEmbedded() {
    }

    @Override
    public String target() {
        return "poplar";
    }

    @Override
    public EmbeddedServer start(Path maildirRoot, Path usersFile) throws IOException {
        PasswdFileAuthenticator users;
        try {
            users = PasswdFileAuthenticator.load(usersFile);
        } catch (PasswdFileException e) {
            throw new IOException(e.getMessage(), e);
        }
        MaildirStore store = MaildirStore.builder(maildirRoot).build();
        Pop3Server server = Pop3Server.builder()
                .store(store)
                .authenticator(users)
                .listener(Listener.plain("127.0.0.1", 0))
                .shutdownGracePeriod(Duration.ZERO)
                .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            store.close();
            throw e;
        }
        InetSocketAddress address = server.localAddress();
        return EmbeddedServer.of(address, () -> {
            server.close();
            store.close();
        });
    }
}
