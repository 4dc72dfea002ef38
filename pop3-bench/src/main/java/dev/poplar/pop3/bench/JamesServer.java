package dev.poplar.pop3.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.james.protocols.netty.NettyServer;

/**
 * Apache James's POP3 server ({@link JamesPop3}) as a benchmark peer in its own process: plain POP3 and implicit
 * TLS (POP3S) on loopback, over the fixture's Maildir folders and passwords, with the fixture's key store.
 */
public final class JamesServer {

    private JamesServer() {
    }

    /**
     * Runs James until the process is stopped.
     *
     * @param args {@code --maildir-root DIR --users FILE --bind HOST --port N --tls-port N --keystore P12
     *             --keystore-password PW}
     */
    public static void main(String[] args) {
        Map<String, String> options = Cli.peerServer("james-server", args);
        String bind = options.get("--bind");
        try {
            Path root = Path.of(options.get("--maildir-root"));
            Map<String, String> users = PlainUsers.read(Path.of(options.get("--users")));
            SSLContext tls = serverContext(Path.of(options.get("--keystore")), options.get("--keystore-password"));
            NettyServer plain = JamesPop3.start(root, users, new InetSocketAddress(bind, Cli.port(options, "--port")),
                    null);
            NettyServer pop3s = JamesPop3.start(root, users,
                    new InetSocketAddress(bind, Cli.port(options, "--tls-port")), tls);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                plain.unbind();
                pop3s.unbind();
            }));
            System.out.println("james-server: " + users.size() + " users; serving");
        } catch (IOException | RuntimeException e) {
            System.err.println("james-server: " + e);
            System.exit(1);
        }
    }

    /**
     * A server context with the key of a PKCS#12 key store (the key and the store share the password).
     *
     * @throws IOException if the store cannot be read or holds no usable key
     */
    static SSLContext serverContext(Path keyStore, String password) throws IOException {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, password.toCharArray());
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a TLS server context from " + keyStore + ": " + e.getMessage(), e);
        }
    }
}
