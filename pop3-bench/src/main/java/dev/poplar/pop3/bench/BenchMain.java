package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Starts every target (the canned-reply server first, so that every other figure can be compared with the load
 * generator's own ceiling), then runs each load on all of them in turn: one unmeasured warm-up per target (for RETR,
 * repeated for half a session run's time, so that a JVM's compiler has seen the path), then the measured runs
 * interleaved (run 1 on every target, then run 2, each round starting with the next target), so that a slow drift of
 * the machine touches every target alike. Idle sessions (memory) and start-up run one target
 * at a time. Prints the markdown report and writes it and a JSON report to the output directory.
 *
 * <p>Exit status: 0 when every load of every target ran without a failure, 1 otherwise, 2 for a bad command line.
 */
public final class BenchMain {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration IDLE_PHASE_TIMEOUT = Duration.ofMinutes(5);
    private static final int IDLE_IN_FLIGHT = 64;
    private static final List<Integer> SESSION_CLIENTS = List.of(1, 16, 64);

    private final BenchOptions options;
    private final Log log;
    private final List<LoadGenerator> generators;
    private final List<Running> running = new CopyOnWriteArrayList<>();
    private final String commandLine;
    private String soakSection = "";

    private BenchMain(BenchOptions options, Log log, List<LoadGenerator> generators, String commandLine) {
        this.options = options;
        this.log = log;
        this.generators = generators;
        this.commandLine = commandLine;
    }

