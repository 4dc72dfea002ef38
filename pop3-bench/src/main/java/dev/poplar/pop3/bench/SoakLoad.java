package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * The soak: a server process under a steady mix of what real clients do, for a long time, watched for leaks.
 *
 * <p>Each client thread owns one mailbox and repeats sessions, plain or implicit TLS at random: log in, STAT,
 * LIST, UIDL, RETR a few messages (each checked against its LIST size), DELE some and QUIT; or drop the
 * connection without QUIT after DELE (nothing may be deleted), in the middle of a RETR, or before logging in. One
 * intruder thread sends wrong passwords (for a real user and for unknown ones), then QUIT or drops; it connects from
 * 64 other loopback addresses in turn ({@code 127.0.1.0} to {@code 127.0.1.63}), so the failed-login penalty, which
 * holds back one address (and, softly, one user name), slows the intruder as it would slow an attacker and never
 * the real clients on {@code 127.0.0.1}. A delivery thread keeps every mailbox at about {@link #MAILBOX_TARGET}
 * messages, as a mail server's delivery agent would (written to {@code tmp/}, renamed into {@code new/}).
 *
 * <p>The first tenth of the time warms the server up. Then the load pauses, the server's heap after a full GC
 * ({@code jcmd GC.run}, {@code GC.heap_info}), open file descriptors ({@code /proc/<pid>/fd}) and threads are read
 * (the start), the load runs the rest of the time with the same readings every sample interval, pauses again, and
 * they are read once more (the end). They are flat when each grew from start to end by no more than its allowance
 * (heap: {@link #HEAP_ALLOWANCE_KIB} plus a tenth of the start; descriptors and threads: {@link #COUNT_ALLOWANCE}).
 * Every reply that is not what the client expected, every broken or timed-out connection (a read waits at most
 * 60 s) is an error. At the end every mailbox is accounted for: the messages delivered are those present (listed
 * by UIDL and found on disk) plus those a client deleted with a QUIT the server confirmed.
 */
final class SoakLoad {

    /** Messages the delivery thread keeps in each mailbox. */
    static final int MAILBOX_TARGET = 20;
    /** The real user whose password the intruder guesses; no real client uses it. */
    static final String VICTIM = "soakvictim";
    /** Heap growth from start to end that still counts as flat, plus a tenth of the start. */
    static final long HEAP_ALLOWANCE_KIB = 4096;
    /** Growth of descriptors or threads from start to end that still counts as flat. */
    static final long COUNT_ALLOWANCE = 2;
    /** A soak shorter than this is too short to judge flatness: it then checks errors and accounting only. */
    static final Duration JUDGED_FROM = Duration.ofSeconds(60);

    private static final int INTRUDER_SOURCES = 64;
    private static final long EPOCH = 1_764_000_000L;
    private static final int MAX_ERRORS_KEPT = 20;
    /** Poplar's per-connection protocol session: none may be left in memory once every connection has closed. */
    static final String SESSION_CLASS = "dev.poplar.pop3.server.internal.session.ProtocolSession";

    private final InetSocketAddress plain;
    private final InetSocketAddress tlsAddress;
    private final SSLContext tls;
    private final ProcessHandle server;
    private final Path workDir;
    private final Log log;
    private final List<Mailbox> mailboxes = new ArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder errorCount = new LongAdder();
    private final Random deliveryRandom = new Random(7);
    private volatile boolean stop;

    /**
     * A soak of the given length.
     *
     * @param duration       the whole run, warm-up included
     * @param clients        client threads, one mailbox each
     * @param sampleInterval time between readings under load
     */
    record Settings(Duration duration, int clients, Duration sampleInterval) {
        Duration warmUp() {
            return duration.dividedBy(10);
        }

        boolean judged() {
            return duration.compareTo(JUDGED_FROM) >= 0;
        }
    }

    /**
     * One reading of the server.
     *
     * @param phase   {@code start}, {@code load} or {@code end}
     * @param seconds since the soak began
     * @param sessionsInMemory live instances of Poplar's protocol session after a full GC (from {@code jcmd
     *                GC.class_histogram}); -1 where not read (under load)
     */
    record Sample(String phase, double seconds, long heapKib, long fds, long threads, long rssKib,
                  long sessionsInMemory) {
    }

    /**
     * Start and end of one resource.
     *
     * @param allowed  the growth that still counts as flat, or with {@code absolute} the most the end may be
     * @param absolute whether the end itself is judged, not its growth from the start
     */
    record Verdict(String what, String unit, long start, long end, long max, long allowed, boolean absolute) {
        Verdict(String what, String unit, long start, long end, long max, long allowed) {
            this(what, unit, start, end, max, allowed, false);
        }

        boolean flat() {
            return absolute ? end <= allowed : end - start <= allowed;
        }
    }

    /**
     * What the soak found.
     *
     * @param judged     whether flatness was judged (long enough a run)
     * @param accounting one line per problem with the mailboxes, empty when every message is accounted for
     */
    record Result(Settings settings, List<Sample> samples, List<Verdict> verdicts, Map<String, Long> counts,
                  long errorCount, List<String> errors, String mailSummary, List<String> accounting, boolean judged,
                  double seconds) {

        /** Whether every verdict that counts is flat: all in a judged run, else those on the end alone. */
        boolean flat() {
            return verdicts.stream().filter(this::counts).allMatch(Verdict::flat);
        }

        /** Whether a verdict counts: a growth only in a run long enough to judge, an end always. */
        boolean counts(Verdict v) {
            return judged || v.absolute();
        }

        /** Whether the soak passed: no errors, every message accounted for, and flat. */
        boolean passed() {
            return errorCount == 0 && accounting.isEmpty() && flat();
        }

        long sessions() {
            return counts.entrySet().stream().filter(e -> e.getKey().startsWith("sessions"))
                    .mapToLong(Map.Entry::getValue).sum();
        }
    }

    private SoakLoad(Endpoints endpoints, SSLContext tls, ProcessHandle server, Path workDir, Log log) {
        this.plain = endpoints.plainAddress();
        this.tlsAddress = endpoints.tlsAddress();
        this.tls = tls;
        this.server = server;
        this.workDir = workDir;
        this.log = log;
    }

    /**
     * Writes the soak's users file and mailboxes (each with {@link #MAILBOX_TARGET} messages) into a fixture
     * directory whose certificates are already there.
     *
     * @throws IOException if they cannot be written
     */
    static void seed(Fixture fixture, int clients) throws IOException {
        StringBuilder users = new StringBuilder();
        for (int i = 0; i < clients; i++) {
            users.append(user(i)).append(":{PLAIN}").append(Fixture.PASSWORD).append('\n');
        }
        users.append(VICTIM).append(":{PLAIN}").append(Fixture.PASSWORD).append('\n');
        Files.writeString(fixture.usersFile(), users, StandardCharsets.US_ASCII);
        for (int i = 0; i < clients; i++) {
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(fixture.maildirRoot().resolve(user(i)).resolve(sub));
            }
        }
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(fixture.maildirRoot().resolve(VICTIM).resolve(sub));
        }
    }

    static String user(int i) {
        return "soak" + i;
    }

    /**
     * Runs the soak against a server already serving a fixture made by {@link #seed}.
     *
     * @param server the server's process, whose heap, descriptors and threads are read
     * @throws IOException if the mailboxes cannot be written or the server cannot be read at all
     */
    static Result run(Fixture fixture, Endpoints endpoints, ProcessHandle server, Settings settings, Path workDir,
                      Log log) throws IOException, InterruptedException {
        SoakLoad soak = new SoakLoad(endpoints, ClientTls.trusting(fixture.certificate()), server, workDir, log);
        return soak.run(fixture, settings);
    }

    private Result run(Fixture fixture, Settings settings) throws IOException, InterruptedException {
        for (int i = 0; i < settings.clients(); i++) {
            Mailbox m = new Mailbox(user(i), fixture.maildirRoot().resolve(user(i)));
            mailboxes.add(m);
            while (m.present() < MAILBOX_TARGET) {
                deliver(m);
            }
        }
        long began = System.nanoTime();
        List<Sample> samples = new ArrayList<>();
        log.line("soak: " + settings.clients() + " clients, " + settings.duration().toSeconds()
                + " s, warming up for " + settings.warmUp().toSeconds() + " s");
        phase(settings, settings.warmUp(), null, began);
        samples.add(sample("start", began));
        log.line("soak: start " + samples.get(0));
        phase(settings, settings.duration().minus(settings.warmUp()), samples, began);
        Sample end = sample("end", began);
        samples.add(end);
        log.line("soak: end " + end);
        double seconds = (System.nanoTime() - began) / 1e9;
        List<String> accounting = new ArrayList<>();
        String summary = account(accounting);
        Sample start = samples.get(0);
        List<Verdict> verdicts = List.of(
                new Verdict("heap after full GC", "KiB", start.heapKib(), end.heapKib(),
                        max(samples, Sample::heapKib), HEAP_ALLOWANCE_KIB + start.heapKib() / 10),
                new Verdict("open file descriptors", "", start.fds(), end.fds(), max(samples, Sample::fds),
                        COUNT_ALLOWANCE),
                new Verdict("threads", "", start.threads(), end.threads(), max(samples, Sample::threads),
                        COUNT_ALLOWANCE),
                new Verdict("sessions in memory, no connection open", "", start.sessionsInMemory(),
                        end.sessionsInMemory(), max(samples, Sample::sessionsInMemory), 0, true));
        Map<String, Long> tally = new java.util.TreeMap<>();
        counts.forEach((k, v) -> tally.put(k, v.sum()));
        return new Result(settings, samples, verdicts, tally, errorCount.sum(), List.copyOf(errors), summary,
                accounting, settings.judged(), seconds);
    }

    private static long max(List<Sample> samples, java.util.function.ToLongFunction<Sample> field) {
        return samples.stream().mapToLong(field).max().orElse(0);
    }

    /** Runs the load for a while, sampling under load if {@code samples} is given; returns once all is quiet. */
    private void phase(Settings settings, Duration length, List<Sample> samples, long began)
            throws InterruptedException {
        stop = false;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < mailboxes.size(); i++) {
            Mailbox m = mailboxes.get(i);
            Random random = new Random(1000L * i + sequence.get());
            threads.add(thread("soak-client-" + i, () -> {
                while (!stop) {
                    session(m, random);
                }
            }));
        }
        Random intruderRandom = new Random(sequence.get());
        threads.add(thread("soak-intruder", () -> {
            for (int k = 0; !stop; k++) {
                intrude(k, intruderRandom);
            }
        }));
        threads.add(thread("soak-delivery", () -> {
            while (!stop) {
                for (Mailbox m : mailboxes) {
                    try {
                        while (m.present() < MAILBOX_TARGET && !stop) {
                            deliver(m);
                        }
                    } catch (IOException e) {
                        error("delivery to " + m.user + " failed: " + e);
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }));
        long deadline = System.nanoTime() + length.toNanos();
        long nextSample = System.nanoTime() + settings.sampleInterval().toNanos();
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (samples != null && now >= nextSample && deadline - now > settings.sampleInterval().toNanos() / 2) {
                Sample s = sample("load", began);
                samples.add(s);
                log.line("soak: " + s);
                nextSample += settings.sampleInterval().toNanos();
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(1, Math.min(deadline, nextSample) - System.nanoTime()));
        }
        stop = true;
        for (Thread t : threads) {
            // a read waits at most 60 s, a held-back wrong password at most 30 s more
            t.join(TimeUnit.SECONDS.toMillis(120));
            if (t.isAlive()) {
                error(t.getName() + " did not finish its session within 120 s: the server hangs");
                t.interrupt();
            }
        }
        quiet(settings);
    }

    private static Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    /**
     * Waits until the server's descriptor count has stayed the same for a second (closes processed): at most 15 s,
     * or five sample intervals if that is less.
     */
    private void quiet(Settings settings) throws InterruptedException {
        long deadline = System.nanoTime()
                + Math.min(TimeUnit.SECONDS.toNanos(15), settings.sampleInterval().toNanos() * 5);
        long last = -1;
        int same = 0;
        while (same < 5 && System.nanoTime() < deadline) {
            long fds = fds(server.pid());
            same = fds == last ? same + 1 : 0;
            last = fds;
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private Sample sample(String phase, long began) {
        long heap = -1;
        long sessions = -1;
        try {
            heap = Processes.heapAfterGc(server.pid(), workDir);
            if (!phase.equals("load")) {
                String histogram = Processes.run(List.of("jcmd", Long.toString(server.pid()),
                        "GC.class_histogram"), workDir);
                Files.writeString(workDir.resolve("class-histogram-" + phase + ".txt"), histogram);
                sessions = instances(histogram, SESSION_CLASS);
            }
        } catch (IOException e) {
            error("cannot read the server's heap: " + e.getMessage());
        }
        return new Sample(phase, (System.nanoTime() - began) / 1e9, heap, fds(server.pid()),
                Processes.statusField(server.pid(), "status", "Threads:"),
                Processes.statusField(server.pid(), "status", "VmRSS:"), sessions);
    }

    /** Live instances of a class in the output of {@code jcmd GC.class_histogram}; 0 if it is not listed. */
    static long instances(String histogram, String className) {
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[3].equals(className)) {
                return Long.parseLong(f[1]);
            }
        }
        return 0;
    }

    /** Open file descriptors of a process, from {@code /proc/<pid>/fd}; -1 if they cannot be read. */
    static long fds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- the clients

    private void session(Mailbox m, Random random) {
        boolean implicitTls = random.nextBoolean();
        int pick = random.nextInt(100);
        String what = "session of " + m.user + (implicitTls ? " over TLS" : "");
        try (Pop3Client c = Pop3Client.connect(implicitTls ? tlsAddress : plain, implicitTls ? tls : null)) {
            if (pick < 8) {
                c.command("USER " + m.user);
                count("drops: before login");
                return;
            }
            c.login(m.user, Fixture.PASSWORD);
            Map<Integer, Long> sizes = listing(c);
            Map<Integer, String> uids = uidl(c);
            if (!sizes.keySet().equals(uids.keySet())) {
                error(what + ": LIST and UIDL list different messages: " + sizes.keySet() + " / " + uids.keySet());
                return;
            }
            String stat = c.command("STAT");
            long octets = sizes.values().stream().mapToLong(Long::longValue).sum();
            if (!stat.equals("+OK " + sizes.size() + " " + octets)) {
                error(what + ": STAT says '" + stat + "', LIST " + sizes.size() + " messages of " + octets);
                return;
            }
            List<Integer> numbers = new ArrayList<>(sizes.keySet());
            Collections.shuffle(numbers, random);
            if (pick < 65) {
                Set<String> deleted = new HashSet<>();
                for (int n : numbers.subList(0, Math.min(3, numbers.size()))) {
                    Pop3Client.Body body = c.multiLine("RETR " + n);
                    if (body.octets() != sizes.get(n)) {
                        error(what + ": RETR " + n + " sent " + body.octets() + " octets, LIST said " + sizes.get(n));
                    }
                    count("messages retrieved");
                    if (random.nextInt(3) > 0) {
                        c.command("DELE " + n);
                        deleted.add(uids.get(n));
                    }
                }
                c.quit();
                m.deleted.addAll(deleted);
                count("messages deleted (QUIT confirmed)", deleted.size());
                count(implicitTls ? "sessions: ended with QUIT, TLS" : "sessions: ended with QUIT, plain");
            } else if (pick < 82) {
                for (int n : numbers.subList(0, Math.min(2, numbers.size()))) {
                    c.command("DELE " + n);
                }
                count("drops: after DELE, without QUIT (nothing may be deleted)");
            } else {
                int largest = numbers.stream().max((a, b) -> Long.compare(sizes.get(a), sizes.get(b))).orElse(0);
                if (largest > 0) {
                    c.partial("RETR " + largest, Math.min(sizes.get(largest) / 4, 64 * 1024));
                    count("drops: in the middle of RETR");
                }
            }
        } catch (IOException e) {
            error(what + ": " + e.getMessage());
        }
    }

    private void intrude(int k, Random random) {
        // Turn by turn: plain or TLS, a real user or an unknown one, then QUIT or a drop; every combination comes.
        boolean implicitTls = k % 3 == 0;
        String user = (k / 2) % 2 == 0 ? VICTIM : "nobody" + random.nextInt(16);
        try {
            InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) (k % INTRUDER_SOURCES)});
            try (Pop3Client c = Pop3Client.connect(implicitTls ? tlsAddress : plain, implicitTls ? tls : null,
                    source)) {
                c.command("USER " + user);
                String reply = c.reply("PASS wrong-" + random.nextInt(1_000_000));
                if (reply.startsWith("-ERR [AUTH]")) {
                    count("wrong passwords: refused [AUTH]");
                } else if (reply.startsWith("-ERR [LOGIN-DELAY]")) {
                    count("wrong passwords: refused [LOGIN-DELAY] (the penalty)");
                } else {
                    error("a wrong password for " + user + " got '" + reply + "'");
                    return;
                }
                if (k % 2 == 0) {
                    c.quit();
                    count("wrong passwords: then QUIT");
                } else {
                    count("wrong passwords: then dropped");
                }
            }
        } catch (IOException e) {
            error("wrong password for " + user + ": " + e.getMessage());
        }
    }

    private static Map<Integer, Long> listing(Pop3Client c) throws IOException {
        Map<Integer, Long> sizes = new LinkedHashMap<>();
        for (String line : c.lines("LIST", 10_000)) {
            String[] f = line.split(" ");
            sizes.put(Integer.parseInt(f[0]), Long.parseLong(f[1]));
        }
        return sizes;
    }

    private static Map<Integer, String> uidl(Pop3Client c) throws IOException {
        Map<Integer, String> uids = new LinkedHashMap<>();
        for (String line : c.lines("UIDL", 10_000)) {
            String[] f = line.split(" ");
            uids.put(Integer.parseInt(f[0]), f[1]);
        }
        return uids;
    }

    // ---------------------------------------------------------------- delivery and accounting

    /** One user's mailbox as the soak knows it. */
    private static final class Mailbox {
        final String user;
        final Path dir;
        /** Base names of the files delivered. */
        final Set<String> delivered = ConcurrentHashMap.newKeySet();
        /** Unique-ids of messages a client deleted with a QUIT the server confirmed. */
        final Set<String> deleted = ConcurrentHashMap.newKeySet();

        Mailbox(String user, Path dir) {
            this.user = user;
            this.dir = dir;
        }

        int present() {
            return delivered.size() - deleted.size();
        }
    }

    /** Delivers one message as a delivery agent does: written into {@code tmp/}, then renamed into {@code new/}. */
    private void deliver(Mailbox m) throws IOException {
        long n = sequence.incrementAndGet();
        int size;
        synchronized (deliveryRandom) {
            size = deliveryRandom.nextInt(100) < 15 ? 256 * 1024 + deliveryRandom.nextInt(768 * 1024)
                    : 1024 + deliveryRandom.nextInt(7 * 1024);
        }
        byte[] message = message(m.user, n, size);
        long lineFeeds = 0;
        for (byte b : message) {
            lineFeeds += b == '\n' ? 1 : 0;
        }
        String base = (EPOCH + n) + ".M" + n + "P" + ProcessHandle.current().pid() + ".soak,S=" + message.length
                + ",W=" + (message.length + lineFeeds);
        Path tmp = m.dir.resolve("tmp").resolve(base);
        Files.write(tmp, message);
        Files.move(tmp, m.dir.resolve("new").resolve(base), StandardCopyOption.ATOMIC_MOVE);
        m.delivered.add(base);
        count("messages delivered");
    }

    /** A message with LF line ends, about {@code size} octets, with lines that need dot-stuffing. */
    static byte[] message(String user, long n, int size) {
        StringBuilder text = new StringBuilder(size + 100);
        text.append("Message-ID: <").append(n).append('.').append(user).append("@soak.example.org>\n")
                .append("From: sender@example.org\nTo: ").append(user).append("@example.org\n")
                .append("Subject: soak message ").append(n).append("\n\n");
        Random random = new Random(n);
        while (text.length() < size) {
            int kind = random.nextInt(20);
            if (kind == 0) {
                text.append(".\n");
            } else if (kind == 1) {
                text.append("..leading dots\n");
            } else {
                for (int i = 0; i < 72; i++) {
                    text.append((char) ('A' + random.nextInt(26)));
                }
                text.append('\n');
            }
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Checks every mailbox: what UIDL lists and what is on disk are the same messages, all of them delivered, none
     * of them deleted, and together with the deleted ones all that was delivered.
     *
     * @param problems where problems are added
     * @return the totals
     */
    private String account(List<String> problems) {
        long delivered = 0;
        long present = 0;
        long deleted = 0;
        for (Mailbox m : mailboxes) {
            delivered += m.delivered.size();
            deleted += m.deleted.size();
            Set<String> listed = new HashSet<>();
            try (Pop3Client c = Pop3Client.connect(plain, null)) {
                c.login(m.user, Fixture.PASSWORD);
                listed.addAll(uidl(c).values());
                c.quit();
            } catch (IOException e) {
                problems.add(m.user + ": cannot list the mailbox at the end: " + e.getMessage());
                continue;
            }
            Set<String> onDisk = new HashSet<>();
            try {
                for (Path file : MaildirFolder.messageFiles(m.dir)) {
                    onDisk.add(MaildirFolder.uniqueName(file));
                }
            } catch (IOException e) {
                problems.add(m.user + ": cannot read the Maildir: " + e.getMessage());
                continue;
            }
            present += onDisk.size();
            Set<String> unknown = new HashSet<>(onDisk);
            unknown.removeAll(m.delivered);
            Set<String> undead = new HashSet<>(listed);
            undead.retainAll(m.deleted);
            if (!unknown.isEmpty()) {
                problems.add(m.user + ": files that were never delivered: " + unknown);
            }
            if (!undead.isEmpty()) {
                problems.add(m.user + ": deleted with a confirmed QUIT, still listed: " + undead);
            }
            if (listed.size() != onDisk.size()) {
                problems.add(m.user + ": UIDL lists " + listed.size() + " messages, the Maildir holds "
                        + onDisk.size());
            }
            long missing = m.delivered.size() - onDisk.size() - m.deleted.size();
            if (missing != 0) {
                problems.add(m.user + ": delivered " + m.delivered.size() + ", present " + onDisk.size()
                        + ", deleted by clients " + m.deleted.size() + ": " + (missing > 0 ? missing + " lost"
                        : -missing + " more than delivered"));
            }
        }
        return String.format(Locale.ROOT, "delivered %d = present %d + deleted by clients %d: %s", delivered,
                present, deleted, delivered == present + deleted ? "holds" : "DOES NOT HOLD");
    }

    private void count(String what) {
        count(what, 1);
    }

    private void count(String what, long n) {
        counts.computeIfAbsent(what, k -> new LongAdder()).add(n);
    }

    private void error(String text) {
        errorCount.increment();
        if (errors.size() < MAX_ERRORS_KEPT) {
            errors.add(text);
        }
        if (errorCount.sum() <= 5) {
            log.warn("soak: " + text);
        }
    }

    // ---------------------------------------------------------------- the report

    /** The soak's section of the report. */
    static String markdown(Result r, String command) {
        StringBuilder out = new StringBuilder();
        out.append("\n## Soak (poplar)\n\n");
        out.append("- ").append(verdictLine(r)).append('\n');
        out.append("- run: ").append(Report.number(r.seconds())).append(" s (the first ")
                .append(Report.number(r.settings().warmUp().toMillis() / 1000.0)).append(" s a warm-up), ").append(r.settings().clients())
                .append(" clients on their own mailboxes, one intruder, one delivery thread; ").append(command)
                .append('\n');
        out.append("- mailboxes: ").append(r.mailSummary()).append('\n');
        out.append("- errors (unexpected replies, broken or hung connections): ").append(r.errorCount()).append('\n');
        for (String e : r.errors()) {
            out.append("  - ").append(e).append('\n');
        }
        for (String a : r.accounting()) {
            out.append("  - accounting: ").append(a).append('\n');
        }
        out.append("\n| resource | start | end | max | growth allowed | verdict |\n| --- | --- | --- | --- | --- | --- |\n");
        for (Verdict v : r.verdicts()) {
            out.append("| ").append(v.what()).append(v.unit().isEmpty() ? "" : " (" + v.unit() + ")").append(" | ")
                    .append(v.start()).append(" | ").append(v.end()).append(" | ").append(v.max()).append(" | ")
                    .append(v.absolute() ? "end at most " + v.allowed() : v.allowed()).append(" | ")
                    .append(!r.counts(v) ? "not judged (shorter than " + JUDGED_FROM.toSeconds() + " s)"
                            : v.flat() ? "flat" : "NOT FLAT")
                    .append(" |\n");
        }
        out.append("\n| phase | at (s) | heap after GC (KiB) | fds | threads | RSS (KiB) | sessions in memory |\n"
                + "| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Sample s : r.samples()) {
            out.append("| ").append(s.phase()).append(" | ").append(Report.number(s.seconds())).append(" | ")
                    .append(s.heapKib()).append(" | ").append(s.fds()).append(" | ").append(s.threads()).append(" | ")
                    .append(s.rssKib()).append(" | ").append(s.sessionsInMemory() < 0 ? "" : s.sessionsInMemory())
                    .append(" |\n");
        }
        out.append("\n| what the clients did | count |\n| --- | --- |\n");
        r.counts().forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        return out.toString();
    }

    static String verdictLine(Result r) {
        String flat = !r.flat() ? "NOT FLAT (" + String.join(", ", r.verdicts().stream()
                .filter(v -> r.counts(v) && !v.flat()).map(Verdict::what).toList()) + ")"
                : r.judged() ? "FLAT (heap after GC, descriptors and threads within their allowances, no session left)"
                : "no session left; growth not judged (run shorter than " + JUDGED_FROM.toSeconds() + " s)";
        return "**" + (r.passed() ? "PASSED" : "FAILED") + "**: " + flat + "; " + r.errorCount() + " errors; "
                + (r.accounting().isEmpty() ? "every message accounted for" : "MESSAGES NOT ACCOUNTED FOR");
    }
}
