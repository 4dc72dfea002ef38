package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.Maildrop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Measures {@code open()} + {@code messages()} on large Maildirs, half the messages in {@code new/}, half in
 * {@code cur/}: cold (a new store; without {@code ,W=} every file is read once), warm (cached listing; median of 21),
 * and after one delivery (directories read again, known messages reused; median of 5). Not a test; run it by hand:
 *
 * <pre>
 * mvn -B -q -pl pop3-store-maildir -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp pop3-store-maildir/target/test-classes:pop3-store-maildir/target/classes:$(cat /tmp/cp.txt) \
 *     dev.poplar.pop3.store.maildir.MaildirListingMeasurement /tmp/poplar-measure 10000 100000
 * </pre>
 *
 * The directory is created and deleted again.
 */
public final class MaildirListingMeasurement {

    private static final int WARM_RUNS = 21;
    private static final int ONE_NEW_RUNS = 5;

    private MaildirListingMeasurement() {
    }

    /**
     * Runs the measurement.
     *
     * @param args a scratch directory, then message counts
     * @throws Exception if the file system fails
     */
    public static void main(String[] args) throws Exception {
        Path scratch = Path.of(args[0]);
        System.out.printf("%-9s %-6s %12s %12s %14s%n", "messages", "names", "cold ms", "warm ms", "one new ms");
        for (int i = 1; i < args.length; i++) {
            int count = Integer.parseInt(args[i]);
            for (boolean withW : new boolean[] {true, false}) {
                Files.createDirectories(scratch);
                Path root = Files.createTempDirectory(scratch, "root");
                try {
                    measure(root, count, withW);
                } finally {
                    delete(root);
                }
            }
        }
    }

    private static void measure(Path root, int count, boolean withW) throws Exception {
        TestMaildir maildir = new TestMaildir(root, "bulk");
        byte[] content = ("From: someone@example.org\nTo: bulk@example.org\nSubject: message\n\n"
                + "A short body line.\n".repeat(8)).getBytes(StandardCharsets.US_ASCII);
        long size = ContentFacts.of(content).size();
        for (int n = 0; n < count; n++) {
            String name = maildir.nextBase() + ",S=" + content.length + (withW ? ",W=" + size : "");
            Files.write(maildir.resolve(n % 2 == 0 ? "new/" + name : "cur/" + name + ":2,S"), content);
        }
        maildir.setDirectoryTimes(FileTime.from(Instant.now().minusSeconds(3600)));

        double cold;
        double[] warm = new double[WARM_RUNS];
        double[] oneNew = new double[ONE_NEW_RUNS];
        try (MaildirStore store = MaildirStore.builder(root).build()) {
            cold = openAndList(store, count);
            for (int run = 0; run < WARM_RUNS; run++) {
                warm[run] = openAndList(store, count);
            }
            for (int run = 0; run < ONE_NEW_RUNS; run++) {
                maildir.deliver("new", maildir.nextBase() + (withW ? ",W=" + size : ""), content);
                maildir.setDirectoryTimes(FileTime.from(Instant.now().minusSeconds(60)));
                oneNew[run] = openAndList(store, count + run + 1);
            }
        }
        Arrays.sort(warm);
        Arrays.sort(oneNew);
        System.out.printf("%-9d %-6s %12.1f %12.3f %14.1f%n", count, withW ? "W=" : "no W=", cold,
                warm[WARM_RUNS / 2], oneNew[ONE_NEW_RUNS / 2]);
    }

    private static double openAndList(MaildirStore store, int expected) throws Exception {
        long start = System.nanoTime();
        try (Maildrop maildrop = store.open("bulk")) {
            int listed = maildrop.messages().size();
            double millis = (System.nanoTime() - start) / 1e6;
            if (listed != expected) {
                throw new IllegalStateException("listed " + listed + " messages, expected " + expected);
            }
            return millis;
        }
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
