package dev.poplar.pop3.bench;

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

    static Metric sessions(boolean tls, int clients) {
        return new Metric("sessions." + (tls ? "tls" : "plain") + ".c" + clients,
                "sessions/s " + (tls ? "implicit TLS" : "plain") + ", " + clients + " client" + (clients > 1 ? "s" : ""),
                "sessions/s", true, true);
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

    static Metric startupFresh() {
        return new Metric("startup.fresh", "start to first login, fresh process", "ms", false, false);
    }
}
