package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.store.Maildrop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash safety, measured: a process runs {@code UPDATE} over thousands of messages of a Maildir and is killed
 * ({@code kill -9}) at a random point, many times, in both deletion modes. After each kill every message must be
 * whole (its checksum matches) or, if it was deleted, gone; none may be under two names or a name it should not have;
 * and the mailbox must open again at once on this host.
 */
class UpdateCrashTest {

    static final int MESSAGES = 4_000;
    static final int RUNS = Integer.getInteger("poplar.updateCrash.runs", 24);
    static final int MIN_RUNS = 4;
    /** The time budget; raise it (with the runs) for a longer measurement: -Dpoplar.updateCrash.seconds=600. */
    static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("poplar.updateCrash.seconds", 20));
    static final long LINE_TIMEOUT_SECONDS = 60;

    @TempDir
    Path root;

    /** Whether a message (by its base name) is one the crashing session deletes: every even-numbered one. */
    static boolean deleted(String base) {
        int e = base.indexOf(".N");
        return e >= 0 && Integer.parseInt(base.substring(e + 2, base.indexOf('.', e + 2))) % 2 == 0;
    }

    static String base(int number) {
        return (1_700_000_000L + number) + ".N" + number + ".crash.example.org";
    }

    /** A message that carries the checksum of its body. */
    static byte[] message(int number) throws Exception {
        SplittableRandom random = new SplittableRandom(number);
        StringBuilder body = new StringBuilder();
        int lines = 2 + random.nextInt(40);
        for (int i = 0; i < lines; i++) {
            body.append("line ").append(i).append(" of message ").append(number).append(' ')
                    .append("x".repeat(random.nextInt(60))).append('\n');
        }
        byte[] bodyOctets = body.toString().getBytes(StandardCharsets.US_ASCII);
        String header = "Message-Id: <" + number + "@crash.example.org>\nX-Checksum: " + sha256(bodyOctets) + "\n\n";
        byte[] headerOctets = header.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headerOctets.length + bodyOctets.length];
        System.arraycopy(headerOctets, 0, all, 0, headerOctets.length);
        System.arraycopy(bodyOctets, 0, all, headerOctets.length, bodyOctets.length);
        return all;
    }

    static String sha256(byte[] octets) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(octets));
    }

    /** Whether a file holds a whole message: its body matches the checksum in its header. */
    static boolean whole(byte[] octets) throws Exception {
        String text = new String(octets, StandardCharsets.US_ASCII);
        int split = text.indexOf("\n\n");
        int checksum = text.indexOf("X-Checksum: ");
        if (split < 0 || checksum < 0 || checksum > split) {
            return false;
        }
        String expected = text.substring(checksum + 12, text.indexOf('\n', checksum));
        byte[] body = new byte[octets.length - split - 2];
        System.arraycopy(octets, split + 2, body, 0, body.length);
        return expected.equals(sha256(body));
    }

    /**
     * Fills a mailbox: the messages are written once into a template directory and hard-linked from there (renaming
     * and unlinking a link leave the other links alone).
     */
    void seed(String mailbox) throws Exception {
        Path template = root.resolve("template");
        if (!Files.isDirectory(template)) {
            Files.createDirectory(template);
            for (int i = 0; i < MESSAGES; i++) {
                Files.write(template.resolve(Integer.toString(i)), message(i));
            }
        }
        TestMaildir maildir = new TestMaildir(root, mailbox);
        for (int i = 0; i < MESSAGES; i++) {
            Path source = template.resolve(Integer.toString(i));
            byte[] octets = Files.readAllBytes(source);
            String name = base(i) + ",S=" + octets.length + ",W=" + (octets.length + lineCount(octets));
            // Half in new/, half already seen in cur/, as a mailbox in use looks.
            Files.createLink(maildir.resolve(i % 4 < 2 ? "new/" + name : "cur/" + name + ":2,S"), source);
        }
    }

    static int lineCount(byte[] octets) {
        int lines = 0;
        for (byte b : octets) {
            if (b == '\n') {
                lines++;
            }
        }
        return lines;
    }

    Process start(String mailbox, String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), UpdateCrashMain.class.getName(),
                root.toString(), mailbox, mode)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * What one kill left.
     *
     * @param deletedDone how many deletions had happened (unlinked, or flagged T)
     * @param changes how many messages the update had changed (deleted, or moved from new/ to cur/ as seen)
     * @param total how many it changes in all
     */
    record Left(int deletedDone, int changes, int total) {
    }

    /**
     * Checks a Maildir after a kill: every file whole, every base name once, kept messages all there, deleted ones gone
     * or (when flagging) present once, flagged or not; the retrieval times whole if written, and in tmp/ at most their
     * new file, cut short. Then opens it at once, and an update there leaves tmp/ empty.
     */
    Left check(String mailbox, boolean flag) throws Exception {
        Path maildir = root.resolve(mailbox);
        Map<String, String> where = new HashMap<>();
        int trashed = 0;
        for (String directory : List.of("new", "cur")) {
            try (Stream<Path> files = Files.list(maildir.resolve(directory))) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String name = file.getFileName().toString();
                    String base = MaildirStoreTest.base(name);
                    base = base.substring(0, base.indexOf(','));
                    String earlier = where.put(base, directory + "/" + name);
                    assertThat(earlier).as("%s is under two names: %s and %s/%s", base, earlier, directory, name)
                            .isNull();
                    assertThat(whole(Files.readAllBytes(file))).as("%s/%s is whole", directory, name).isTrue();
                    String flags = name.contains(":2,") ? name.substring(name.indexOf(":2,") + 3) : "";
                    assertThat(directory.equals("new") ? flags.isEmpty() : name.contains(":2,"))
                            .as("%s/%s is a name a message can have", directory, name).isTrue();
                    if (flags.contains("T")) {
                        assertThat(flag && deleted(base)).as("%s flagged T", name).isTrue();
                        trashed++;
                    }
                }
            }
        }
        try (Stream<Path> files = Files.list(maildir.resolve("tmp"))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("tmp/: at most new times cut short")
                    .allMatch(name -> name.startsWith("poplar-retrieved."));
        }
        Path times = maildir.resolve("poplar-retrieved");
        if (Files.exists(times)) {
            // Written last, after every deletion and flag: whole, it names every message kept (all were retrieved).
            Set<String> kept = new HashSet<>();
            where.forEach((base, file) -> {
                if (!file.contains(":2,") || !file.substring(file.indexOf(":2,")).contains("T")) {
                    kept.add(MaildirStoreTest.base(file.substring(file.indexOf('/') + 1)));
                }
            });
            List<String> lines = Files.readAllLines(times, StandardCharsets.US_ASCII);
            assertThat(lines.subList(1, lines.size())).as("the times file is whole")
                    .allMatch(line -> line.matches("\\S+ \\d+"))
                    .extracting(line -> line.substring(0, line.indexOf(' '))).containsExactlyInAnyOrderElementsOf(kept);
        }
        int deletedDone = 0;
        int seen = 0;
        for (int i = 0; i < MESSAGES; i++) {
            boolean present = where.containsKey(base(i));
            if (!deleted(base(i)) || flag) {
                assertThat(present).as("message %d is there", i).isTrue();
            } else if (!present) {
                deletedDone++;
            }
            if (flag && !deleted(base(i)) && i % 4 < 2 && where.get(base(i)).startsWith("cur/")) {
                seen++;
            }
        }
        if (flag) {
            deletedDone = trashed;
        }
        try (MaildirStore store = MaildirStore.builder(root)
                .deletedMessages(flag ? DeletedMessages.FLAG_TRASHED : DeletedMessages.UNLINK).build();
             Maildrop maildrop = store.open(mailbox)) {
            assertThat(maildrop.messages()).as("listed after the kill").hasSize(where.size() - trashed);
            maildrop.update(Set.of(), Set.of(maildrop.messages().get(0)));
        }
        try (Stream<Path> files = Files.list(maildir.resolve("tmp"))) {
            assertThat(files).as("tmp/ after the next update").isEmpty();
        }
        // Flagging also moves the kept messages of new/ (a quarter of all) to cur/ as seen.
        return new Left(deletedDone, deletedDone + seen, MESSAGES / 2 + (flag ? MESSAGES / 4 : 0));
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void killedAtRandomPointsOfAnUpdateEveryMessageIsWholeOrGoneAndTheMailboxOpensAtOnce() throws Exception {
        SplittableRandom random = new SplittableRandom();
        long started = System.nanoTime();
        long[] updateNanos = {0, 0};
        int runs = 0;
        int midway = 0;
        int beforeAny = 0;
        int afterAll = 0;
        long deletions = 0;
        // At least MIN_RUNS, more while the time budget lasts, and more until a kill has landed in the middle of an
        // update (for up to three budgets: a loaded machine is slow); never more than RUNS.
        for (int run = 0; run < RUNS; run++) {
            long elapsed = System.nanoTime() - started;
            if (run >= MIN_RUNS && elapsed >= BUDGET_NANOS && (midway > 0 || elapsed >= 3 * BUDGET_NANOS)) {
                break;
            }
            boolean flag = run % 2 == 1;
            String mailbox = "crash" + run;
            seed(mailbox);
            Process process;
            try (WatchService watcher = root.getFileSystem().newWatchService()) {
                // The first change of the update is seen as the first entry leaving new/ or cur/.
                for (String directory : List.of("new", "cur")) {
                    root.resolve(mailbox).resolve(directory).register(watcher, StandardWatchEventKinds.ENTRY_DELETE);
                }
                process = start(mailbox, flag ? "flag" : "unlink");
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                            StandardCharsets.US_ASCII))) {
                        for (String line; (line = out.readLine()) != null; ) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        // The kill closes the stream.
                    }
                }, "update-crash-reader");
                reader.setDaemon(true);
                reader.start();
                try {
                    String line = lines.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    assertThat(line).as("the session's first line")
                            .isEqualTo("UPDATING " + MESSAGES + " " + MESSAGES / 2);
                    assertThat(watcher.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("the first change").isNotNull();
                    if (run < 2) {
                        // The first run of each mode is not killed: it times the update (as the session measured it:
                        // the change seen here may come late on a loaded machine).
                        String done = lines.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        assertThat(done).startsWith("DONE ");
                        updateNanos[run] = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(done.substring(5)));
                    } else {
                        // The random point of the kill: somewhere in the first four fifths of the update as last timed
                        // (it varies: a few kills land after the last change).
                        LockSupport.parkNanos(random.nextLong(updateNanos[run % 2] * 4 / 5 + 1));
                    }
                } finally {
                    process.destroyForcibly();
                }
                reader.join(TimeUnit.SECONDS.toMillis(LINE_TIMEOUT_SECONDS));
                // An update that ended before its kill says how long updates take now: the next kills aim by it.
                for (String line : lines) {
                    if (line.startsWith("DONE ")) {
                        updateNanos[run % 2] = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(line.substring(5)));
                    }
                }
            }
            assertThat(process.waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            Left left = check(mailbox, flag);
            runs++;
            deletions += left.deletedDone();
            if (run >= 2) {
                if (left.changes() == 0) {
                    beforeAny++;
                } else if (left.changes() == left.total()) {
                    afterAll++;
                } else {
                    midway++;
                }
            }
        }
        System.out.printf("update crash: %d runs of %d messages (2 not killed), %d kills in the middle of an update,"
                        + " %d before the first change, %d after the last; %d deletions done; update took %d ms"
                        + " (unlink) and %d ms (flag); %d s in all%n", runs, MESSAGES, midway, beforeAny, afterAll,
                deletions, TimeUnit.NANOSECONDS.toMillis(updateNanos[0]), TimeUnit.NANOSECONDS.toMillis(updateNanos[1]),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        assertThat(midway).as("kills that landed in the middle of an update").isPositive();
    }
}