    /**
     * Entry point of {@code run.sh}.
     *
     * @param args see {@link BenchOptions#USAGE}; the system property {@code poplar.repo} names the repository
     *             root that default paths are resolved against
     */
    public static void main(String[] args) {
        Path repoRoot = Path.of(System.getProperty("poplar.repo", ".")).toAbsolutePath().normalize();
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, repoRoot);
        } catch (IllegalArgumentException e) {
            if ("help".equals(e.getMessage())) {
                System.out.print(BenchOptions.USAGE);
                System.exit(0);
            }
            System.err.println("pop3-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.generators().contains("c") && !Files.isExecutable(options.loadBinary())) {
            System.err.println("pop3-bench: the C load generator is not built: " + options.loadBinary()
                    + " (run.sh compiles it; or pass --load-binary PATH, or --generator java)");
            System.exit(2);
        }
        if (!options.clientTlsProtocols().isEmpty()) {
            // read once, when the JDK's TLS provider first initialises: before any SSLContext exists
            System.setProperty("jdk.tls.client.protocols", options.clientTlsProtocols());
        }
        int status;
        try {
            Files.createDirectories(options.out());
            List<LoadGenerator> generators = options.generators().stream()
                    .map(name -> name.equals("c") ? new CLoadGenerator(options.loadBinary(), options.out())
                            : (LoadGenerator) new JavaLoadGenerator())
                    .toList();
            status = new BenchMain(options, new Log(System.err, options.quiet()), generators,
                    commandLine(args)).run();
        } catch (IOException e) {
            System.err.println("pop3-bench: " + e.getMessage());
            status = 1;
        } catch (InterruptedException e) {
            System.err.println("pop3-bench: interrupted");
            status = 1;
        }
        System.exit(status);
    }

    /** The command as the user typed it: without the paths {@code run.sh} adds to every run. */
    static String commandLine(String[] args) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (List.of("--out", "--canned-binary", "--load-binary").contains(args[i]) && i + 1 < args.length
                    && !args[i + 1].startsWith("--")) {
                i++;
            } else {
                shown.add(args[i]);
            }
        }
        return "pop3-bench/run.sh " + String.join(" ", shown);
    }

    private int run() throws IOException, InterruptedException {
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String loadBefore = loadAverage();
        Set<String> loads = options.loads();
        // The soak brings its own mailboxes and needs only the certificates, which every fixture has.
        boolean shared = loads.stream().anyMatch(l -> !l.equals("startup") && !l.equals("soak"));
        Fixture fixture = shared ? Fixture.prepare(options.fixtureDir(), options.fixtureSpec(), log) : null;
        Path startDir = options.fixtureDir().resolveSibling(options.fixtureDir().getFileName() + "-start");
        Fixture startFixture = Fixture.prepare(startDir, FixtureSpec.startup(), log);
        Path work = Files.createDirectories(options.out().resolve("work"));

        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.forEach(r -> r.target.close()), "stop-targets"));
        Map<String, TargetResults> results = new LinkedHashMap<>();
        options.targets().forEach(name -> results.put(name, new TargetResults(name)));
        List<String> order = new ArrayList<>(options.targets());
        if (order.remove(Report.CEILING)) {
            order.add(0, Report.CEILING);
        }
        Map<String, Target> targets = new LinkedHashMap<>();
        for (String name : order) {
            try {
                targets.put(name, Targets.create(name, options, work));
            } catch (IllegalArgumentException e) {
                if (options.targetsExplicit()) {
                    results.get(name).problem(e.getMessage());
                } else {
                    results.get(name).skip(e.getMessage());
                }
                log.warn(name + ": " + e.getMessage());
            }
        }

        if (shared) {
            for (Map.Entry<String, Target> t : targets.entrySet()) {
                start(t.getValue(), results.get(t.getKey()), fixture);
            }
            List<Running> serving = List.copyOf(running);
            boolean restarted = false;
            if (loads.contains("sessions")) {
                sessions(fixture, true);
                restartAll(fixture.withKey(TlsKey.ECDSA));
                sessions(fixture.withKey(TlsKey.ECDSA), false);
                restarted = true;
            }
            if (loads.contains("sessions-hashed")) {
                hashedSessions(fixture, serving);
                restarted = true;
            }
            if (restarted && (loads.contains("retr") || loads.contains("listing") || loads.contains("idle"))) {
                restart(serving, fixture);
            }
            if (loads.contains("retr")) {
                retr(fixture.spec());
            }
            if (loads.contains("listing")) {
                listing(fixture.spec());
            }
            if (loads.contains("idle")) {
                for (Running r : List.copyOf(running)) {
                    try {
                        idle(r, fixture);
                    } catch (IOException e) {
                        r.results.problem(e.getMessage());
                        log.warn(r.name() + ": " + e.getMessage());
                    }
                }
            }
            stopAll();
        }
        if (loads.contains("soak")) {
            soak(startFixture, work, results.get("poplar"));
        }
        if (loads.contains("startup")) {
            for (Map.Entry<String, Target> t : targets.entrySet()) {
                TargetResults r = results.get(t.getKey());
                if (r.problems().isEmpty()) {
                    try {
                        measureStartup(t.getValue(), startFixture, r);
                    } catch (IOException e) {
                        r.problem(e.getMessage());
                        log.warn(t.getKey() + ": " + e.getMessage());
                    } finally {
                        t.getValue().close();
                    }
                }
            }
        }

        Map<String, String> facts = runFacts(started, options.fixtureSpec());
        facts.put("load average (1, 5, 15 min)", "at the start " + loadBefore + "; at the end " + loadAverage()
                + " (anything above 0 besides the benchmark is other work on the machine)");
        Report report = new Report(facts, new ArrayList<>(results.values()), options.subject(),
                options.ceilingFraction());
        String markdown = report.markdown() + soakSection;
        Files.writeString(options.out().resolve("report.md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(options.out().resolve("report.json"), report.json(), StandardCharsets.UTF_8);
        System.out.print(markdown);
        log.line("reports: " + options.out().resolve("report.md") + " and report.json");
        return results.values().stream().anyMatch(TargetResults::failed) ? 1 : 0;
    }

    /**
     * The soak, on a Poplar process of its own over a copy of the fixture's certificates and mailboxes of its own
     * (it deletes and delivers mail), after every other load's servers have stopped.
     */
    private void soak(Fixture fixture, Path work, TargetResults r) throws InterruptedException {
        if (r == null || r.skipped() != null || !r.problems().isEmpty()) {
            log.line("soak: poplar does not run here; no soak");
            return;
        }
        Path dir = work.resolve("soak");
        Target target = null;
        try {
            if (Files.exists(dir)) {
                Processes.run(List.of("rm", "-rf", dir.toString()), work);
            }
            Fixture soakFixture = fixture.emptyCopy(dir.resolve("fixture"));
            SoakLoad.seed(soakFixture, options.soakClients());
            target = Targets.poplar(options, dir);
            Endpoints endpoints = Endpoints.free();
            target.start(soakFixture, endpoints, SoakLoad.user(0), START_TIMEOUT);
            SoakLoad.Result result = SoakLoad.run(soakFixture, endpoints, target.process(),
                    new SoakLoad.Settings(options.soakDuration(), options.soakClients(), options.soakSample()), dir,
                    log);
            Measurement sessions = r.measurement(Metric.soakSessions(options.soakDuration(), options.soakClients()));
            sessions.add(result.sessions());
            sessions.note("errors", Long.toString(result.errorCount()));
            sessions.note("mailboxes", result.mailSummary());
            for (SoakLoad.Verdict v : result.verdicts()) {
                String unit = v.unit().isEmpty() ? v.what() : v.unit();
                Measurement m;
                if (v.absolute()) {
                    m = r.measurement(Metric.soakEnd("sessions-left", v.what(), unit));
                    m.add(v.end());
                } else {
                    String id = v.what().startsWith("heap") ? "heap" : v.what().startsWith("open") ? "fds" : "threads";
                    m = r.measurement(Metric.soakGrowth(id, v.what(), unit));
                    m.add(v.end() - v.start());
                    m.note("start", Long.toString(v.start()));
                }
                m.note("end", Long.toString(v.end()));
                m.note("allowed", (v.absolute() ? "at most " : "growth ") + v.allowed());
                if (result.counts(v) && !v.flat()) {
                    m.fail("not flat: start " + v.start() + ", end " + v.end() + ", allowed "
                            + (v.absolute() ? "at most " : "growth ") + v.allowed());
                }
            }
            if (result.errorCount() > 0) {
                sessions.fail(result.errorCount() + " errors, first: " + result.errors().get(0));
            }
            result.accounting().forEach(a -> sessions.fail("accounting: " + a));
            soakSection = SoakLoad.markdown(result, "`" + commandLine + "`, server JVM options "
                    + String.join(" ", options.serverJvmOptions()));
            log.line("soak: " + SoakLoad.verdictLine(result));
        } catch (IOException e) {
            r.problem("soak: " + e.getMessage());
            log.warn("soak: " + e.getMessage());
        } finally {
            if (target != null) {
                target.close();
            }
        }
    }

    /** Starts a target over the fixture on free ports and adds it to the running ones; a failure is its problem. */
    private void start(Target target, TargetResults results, Fixture fixture) throws InterruptedException {
        try {
            Endpoints endpoints = Endpoints.free();
            log.line(target.name() + ": starting with the " + fixture.key().label() + " certificate");
            Duration startup = target.start(fixture, endpoints, Fixture.sessionUser(0), START_TIMEOUT);
            log.line(target.name() + ": serving the fixture after " + startup.toMillis() + " ms");
            running.add(new Running(target, results, endpoints, LoadGenerator.ClientSide.trusting(fixture)));
        } catch (IOException e) {
            target.close();
            results.problem(e.getMessage());
            log.warn(target.name() + ": " + e.getMessage());
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** Stops every running target and starts each again over {@code fixture} (another certificate). */
    private void restartAll(Fixture fixture) throws InterruptedException {
        restart(List.copyOf(running), fixture);
    }

    /** Stops every running target and starts {@code which} over {@code fixture}. */
    private void restart(List<Running> which, Fixture fixture) throws InterruptedException {
        stopAll();
        for (Running r : which) {
            start(r.target, r.results, fixture);
        }
    }

    private void stopAll() {
        for (Running r : running) {
            r.target.close();
        }
        running.clear();
    }

    /**
     * The session loads over the running targets' current certificate: implicit TLS with 1, 16 and 64 clients,
     * and first the same plain if {@code plainToo}.
     */
    private void sessions(Fixture fixture, boolean plainToo) throws InterruptedException {
        FixtureSpec spec = fixture.spec();
        for (boolean tls : plainToo ? List.of(false, true) : List.of(true)) {
            TlsKey key = tls ? fixture.key() : null;
            for (LoadGenerator generator : generators) {
                sessionRows(generator, spec, tls, false, clients -> primary(generator, Metric.sessions(key, clients)));
            }
        }
        // TLS sessions whose clients resume their previous session, as polling mail clients do: once, with the first
        // certificate (a resumed handshake does not sign), and with the C generator only (the Java one resumes in
        // its full-handshake rows already wherever a server allows it).
        if (plainToo && generators.get(0).name().equals("c")) {
            sessionRows(generators.get(0), spec, true, true, Metric::sessionsResumed);
        }
    }

    /**
     * Plain sessions with hashed passwords: the targets that verify hashes start again over the users file of
     * {@code SHA512-CRYPT} entries (the others sit this load out), and the rows run as the plain session rows do.
     */
    private void hashedSessions(Fixture fixture, List<Running> started) throws InterruptedException {
        List<Running> verifying = new ArrayList<>();
        for (Running r : started) {
            if (Targets.PLAIN_PASSWORDS_ONLY.contains(r.name())) {
                log.line(r.name() + ": sits out sessions-hashed (it takes passwords in clear only)");
            } else {
                verifying.add(r);
            }
        }
        restart(verifying, fixture.withHashedPasswords());
        for (LoadGenerator generator : generators) {
            sessionRows(generator, fixture.spec(), false, false,
                    clients -> primary(generator, Metric.sessionsHashed(clients)));
        }
    }

    /** A warm-up, then one row of sessions per number of clients. */
    private void sessionRows(LoadGenerator generator, FixtureSpec spec, boolean tls, boolean resume,
                             IntFunction<Metric> row) throws InterruptedException {
        List<String> warmUsers = users(Math.min(16, spec.sessionUsers()), Fixture::sessionUser);
        everyTarget(r -> generator.sessions(r.address(tls), r.clientSide(tls, resume), warmUsers,
                options.sessionDuration().dividedBy(2)));
        for (int clients : SESSION_CLIENTS) {
            if (clients > spec.sessionUsers()) {
                continue;
            }
            List<String> users = users(clients, Fixture::sessionUser);
            interleaved(row.apply(clients), (r, m) -> {
                double serverBefore = r.serverCpu();
                SessionLoad.Result result = generator.sessions(r.address(tls), r.clientSide(tls, resume), users,
                        options.sessionDuration());
                m.add(result.perSecond());
                m.cpu(result.generatorCpuSeconds() / result.seconds(),
                        (r.serverCpu() - serverBefore) / result.seconds());
                if (tls) {
                    m.tally("TLS sessions resumed", result.resumed(), result.sessions());
                }
                failures(m, result.failures(), result.sessions() + result.failures().count(), "sessions");
            });
        }
    }

    private void retr(FixtureSpec spec) throws InterruptedException {
        int messages = spec.retrMessages();
        for (boolean tls : List.of(false, true)) {
            for (LoadGenerator generator : generators) {
                // A tenth of the messages, again and again for half a session run's time (once at least): one such
                // pass (20 ms for a fast server) leaves a JVM server's RETR path to the interpreter.
                everyTarget(r -> RetrLoad.repeat(options.sessionDuration().dividedBy(2),
                        () -> generator.retr(r.address(tls), r.clientSide(tls), users(1, Fixture::retrUser),
                                Math.max(1, messages / 10), spec.retrSize())));
                for (int clients : IntStream.of(1, spec.retrUsers()).distinct().toArray()) {
                    Metric rate = primary(generator, Metric.retrThroughput(tls, clients, messages, spec.retrSize()));
                    Metric seconds = clients == 1 ? primary(generator, Metric.retrSeconds(tls, clients)) : null;
                    List<String> users = users(clients, Fixture::retrUser);
                    interleaved(rate, (r, m) -> {
                        double serverBefore = r.serverCpu();
                        RetrLoad.Result result = RetrLoad.repeat(options.sessionDuration().dividedBy(2),
                                () -> generator.retr(r.address(tls), r.clientSide(tls), users, messages,
                                        spec.retrSize()));
                        if (result.messages() > 0) {
                            m.add(result.megabytesPerSecond());
                            m.cpu(result.generatorCpuSeconds() / result.seconds(),
                                    (r.serverCpu() - serverBefore) / result.seconds());
                            if (seconds != null) {
                                r.results.measurement(seconds).add(result.secondsPer1000());
                            }
                        }
                        failures(m, result.failures(), clients, "clients");
                    });
                }
            }
        }
    }

    private void listing(FixtureSpec spec) throws InterruptedException {
        for (int count : spec.listCounts()) {
            Metric metric = Metric.listing(count);
            String user = Fixture.listUser(count);
            Set<String> cutOff = new HashSet<>();
            Probe once = (r, m) -> {
                if (cutOff.contains(r.name())) {
                    return;
                }
                try {
                    double millis = ListingLoad.run(r.endpoints.plainAddress(), user, count, options.listingLimit());
                    if (m != null) {
                        m.add(millis);
                    }
                } catch (ListingLoad.LimitExceeded e) {
                    cutOff.add(r.name());
                    r.results.measurement(metric).exceeded(e.limit().toMillis());
                }
            };
            everyTarget(r -> once.run(r, null));
            interleaved(metric, once);
        }
    }

    /** Runs an unmeasured warm-up on every running target; a failure is logged and otherwise ignored. */
    private void everyTarget(WarmUp warmUp) throws InterruptedException {
        for (Running r : running) {
            try {
                warmUp.run(r);
            } catch (IOException e) {
                log.warn(r.name() + ": warm-up failed: " + e.getMessage());
            }
        }
    }

    /**
     * Measures one metric on every running target, {@code --runs} rounds; each round visits every target once,
     * starting one target further on than the round before.
     */
    private void interleaved(Metric metric, Probe probe) throws InterruptedException {
        List<Running> all = List.copyOf(running);
        for (int run = 0; run < options.runs(); run++) {
            for (int i = 0; i < all.size(); i++) {
                Running r = all.get((i + run) % all.size());
                Measurement m = r.results.measurement(metric);
                try {
                    probe.run(r, m);
                } catch (IOException e) {
                    m.fail(e.getMessage());
                }
            }
        }
        for (Running r : all) {
            progress(r.name(), r.results.measurement(metric));
        }
    }

    /** The figure as the run reports it: the first generator's under its own name, any other's as a cross-check. */
    private Metric primary(LoadGenerator generator, Metric metric) {
        return generator == generators.get(0) ? metric : metric.by(generator.name());
    }

    /** Idle sessions on one running target; a target that must restart for it gets new endpoints. */
    private void idle(Running running, Fixture fixture) throws IOException {
        FixtureSpec spec = fixture.spec();
        if (spec.idleUsers() < 2) {
            return;
        }
        Target target = running.target;
        TargetResults r = running.results;
        Endpoints current = running.endpoints;
        if (!target.restartForMemory()) {
            idleRun(target, current, Math.max(1, spec.idleUsers() / 20), null, null, null, null);
        }
        for (int n : List.of(spec.idleUsers() / 2, spec.idleUsers())) {
            Measurement rss = r.measurement(Metric.idleRss(n));
            Measurement pss = r.measurement(Metric.idlePss(n));
            Measurement heap = target.jvm() ? r.measurement(Metric.idleHeap(n)) : null;
            Measurement served = r.measurement(Metric.idleServed(n));
            for (int run = 0; run < options.runs(); run++) {
                if (target.restartForMemory()) {
                    target.close();
                    current = Endpoints.free();
                    running.endpoints = current;
                    target.start(fixture, current, Fixture.sessionUser(0), START_TIMEOUT);
                    served.note("server", "restarted before each run");
                }
                idleRun(target, current, n, rss, pss, heap, served);
            }
            progress(r.name(), rss);
        }
    }

    private void idleRun(Target target, Endpoints endpoints, int n, Measurement rss, Measurement pss,
                         Measurement heap, Measurement served) throws IOException {
        ProcessHandle server = target.process();
        Path dir = options.out();
        long heapBefore = target.jvm() ? Processes.heapAfterGc(server.pid(), dir) : 0;
        Processes.Memory before = Processes.memory(server);
        long[] heapAfter = new long[1];
        Processes.Memory[] after = new Processes.Memory[1];
        IdleLoad.Result result = IdleLoad.run(endpoints.plainAddress(), users(n, Fixture::idleUser), IDLE_IN_FLIGHT,
                IDLE_PHASE_TIMEOUT, () -> {
                    heapAfter[0] = target.jvm() ? Processes.heapAfterGc(server.pid(), dir) : 0;
                    after[0] = Processes.memory(server);
                });
        if (served == null) {
            return;
        }
        if (result.loggedIn() > 0) {
            rss.add((double) (after[0].rssKib() - before.rssKib()) / result.loggedIn());
            pss.add((double) (after[0].pssKib() - before.pssKib()) / result.loggedIn());
            if (heap != null) {
                heap.add((double) (heapAfter[0] - heapBefore) / result.loggedIn());
            }
        }
        served.add(result.served());
        served.note("open and log in all (s)", Report.number(result.openSeconds()));
        if (result.served() < n) {
            served.fail(result.served() + " of " + n + " sessions served; " + result.failures().count()
                    + " failed, first: " + result.failures().first());
        }
    }

    private void measureStartup(Target target, Fixture startFixture, TargetResults r) throws IOException {
        target.close();
        Measurement fresh = r.measurement(Metric.startupFresh());
        String user = Fixture.sessionUser(0);
        StartupLoad.fresh(target, startFixture, user);
        for (int run = 0; run < options.runs(); run++) {
            fresh.add(StartupLoad.fresh(target, startFixture, user));
        }
        progress(r.name(), fresh);
        if (!target.jvm()) {
            return;
        }
        measureWarm(target, startFixture, r, Metric.startupWarm(), EmbeddedServerFactory::embedded);
        measureWarm(target, startFixture, r, Metric.startupTestServer(), EmbeddedServerFactory::testServer);
    }

    /** The warm start-up row of one kind of in-process server, if the target has a factory of that kind. */
    private void measureWarm(Target target, Fixture startFixture, TargetResults r, Metric metric,
                             Predicate<EmbeddedServerFactory> kind) throws IOException {
        Measurement warm = r.measurement(metric);
        Optional<EmbeddedServerFactory> factory = ServiceLoader.load(EmbeddedServerFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f.target().equals(target.name()) && kind.test(f))
                .findFirst();
        if (factory.isEmpty()) {
            warm.note("not measured", "no in-process " + EmbeddedServerFactory.class.getSimpleName() + " of this"
                    + " kind for " + target.name() + " on the class path");
            return;
        }
        StartupLoad.warm(factory.get(), startFixture, Fixture.sessionUser(0), options.warmStarts())
                .forEach(warm::add);
        warm.note("starts", Integer.toString(options.warmStarts()));
        progress(r.name(), warm);
    }

    private static void failures(Measurement m, RunFailures failures, long attempts, String what) {
        if (failures.count() > 0) {
            m.fail(failures.count() + " of " + attempts + " " + what + " failed, first: " + failures.first());
        }
    }

    private void progress(String target, Measurement m) {
        if (m.hasValues()) {
            log.line(target + ": " + m.metric().label().strip() + ": " + Report.number(m.median()) + " "
                    + m.metric().unit() + (m.failures().isEmpty() ? "" : " (with failures)"));
        } else {
            log.line(target + ": " + m.metric().label().strip() + ": no figure; " + m.failures());
        }
    }

    /** The first three fields of {@code /proc/loadavg}, or a question mark where there is none. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", Arrays.asList(fields).subList(0, 3));
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static List<String> users(int n, java.util.function.IntFunction<String> name) {
        return IntStream.range(0, n).mapToObj(name).toList();
    }

    /** A target started over the fixture, with where it listens and what its TLS clients trust. */
    private static final class Running {
        private final Target target;
        private final TargetResults results;
        private final LoadGenerator.ClientSide tls;
        private volatile Endpoints endpoints;

        Running(Target target, TargetResults results, Endpoints endpoints, LoadGenerator.ClientSide tls) {
            this.target = target;
            this.results = results;
            this.endpoints = endpoints;
            this.tls = tls;
        }

        String name() {
            return target.name();
        }

        InetSocketAddress address(boolean implicitTls) {
            return implicitTls ? endpoints.tlsAddress() : endpoints.plainAddress();
        }

        LoadGenerator.ClientSide clientSide(boolean implicitTls) {
            return implicitTls ? tls : null;
        }

        /** The same, with clients that resume their previous session if {@code resume}. */
        LoadGenerator.ClientSide clientSide(boolean implicitTls, boolean resume) {
            return implicitTls && resume ? tls.resuming() : clientSide(implicitTls);
        }

        /** CPU seconds the server's process tree has used so far. */
        double serverCpu() {
            return Processes.cpuSeconds(target.process());
        }
    }

    /** One unmeasured run of a load on one target. */
    @FunctionalInterface
    private interface WarmUp {
        void run(Running r) throws IOException, InterruptedException;
    }

    /** One measured run of a load on one target, recorded in its measurement. */
    @FunctionalInterface
    private interface Probe {
        void run(Running r, Measurement m) throws IOException, InterruptedException;
    }

    private Map<String, String> runFacts(Instant started, FixtureSpec spec) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("mode", options.smoke() ? "smoke" : "full");
        facts.put("started", started.toString());
        facts.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name")
                + " " + System.getProperty("os.version") + ", Java " + System.getProperty("java.version"));
        facts.put("runs", options.runs() + " measured runs per load after one warm-up; session runs of "
                + options.sessionDuration().toMillis() + " ms; a RETR run repeats its passes (every client's RETR of "
                + "its messages) for at least " + options.sessionDuration().dividedBy(2).toMillis()
                + " ms, and the RETR warm-up one client's RETR of a tenth of the messages for as long");
        facts.put("fixture", spec.retrUsers() + " mailboxes of " + spec.retrMessages() + " x " + spec.retrSize()
                + " octets; listing mailboxes of " + spec.listCounts() + " x " + spec.smallSize() + " octets; "
                + spec.idleUsers() + " empty mailboxes for idle sessions; passwords {PLAIN}"
                + (options.loads().contains("sessions-hashed") ? " ({SHA512-CRYPT}, rounds 5000, in the rows marked"
                        + " SHA512-CRYPT, which " + String.join(" and ", Targets.PLAIN_PASSWORDS_ONLY.stream().sorted()
                        .toList()) + " sit out: they take passwords in clear only)" : ""));
        facts.put("generator", "session and RETR loads: " + generators.get(0).description()
                + (generators.size() > 1 ? "; rows marked [" + generators.get(1).name() + " generator]: "
                        + generators.get(1).description() : "")
                + "; UIDL + LIST: Java, one blocking connection; idle sessions: Java, one NIO selector thread; "
                + "MB = 10^6 octets of message (CRLF) data");
        facts.put("CPU", "generator and server CPU over each run (user + system) divided by the run's time, in "
                + "cores; the server's from /proc/<pid>/stat of its whole process tree, the C generator's from "
                + "getrusage, the Java generator's is the harness JVM's");
        facts.put("interleaving", "all targets run at once on their own ports; each load has one unmeasured "
                + "warm-up per target, then round after round of one measured run per target");
        facts.put("server JVM options", String.join(" ", options.serverJvmOptions()) + " (Poplar's JVMs first get "
                + "its launcher's heap settings, " + String.join(" ", Targets.LAUNCHER_HEAP_OPTIONS) + ")");
        facts.put("Poplar's class data", options.poplarCds()
                ? "its JVMs map a class-data-sharing archive made once from the jar by its training run "
                        + "(`PoplarServer cds-training`), as the distribution's launcher `bin/poplar` does"
                : "none (`--poplar-cds off`): a bare `java -jar`, unlike the distribution's launcher");
        facts.put("TLS", "implicit TLS; fixture certificates " + TlsKey.RSA.label() + " and " + TlsKey.ECDSA.label()
                + " (self-signed); the C generator offers TLS 1.2 and 1.3 (1.3 is negotiated) and resumes only in the "
                + "rows marked resumed, where each client offers the session of its previous connection; "
                + "the Java generator's protocols: " + (options.clientTlsProtocols().isEmpty()
                ? "the JDK's default (TLSv1.3 first)" : options.clientTlsProtocols()));
        return facts;
    }
}
