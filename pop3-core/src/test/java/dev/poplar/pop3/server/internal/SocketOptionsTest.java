package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.server.TestConfigs;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.apache.mina.transport.socket.SocketSessionConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The socket settings of the builder reach the server's side of real connections. */
class SocketOptionsTest {

    static Pop3Server.Builder builder() {
        return Pop3Server.builder().store(new InMemoryMailboxStore())
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")));
    }

    /** Starts an engine, connects one client, and reads the server side's socket options. */
    static Snapshot serverSide(Pop3Server.Builder builder) throws IOException {
        Engine engine = new Engine(TestConfigs.of(builder));
        engine.start();
        try (Socket client = new Socket()) {
            client.connect(engine.localAddresses().get(0), 5000);
            client.setSoTimeout(5000);
            InputStream in = client.getInputStream();
            while (in.read() != '\n') {
                // The greeting: the server has set the connection up.
            }
            List<SocketSessionConfig> sockets = engine.connectionSockets();
            assertThat(sockets).hasSize(1);
            SocketSessionConfig config = sockets.get(0);
            return new Snapshot(config.isKeepAlive(), config.getReceiveBufferSize(), config.getSendBufferSize());
        } finally {
            engine.close();
        }
    }

    @Test
    void keepaliveIsOnByDefault() throws IOException {
        assertThat(serverSide(builder().shutdownGracePeriod(java.time.Duration.ZERO)).keepAlive()).isTrue();
    }

    @Test
    void keepaliveCanBeTurnedOff() throws IOException {
        assertThat(serverSide(builder().tcpKeepAlive(false).shutdownGracePeriod(java.time.Duration.ZERO))
                .keepAlive()).isFalse();
    }

    @Test
    void bufferSizesReachTheSocket() throws IOException {
        Snapshot config = serverSide(builder().receiveBufferSize(96 * 1024).sendBufferSize(48 * 1024)
                .shutdownGracePeriod(java.time.Duration.ZERO));
        // Linux doubles the value it is given, for its own bookkeeping; other systems keep it.
        assertThat(config.receiveBuffer()).isIn(96 * 1024, 2 * 96 * 1024);
        assertThat(config.sendBuffer()).isIn(48 * 1024, 2 * 48 * 1024);
    }

    /** The values read from the server's socket while it was open. */
    record Snapshot(boolean keepAlive, int receiveBuffer, int sendBuffer) {
    }
}
