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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;

/**
 * Runs the loads against each target in turn (the canned-reply server first, so that every other figure can be
 * compared with the load generator's own ceiling), then prints the markdown report and writes it and a JSON
 * report to the output directory.
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
    private volatile Target running;

    private BenchMain(BenchOptions options, Log log) {
        this.options = options;
        this.log = log;
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
        if (!options.clientTlsProtocols().isEmpty()) {
            // read once, when the JDK's TLS provider first initialises: before any SSLContext exists
            System.setProperty("jdk.tls.client.protocols", options.clientTlsProtocols());
        }
        int status;
        try {
            status = new BenchMain(options, new Log(System.err, options.quiet())).run();
        } catch (IOException e) {
            System.err.println("pop3-bench: " + e.getMessage());
            status = 1;
        } catch (InterruptedException e) {
            System.err.println("pop3-bench: interrupted");
            status = 1;
        }
        System.exit(status);
    }

    private int run() throws IOException, InterruptedException {
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Files.createDirectories(options.out());
        Fixture fixture = Fixture.prepare(options.fixtureDir(), options.fixtureSpec(), log);
        Path startDir = options.fixtureDir().resolveSibling(options.fixtureDir().getFileName() + "-start");
        Fixture startFixture = Fixture.prepare(startDir, FixtureSpec.startup(), log);
        Path work = Files.createDirectories(options.out().resolve("work"));

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Target target = running;
            if (target != null) {
                target.close();
            }
        }, "stop-target"));
        Map<String, TargetResults> results = new LinkedHashMap<>();
        options.targets().forEach(name -> results.put(name, new TargetResults(name)));
        List<String> order = new ArrayList<>(options.targets());
        if (order.remove(Report.CEILING)) {
            order.add(0, Report.CEILING);
        }
        for (String name : order) {
            TargetResults r = results.get(name);
            Target target;
            try {
                target = Targets.create(name, options, work);
            } catch (IllegalArgumentException e) {
                if (options.targetsExplicit()) {
                    r.problem(e.getMessage());
                } else {
                    r.skip(e.getMessage());
                }
                log.warn(name + ": " + e.getMessage());
                continue;
            }
            log.line(name + ": starting");
            running = target;
            try {
                measureTarget(target, fixture, r);
                if (options.loads().contains("startup")) {
                    measureStartup(target, startFixture, r);
                }
            } catch (IOException e) {
                r.problem(e.getMessage());
                log.warn(name + ": " + e.getMessage());
            } finally {
                target.close();
                running = null;
            }
        }

        Report report = new Report(runFacts(started, fixture), new ArrayList<>(results.values()), options.subject(),
                options.ceilingFraction());
        String markdown = report.markdown();
        Files.writeString(options.out().resolve("report.md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(options.out().resolve("report.json"), report.json(), StandardCharsets.UTF_8);
        System.out.print(markdown);
        log.line("reports: " + options.out().resolve("report.md") + " and report.json");
        return results.values().stream().anyMatch(TargetResults::failed) ? 1 : 0;
    }

    private void measureTarget(Target target, Fixture fixture, TargetResults r)
            throws IOException, InterruptedException {
        List<String> loads = options.loads().stream().filter(l -> !l.equals("startup")).toList();
        if (loads.isEmpty()) {
            return;
        }
        Endpoints endpoints = Endpoints.free();
        Duration startup = target.start(fixture, endpoints, Fixture.sessionUser(0), START_TIMEOUT);
        log.line(target.name() + ": serving the fixture after " + startup.toMillis() + " ms");
        SSLContext tls = ClientTls.trusting(fixture.certificate());
        if (loads.contains("sessions")) {
            sessions(endpoints, tls, fixture.spec(), r);
        }
        if (loads.contains("retr")) {
            retr(endpoints, tls, fixture.spec(), r);
        }
        if (loads.contains("listing")) {
            listing(endpoints, fixture.spec(), r);
        }
        if (loads.contains("idle")) {
            idle(target, endpoints, fixture, r);
        }
        target.close();
    }

    private void sessions(Endpoints endpoints, SSLContext tlsContext, FixtureSpec spec, TargetResults r)
            throws InterruptedException {
        for (boolean tls : List.of(false, true)) {
            InetSocketAddress address = tls ? endpoints.tlsAddress() : endpoints.plainAddress();
            SSLContext context = tls ? tlsContext : null;
            SessionLoad.run(address, context, users(Math.min(16, spec.sessionUsers()), Fixture::sessionUser),
                    options.sessionDuration().dividedBy(2));
            for (int clients : SESSION_CLIENTS) {
                if (clients > spec.sessionUsers()) {
                    continue;
                }
                Measurement m = r.measurement(Metric.sessions(tls, clients));
                long resumed = 0;
                long total = 0;
                for (int run = 0; run < options.runs(); run++) {
                    SessionLoad.Result result = SessionLoad.run(address, context,
                            users(clients, Fixture::sessionUser), options.sessionDuration());
                    m.add(result.perSecond());
                    resumed += result.resumed();
                    total += result.sessions();
                    failures(m, result.failures(), result.sessions() + result.failures().count(), "sessions");
                }
                if (tls) {
                    m.note("TLS sessions resumed", resumed + " of " + total);
                }
                progress(r.name(), m);
            }
        }
    }

    private void retr(Endpoints endpoints, SSLContext tlsContext, FixtureSpec spec, TargetResults r)
            throws InterruptedException {
        int messages = spec.retrMessages();
        for (boolean tls : List.of(false, true)) {
            InetSocketAddress address = tls ? endpoints.tlsAddress() : endpoints.plainAddress();
            SSLContext context = tls ? tlsContext : null;
            RetrLoad.run(address, context, users(1, Fixture::retrUser), Math.max(1, messages / 10), spec.retrSize());
            for (int clients : IntStream.of(1, spec.retrUsers()).distinct().toArray()) {
                Measurement rate = r.measurement(Metric.retrThroughput(tls, clients, messages, spec.retrSize()));
                Measurement seconds = clients == 1 ? r.measurement(Metric.retrSeconds(tls, clients)) : null;
                for (int run = 0; run < options.runs(); run++) {
                    RetrLoad.Result result = RetrLoad.run(address, context, users(clients, Fixture::retrUser),
                            messages, spec.retrSize());
                    if (result.messages() > 0) {
                        rate.add(result.megabytesPerSecond());
                        if (seconds != null) {
                            seconds.add(result.secondsPer1000());
                        }
                    }
                    failures(rate, result.failures(), clients, "clients");
                }
                progress(r.name(), rate);
            }
        }
    }

    private void listing(Endpoints endpoints, FixtureSpec spec, TargetResults r) {
        for (int count : spec.listCounts()) {
            Measurement m = r.measurement(Metric.listing(count));
            String user = Fixture.listUser(count);
            for (int run = -1; run < options.runs(); run++) {
                try {
                    double millis = ListingLoad.run(endpoints.plainAddress(), user, count, options.listingLimit());
                    if (run >= 0) {
                        m.add(millis);
                    }
                } catch (ListingLoad.LimitExceeded e) {
                    m.exceeded(e.limit().toMillis());
                    break;
                } catch (IOException e) {
                    m.fail(e.getMessage());
                }
            }
            progress(r.name(), m);
        }
    }

    private void idle(Target target, Endpoints endpoints, Fixture fixture, TargetResults r) throws IOException {
        FixtureSpec spec = fixture.spec();
        if (spec.idleUsers() < 2) {
            return;
        }
        Endpoints current = endpoints;
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
        Measurement warm = r.measurement(Metric.startupWarm());
        Optional<EmbeddedServerFactory> factory = ServiceLoader.load(EmbeddedServerFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f.target().equals(target.name())).findFirst();
        if (factory.isEmpty()) {
            warm.note("not measured", "no in-process " + EmbeddedServerFactory.class.getSimpleName() + " for "
                    + target.name() + " on the class path");
            return;
        }
        StartupLoad.warm(factory.get(), startFixture, user, options.warmStarts()).forEach(warm::add);
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

    private static List<String> users(int n, java.util.function.IntFunction<String> name) {
        return IntStream.range(0, n).mapToObj(name).toList();
    }

    private Map<String, String> runFacts(Instant started, Fixture fixture) {
        FixtureSpec spec = fixture.spec();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("mode", options.smoke() ? "smoke" : "full");
        facts.put("started", started.toString());
        facts.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name")
                + " " + System.getProperty("os.version") + ", Java " + System.getProperty("java.version"));
        facts.put("runs", options.runs() + " measured runs per load after one warm-up; session runs of "
                + options.sessionDuration().toMillis() + " ms");
        facts.put("fixture", spec.retrUsers() + " mailboxes of " + spec.retrMessages() + " x " + spec.retrSize()
                + " octets; listing mailboxes of " + spec.listCounts() + " x " + spec.smallSize() + " octets; "
                + spec.idleUsers() + " empty mailboxes for idle sessions; passwords {PLAIN}");
        facts.put("generator", "Java, a thread per connection (blocking sockets, JDK TLS, one shared client "
                + "SSLContext); idle sessions: one NIO selector thread; MB = 10^6 octets of message (CRLF) data");
        facts.put("server JVM options", String.join(" ", options.serverJvmOptions()));
        facts.put("client TLS protocols", options.clientTlsProtocols().isEmpty() ? "the JDK's default (TLSv1.3 first)"
                : options.clientTlsProtocols());
        return facts;
    }
}
