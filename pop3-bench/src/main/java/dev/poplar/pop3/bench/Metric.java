package dev.poplar.pop3.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * One figure the benchmark reports.
 *
 * @param id            stable key in the JSON output, such as {@code sessions.plain.c16}
 * @param label         what the table calls it
 * @param unit          its unit
 * @param higherIsBetter whether a larger figure is the better one
 * @param bounded       whether the load generator's own ceiling can bound it (throughput and latency figures)
 */
record Metric(String id, String label, String unit, boolean higherIsBetter, boolean bounded) {

    /**
     * Sessions per second.
     *
     * @param key the kind of key of the server's certificate for implicit TLS, or {@code null} for plain
     */
    static Metric sessions(TlsKey key, int clients) {
        String id = key == null ? "plain" : key == TlsKey.RSA ? "tls" : "tls-" + key.name().toLowerCase(Locale.ROOT);
        String how = key == null ? "plain" : "implicit TLS, " + key.label();
        return new Metric("sessions." + id + ".c" + clients,
                "sessions/s " + how + ", " + clients + " client" + (clients > 1 ? "s" : ""),
                "sessions/s", true, true);
    }

    /**
     * Plain sessions per second where every user's entry is a {@code SHA512-CRYPT} hash (doveadm's default), as an
     * operator's users file is: the servers that verify such entries, and the canned server's ceiling.
     */
    static Metric sessionsHashed(int clients) {
        return new Metric("sessions.plain-sha512-crypt.c" + clients,
                "sessions/s plain, SHA512-CRYPT passwords, " + clients + " client" + (clients > 1 ? "s" : ""),
                "sessions/s", true, true);
    }

    /**
     * Sessions per second over implicit TLS where each client resumes its previous session (TLS 1.3 tickets), as a
     * mail client polling a mailbox does.
     */
    static Metric sessionsResumed(int clients) {
        return new Metric("sessions.tls-resumed.c" + clients,
                "sessions/s implicit TLS, resumed, " + clients + " client" + (clients > 1 ? "s" : ""),
                "sessions/s", true, true);
    }

    /**
     * The same figure measured with another load generator than the one the run's figures come from: a
     * cross-check, with its own id and label.
     */
    Metric by(String generator) {
        return new Metric(id + "." + generator, label + " [" + generator + " generator]", unit, higherIsBetter,
                bounded);
    }

    static Metric retrThroughput(boolean tls, int clients, int messages, int size) {
        return new Metric("retr." + (tls ? "tls" : "plain") + ".c" + clients + ".mbps",
                "RETR " + messages + " x " + size / 1024 + " KiB, " + clients + " client" + (clients > 1 ? "s" : "")
                        + (clients > 1 ? " on " + clients + " mailboxes" : "") + ", " + (tls ? "TLS" : "plain"),
                "MB/s", true, true);
    }

    static Metric retrSeconds(boolean tls, int clients) {
        return new Metric("retr." + (tls ? "tls" : "plain") + ".c" + clients + ".s-per-1000",
                "  same, seconds per 1,000 messages", "s", false, true);
    }

    static Metric listing(int count) {
        return new Metric("listing." + count, "login to complete UIDL + LIST, " + count + " messages", "ms", false,
                true);
    }

    static Metric idleRss(int sessions) {
        return new Metric("idle." + sessions + ".rss", "RSS per idle logged-in session, N=" + sessions, "KiB", false,
                false);
    }

    static Metric idlePss(int sessions) {
        return new Metric("idle." + sessions + ".pss", "  PSS per session, N=" + sessions, "KiB", false, false);
    }

    static Metric idleHeap(int sessions) {
        return new Metric("idle." + sessions + ".heap", "  heap per session (JVM, after GC), N=" + sessions, "KiB",
                false, false);
    }

    static Metric idleServed(int sessions) {
        return new Metric("idle." + sessions + ".served", "  sessions that answered NOOP, of " + sessions, "sessions",
                true, false);
    }

    static Metric startupWarm() {
        return new Metric("startup.warm", "start to first login, warm JVM (in-process)", "ms", false, false);
    }

    static Metric startupTestServer() {
        return new Metric("startup.test-server", "start to first login, warm JVM, test server (in memory)", "ms",
                false, false);
    }

    static Metric startupFresh() {
        return new Metric("startup.fresh", "start to first login, fresh process", "ms", false, false);
    }

    static Metric soakSessions(Duration duration, int clients) {
        return new Metric("soak.sessions", "soak: sessions ended with QUIT in " + duration.toSeconds() + " s, "
                + clients + " clients (errors must be none)", "sessions", true, false);
    }

    static Metric soakEnd(String id, String what, String unit) {
        return new Metric("soak." + id, "  soak: " + what + ", at the end", unit, false, false);
    }

    static Metric soakGrowth(String id, String what, String unit) {
        return new Metric("soak." + id + ".growth", "  soak: " + what + ", end minus start", unit, false, false);
    }
}
