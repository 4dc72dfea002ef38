package dev.poplar.examples;

import dev.poplar.pop3.auth.passwd.PasswordScheme;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.KeyMaterial;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@code poplar cds-training}: one short, typical run of the server for the launcher to record a class-data-sharing
 * archive from ({@code java -XX:ArchiveClassesAtExit=...}). In a temporary directory it writes a configuration file,
 * a users file, a Maildir and PEM certificate files, starts the server from them on free loopback ports, logs in over
 * plain POP3 and over implicit TLS and retrieves a message, then stops and removes the directory. So the archive holds
 * the classes a real start loads (YAML, Maildir, password hashing, PEM, TLS, MINA), and none of a real user's data.
 */
final class CdsTraining {

    private static final String USER = "training";
    private static final String PASSWORD = "training-password";

    private CdsTraining() {
    }

    /**
     * Runs the training.
     *
     * @param err where a failure is reported
     * @return 0 on success, 1 on failure
     */
    static int run(PrintStream err) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("poplar-cds-");
            Path config = prepare(dir);
            ServerConfig parsed = ServerConfig.fromFile(config, name -> null);
            try (Standalone server = Standalone.start(parsed, new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.UTF_8))) {
                session(SocketFactory.getDefault(), server.server().localAddress(server.plain().get()));
                session(trusting(dir.resolve("ca.pem")).getSocketFactory(),
                        server.server().localAddress(server.secure().get()));
            }
            return 0;
        } catch (Exception e) {
            err.println("poplar cds-training: " + e);
            return 1;
        } finally {
            delete(dir);
        }
    }

    private static Path prepare(Path dir) throws IOException {
        DevCertificateAuthority ca = DevCertificateAuthority.create();
        KeyMaterial material = ca.issue();
        material.writePem(dir.resolve("chain.pem"), dir.resolve("key.pem"));
        ca.writeCaPem(dir.resolve("ca.pem"));
        Files.writeString(dir.resolve("users"), USER + ":" + PasswordScheme.SHA512_CRYPT.hash(PASSWORD) + "\n");
        Path maildir = dir.resolve("mail").resolve(USER);
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        Files.writeString(maildir.resolve("new").resolve("1700000000.M1P1.training,S=40"),
                "Subject: training\n\n.a dot-stuffed line\n");
        Path config = dir.resolve("poplar.yaml");
        Files.writeString(config, String.join("\n",
                "listeners:",
                "  - {name: pop3, address: 127.0.0.1, port: 0}",
                "  - {name: pop3s, address: 127.0.0.1, port: 0, implicit_tls: true}",
                "tls:",
                "  certificate: chain.pem",
                "  key: key.pem",
                "  reload_interval: 0",
                "store:",
                "  maildir:",
                "    root: mail",
                "auth:",
                "  users_file: users",
                "  app_passwords: app-passwords",
                "limits:",
                "  max_connections: 10",
                "  idle_timeout: 10m",
                ""));
        return config;
    }

    /**
     * A client context that trusts one CA certificate (and no other).
     *
     * @param caFile the CA certificate, PEM
     * @return the context
     * @throws IOException if the file cannot be read
     * @throws GeneralSecurityException if it holds no certificate
     */
    static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static void session(SocketFactory sockets, InetSocketAddress address) throws IOException {
        try (Socket socket = sockets.createSocket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            expect(in.readLine());
            for (String command : new String[] {"CAPA", "USER " + USER, "PASS " + PASSWORD, "STAT", "UIDL", "LIST",
                    "RETR 1", "TOP 1 0", "QUIT"}) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                expect(in.readLine());
                if (command.equals("CAPA") || command.equals("UIDL") || command.equals("LIST")
                        || command.startsWith("RETR") || command.startsWith("TOP")) {
                    for (String line = in.readLine(); !".".equals(line); line = in.readLine()) {
                        if (line == null) {
                            throw new IOException("connection closed in a multi-line reply to " + command);
                        }
                    }
                }
            }
        }
    }

    private static void expect(String line) throws IOException {
        if (line == null || !line.startsWith("+OK")) {
            throw new IOException("unexpected reply: " + line);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
