package dev.poplar.pop3.auth.passwd;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Measures how long a failed password login takes for a known {@code PLAIN} user, a known {@code SHA512-CRYPT} user,
 * a user with app passwords and an unknown user, in a users file that mixes both schemes (median, 10th and 90th
 * percentile of many interleaved attempts after a warm-up). They should be the same: the time must not tell whether a
 * user exists or which scheme it has. Not a test (timings on a shared machine are no assertion); run it by hand:
 *
 * <pre>
 * mvn -B -q -pl pop3-auth-passwd -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp pop3-auth-passwd/target/test-classes:pop3-auth-passwd/target/classes:$(cat /tmp/cp.txt) \
 *     dev.poplar.pop3.auth.passwd.PasswdTimingMeasurement 2000
 * </pre>
 */
public final class PasswdTimingMeasurement {

    private PasswdTimingMeasurement() {
    }

    /**
     * Runs the measurement.
     *
     * @param args the number of measured attempts per user (default 2000)
     * @throws Exception if the scratch files cannot be written
     */
    public static void main(String[] args) throws Exception {
        int attempts = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("poplar-timing");
        try {
            Path users = Files.writeString(dir.resolve("users"), String.join("\n",
                    "bob:" + Fixtures.fieldOf("doveadm.passwd", "sha512-crypt"),
                    "alice:{PLAIN}secret",
                    "carol:{PLAIN}other") + "\n");
            AppPasswords apps = AppPasswords.at(dir.resolve("app-passwords"));
            apps.add("carol", "Phone", List.of());
            apps.add("carol", "Laptop", List.of("192.0.2.0/24"));
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.builder(users).appPasswords(apps).build();
            ClientInfo client = new ClientInfo("s", "default",
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 110), false, List.of());
            String[] names = {"alice", "bob", "carol", "nobody"};
            String[] labels = {"known, PLAIN", "known, SHA512-CRYPT", "known, PLAIN, 2 app passwords", "unknown"};
            long[][] nanos = new long[names.length][attempts];
            for (int round = -attempts / 4; round < attempts; round++) {
                for (int u = 0; u < names.length; u++) {
                    long start = System.nanoTime();
                    AuthResult result = authenticator.authenticate(new Credentials.Password(names[u], "wrong"),
                            client);
                    long elapsed = System.nanoTime() - start;
                    if (!(result instanceof AuthResult.Rejected)) {
                        throw new IllegalStateException("a wrong password was not rejected: " + result);
                    }
                    if (round >= 0) {
                        nanos[u][round] = elapsed;
                    }
                }
            }
            System.out.printf("%-32s %10s %10s %10s%n", "user (wrong password)", "median ms", "p10 ms", "p90 ms");
            for (int u = 0; u < names.length; u++) {
                Arrays.sort(nanos[u]);
                System.out.printf("%-32s %10.3f %10.3f %10.3f%n", labels[u], nanos[u][attempts / 2] / 1e6,
                        nanos[u][attempts / 10] / 1e6, nanos[u][attempts * 9 / 10] / 1e6);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }
}
