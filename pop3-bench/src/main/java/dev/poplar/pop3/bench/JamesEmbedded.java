package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.apache.james.protocols.netty.NettyServer;

/**
 * Starts Apache James's POP3 server in this JVM ({@link JamesPop3}: the handler chain, {@code NettyServer},
 * {@code bind()}) on a free loopback port.
 *
 * <p>James 3.8.1's {@code NettyServer} creates an executor group for its handlers at every bind and never shuts it
 * down; each start therefore leaves a few idle threads behind in this JVM.
 */
public final class JamesEmbedded implements EmbeddedServerFactory {

    /** Creates the factory; ServiceLoader calls this. */
    public JamesEmbedded() {
    }

    @Override
    public String target() {
        return "james";
    }

    @Override
    public EmbeddedServer start(Path maildirRoot, Path usersFile) throws IOException {
        NettyServer server = JamesPop3.start(maildirRoot, PlainUsers.read(usersFile),
                new InetSocketAddress("127.0.0.1", 0), null);
        server.setGracefulShutdown(false);
        InetSocketAddress address = server.getListenAddresses().get(0);
        return EmbeddedServer.of(address, server::unbind);
    }
}
