package dev.poplar.pop3.tls;

import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/**
 * Measures self-signed generation time and full handshakes per second on loopback. Not a test: run it with
 * {@code mvn -B -q -pl pop3-tls test-compile exec:java -Dexec.mainClass=dev.poplar.pop3.tls.TlsMeasurements
 * -Dexec.classpathScope=test}. The loops are bounded in count and time.
 */
public final class TlsMeasurements {

    private static final int GENERATIONS = 200;
    private static final int HANDSHAKES = 300;
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private TlsMeasurements() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        DevCertificateAuthority ca = DevCertificateAuthority.create();
        ca.issue();
        System.out.printf(Locale.ROOT, "first CA + leaf (cold JVM):          %8.1f ms%n", millis(start));

        start = System.nanoTime();
        for (int i = 0; i < GENERATIONS; i++) {
            DevCertificateAuthority.create().issue("mail.test");
        }
        System.out.printf(Locale.ROOT, "CA + leaf, mean of %d (warm):       %8.2f ms%n", GENERATIONS,
                millis(start) / GENERATIONS);

        start = System.nanoTime();
        for (int i = 0; i < GENERATIONS; i++) {
            ca.issue("mail.test");
        }
        System.out.printf(Locale.ROOT, "leaf only, mean of %d (warm):       %8.2f ms%n", GENERATIONS,
                millis(start) / GENERATIONS);

        KeyMaterial material = ca.issue();
        handshakes("JDK server, JDK client, EC P-256",
                ServerTls.builder().keyMaterial(material).build(), ca.clientSslContext());
        handshakes("BC server, JDK client, EC P-256",
                ServerTls.builder().keyMaterial(material).provider(TlsProvider.BOUNCY_CASTLE).build(),
                ca.clientSslContext());
        handshakes("BC server + hybrid, BC client + hybrid (X25519MLKEM768)",
                ServerTls.builder().keyMaterial(material).provider(TlsProvider.BOUNCY_CASTLE).postQuantumHybrid(true)
                        .build(),
                ca.clientTls().provider(TlsProvider.BOUNCY_CASTLE).postQuantumHybrid(true).build());
        handshakes("BC server + hybrid, BC client classic (x25519)",
                ServerTls.builder().keyMaterial(material).provider(TlsProvider.BOUNCY_CASTLE).postQuantumHybrid(true)
                        .build(),
                ca.clientTls().provider(TlsProvider.BOUNCY_CASTLE).build());
    }

    private static void handshakes(String label, ServerTls tls, SSLContext client) throws Exception {
        try (tls; TlsTestServer server = TlsTestServer.start(tls.sslContext())) {
            for (int i = 0; i < 50; i++) {
                once(client, server.port());
            }
            long start = System.nanoTime();
            long deadline = start + LIMIT.toNanos();
            int done = 0;
            while (done < HANDSHAKES && System.nanoTime() < deadline) {
                once(client, server.port());
                done++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%-58s %7.0f full handshakes/s (%d, sequential)%n", label,
                    done / seconds, done);
        }
    }

    private static void once(SSLContext client, int port) throws Exception {
        try (TlsTestClient connection = TlsTestClient.connect(client, port)) {
            connection.session().invalidate();
        }
    }

    private static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
