package dev.poplar.pop3.micrometer;

import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Observer;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.store.MailboxStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Records a {@link Pop3Server}'s events as Micrometer meters. Add it to the server as an observer; bind the server
 * itself for the gauge of open connections, and a certificate source for the expiry gauge:
 * <pre>{@code
 * Pop3MeterBinder meters = Pop3MeterBinder.create(registry);
 * Pop3Server server = Pop3Server.builder()...observer(meters).build();
 * meters.bindServer(server).bindCertificate(() -> serverTls.keyMaterial().chain());
 * }</pre>
 *
 * <p><b>Meters</b> (names in Micrometer's dotted form; Prometheus shows {@code pop3.sessions} as
 * {@code pop3_sessions_seconds_count} and so on). Tag values are lower case; no tag ever carries a user name, an
 * address or anything else a client chooses.
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code pop3.connections.open}</td><td>gauge</td><td></td><td>connections open now
 *       ({@link #bindServer})</td></tr>
 *   <tr><td>{@code pop3.connections.refused}</td><td>counter</td><td>{@code reason}</td><td>connections refused
 *       before their session: {@code too_many_connections}, {@code too_many_from_address}, {@code server_stopping},
 *       {@code proxy_header}</td></tr>
 *   <tr><td>{@code pop3.sessions}</td><td>timer</td><td>{@code end}</td><td>sessions ended, by how
 *       ({@code quit}, {@code client_disconnected}, {@code idle_timeout}, ...), with their duration</td></tr>
 *   <tr><td>{@code pop3.logins}</td><td>counter</td><td>{@code mechanism}, {@code outcome}</td><td>login attempts:
 *       {@code success}, {@code credentials}, {@code login_delay}, {@code authenticator_unavailable},
 *       {@code maildrop}</td></tr>
 *   <tr><td>{@code pop3.commands}</td><td>timer</td><td>{@code verb}, {@code status}</td><td>commands answered
 *       ({@code ok} or {@code err}) and how long each took; for {@code RETR}, until its last octet was handed to the
 *       network: the download time</td></tr>
 *   <tr><td>{@code pop3.messages.retrieved}</td><td>summary, bytes</td><td></td><td>messages sent in full by
 *       {@code RETR} and their sizes</td></tr>
 *   <tr><td>{@code pop3.messages.deleted}</td><td>counter</td><td></td><td>messages removed at {@code QUIT}</td></tr>
 *   <tr><td>{@code pop3.store.calls}</td><td>timer</td><td>{@code operation}, {@code outcome}</td><td>calls to the
 *       mailbox store ({@code open}, {@code content}, {@code update}), {@code success} or {@code failure}</td></tr>
 *   <tr><td>{@code pop3.tls.handshakes}</td><td>counter</td><td>{@code outcome}, {@code protocol}</td><td>TLS
 *       handshakes; failed ones have protocol {@code unknown}</td></tr>
 *   <tr><td>{@code pop3.login.penalties}</td><td>timer</td><td></td><td>failed-login answers held back, and for how
 *       long (its maximum is the longest penalty recently in force)</td></tr>
 *   <tr><td>{@code pop3.login.penalties.active}</td><td>gauge</td><td></td><td>answers held back now</td></tr>
 *   <tr><td>{@code pop3.tls.certificate.expiry}</td><td>time gauge, seconds</td><td></td><td>time until the served
 *       chain's first certificate expires, negative once expired ({@link #bindCertificate})</td></tr>
 * </table>
 *
 * <p><b>Threading.</b> Thread-safe. {@link #onEvent} is cheap: it updates meters created up front, or once per new
 * tag value from a small fixed set.
 */
public final class Pop3MeterBinder implements Pop3Observer {

    private static final Pattern MECHANISM = Pattern.compile("[A-Z0-9_-]{1,20}");

    private final MeterRegistry registry;
    private final Tags tags;
    private final Clock clock;
    private final Map<Pop3Event.ConnectionRefused.Reason, Counter> refused =
            new EnumMap<>(Pop3Event.ConnectionRefused.Reason.class);
    private final Map<SessionSummary.EndReason, Timer> sessions = new EnumMap<>(SessionSummary.EndReason.class);
    private final Map<Verb, Timer[]> commands = new EnumMap<>(Verb.class);
    private final Timer[] unknownCommands;
    private final Map<MailboxStore.Operation, Timer[]> storeCalls = new EnumMap<>(MailboxStore.Operation.class);
    private final Map<String, Counter> logins = new ConcurrentHashMap<>();
    private final Map<String, Counter> handshakes = new ConcurrentHashMap<>();
    private final DistributionSummary retrieved;
    private final Counter deleted;
    private final Counter handshakeFailures;
    private final Timer penalties;
    private final PriorityQueue<Long> penaltiesEnding = new PriorityQueue<>();

    private Pop3MeterBinder(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        this.clock = Clock.systemUTC();
        for (Pop3Event.ConnectionRefused.Reason reason : Pop3Event.ConnectionRefused.Reason.values()) {
            refused.put(reason, Counter.builder("pop3.connections.refused").tags(tags).tag("reason", lower(reason))
                    .description("Connections refused before their session").register(registry));
        }
        for (SessionSummary.EndReason end : SessionSummary.EndReason.values()) {
            sessions.put(end, Timer.builder("pop3.sessions").tags(tags).tag("end", lower(end))
                    .description("Sessions ended, by how they ended, with their duration").register(registry));
        }
        for (Verb verb : Verb.values()) {
            commands.put(verb, commandTimers(verb.name()));
        }
        unknownCommands = commandTimers("UNKNOWN");
        for (MailboxStore.Operation operation : MailboxStore.Operation.values()) {
            storeCalls.put(operation, new Timer[] {storeTimer(operation, "success"), storeTimer(operation, "failure")});
        }
        retrieved = DistributionSummary.builder("pop3.messages.retrieved").tags(tags).baseUnit("bytes")
                .description("Messages sent in full by RETR, and their sizes").register(registry);
        deleted = Counter.builder("pop3.messages.deleted").tags(tags)
                .description("Messages removed from mailboxes at QUIT").register(registry);
        handshakeFailures = handshakeCounter("failure", "unknown");
        penalties = Timer.builder("pop3.login.penalties").tags(tags)
                .description("Answers to failed logins held back, and for how long").register(registry);
        Gauge.builder("pop3.login.penalties.active", this, Pop3MeterBinder::activePenalties).tags(tags)
                .description("Answers to failed logins held back now").strongReference(true).register(registry);
    }

    /**
     * Creates a binder whose meters carry no extra tags.
     *
     * @param registry where the meters go
     * @return the binder; add it to a server with {@code Pop3Server.Builder.observer(...)}
     */
    public static Pop3MeterBinder create(MeterRegistry registry) {
        return create(registry, Tags.empty());
    }

    /**
     * Creates a binder whose meters carry extra tags, e.g. {@code server=mx1} to tell servers in one registry apart.
     *
     * @param registry where the meters go
     * @param tags tags added to every meter
     * @return the binder; add it to a server with {@code Pop3Server.Builder.observer(...)}
     */
    public static Pop3MeterBinder create(MeterRegistry registry, Iterable<Tag> tags) {
        return new Pop3MeterBinder(Objects.requireNonNull(registry, "registry"), Tags.of(tags));
    }

    /**
     * Adds the gauge of the connections a server has open ({@code pop3.connections.open}). The gauge holds the
     * server weakly: it reads NaN once the server is gone.
     *
     * @param server the server this binder observes
     * @return this binder
     */
    public Pop3MeterBinder bindServer(Pop3Server server) {
        Gauge.builder("pop3.connections.open", server, Pop3Server::openSessions).tags(tags)
                .description("Connections open now").baseUnit("connections").register(registry);
        return this;
    }

    /**
     * Adds the gauge of the time until the served certificate chain expires ({@code pop3.tls.certificate.expiry}):
     * the earliest expiry of any certificate in it, read at each scrape, so a reloaded certificate shows at once.
     * With {@code pop3-tls}: {@code bindCertificate(() -> serverTls.keyMaterial().chain())}.
     *
     * @param chain supplies the chain served now, leaf first; must be cheap
     * @return this binder
     */
    public Pop3MeterBinder bindCertificate(Supplier<? extends List<X509Certificate>> chain) {
        Objects.requireNonNull(chain, "chain");
        TimeGauge.builder("pop3.tls.certificate.expiry", chain, TimeUnit.SECONDS, c -> secondsLeft(c.get()))
                .tags(tags).description("Time until the served certificate chain expires").strongReference(true)
                .register(registry);
        return this;
    }

    private double secondsLeft(List<X509Certificate> chain) {
        return chain.stream().mapToLong(c -> c.getNotAfter().toInstant().getEpochSecond()).min()
                .orElse(Long.MIN_VALUE) - clock.instant().getEpochSecond();
    }

    @Override
    public void onEvent(Pop3Event event) {
        if (event instanceof Pop3Event.CommandCompleted c) {
            Timer[] timers = c.verb().map(commands::get).orElseGet(() -> saslContinuation(c.command())
                    ? commands.get(Verb.AUTH) : unknownCommands);
            timers[c.ok() ? 0 : 1].record(c.took());
        } else if (event instanceof Pop3Event.MessageRetrieved r) {
            retrieved.record(r.octets());
        } else if (event instanceof Pop3Event.StoreCallCompleted s) {
            storeCalls.get(s.operation())[s.failed() ? 1 : 0].record(s.took());
        } else if (event instanceof Pop3Event.LoginSucceeded l) {
            login(l.mechanism(), "success");
        } else if (event instanceof Pop3Event.LoginFailed l) {
            login(l.mechanism(), lower(l.cause()));
        } else if (event instanceof Pop3Event.ConnectionClosed c) {
            sessions.get(c.summary().end()).record(c.summary().duration());
            if (c.summary().end() == SessionSummary.EndReason.TLS_FAILED) {
                handshakeFailures.increment();
            }
        } else if (event instanceof Pop3Event.ConnectionRefused r) {
            refused.get(r.reason()).increment();
        } else if (event instanceof Pop3Event.TlsEstablished t) {
            handshakes.computeIfAbsent(t.protocol(), p -> handshakeCounter("success", protocolTag(p))).increment();
        } else if (event instanceof Pop3Event.MessagesDeleted d) {
            deleted.increment(d.removed().size());
        } else if (event instanceof Pop3Event.PenaltyApplied p) {
            penalties.record(p.delay());
            penaltyStarted(p.delay());
        }
    }

    private void login(String mechanism, String outcome) {
        String name = MECHANISM.matcher(mechanism).matches() ? mechanism : "OTHER";
        logins.computeIfAbsent(name + ' ' + outcome, k -> Counter.builder("pop3.logins").tags(tags)
                .tag("mechanism", name).tag("outcome", outcome).description("Login attempts, by outcome")
                .register(registry)).increment();
    }

    private synchronized void penaltyStarted(Duration delay) {
        long now = System.nanoTime();
        prune(now);
        penaltiesEnding.add(now + delay.toNanos());
    }

    private synchronized double activePenalties() {
        prune(System.nanoTime());
        return penaltiesEnding.size();
    }

    private void prune(long now) {
        while (!penaltiesEnding.isEmpty() && penaltiesEnding.peek() - now <= 0) {
            penaltiesEnding.poll();
        }
    }

    private Timer[] commandTimers(String verb) {
        return new Timer[] {commandTimer(verb, "ok"), commandTimer(verb, "err")};
    }

    private Timer commandTimer(String verb, String status) {
        return Timer.builder("pop3.commands").tags(tags).tag("verb", verb).tag("status", status)
                .description("Commands answered, by verb and status").register(registry);
    }

    private Timer storeTimer(MailboxStore.Operation operation, String outcome) {
        return Timer.builder("pop3.store.calls").tags(tags).tag("operation", lower(operation)).tag("outcome", outcome)
                .description("Calls to the mailbox store").register(registry);
    }

    private Counter handshakeCounter(String outcome, String protocol) {
        return Counter.builder("pop3.tls.handshakes").tags(tags).tag("outcome", outcome).tag("protocol", protocol)
                .description("TLS handshakes").register(registry);
    }

    /** SASL continuation lines are reported as {@code ***} (a response) or {@code *} (the client's abort). */
    private static boolean saslContinuation(String command) {
        return command.equals("***") || command.equals("*");
    }

    private static String protocolTag(String protocol) {
        return protocol.matches("[A-Za-z0-9.]{1,16}") ? protocol : "other";
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
