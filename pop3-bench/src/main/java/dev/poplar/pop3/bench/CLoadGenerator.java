package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The C generator ({@code src/main/c/pop3-load.c}) run as a child process per load: a thread per connection,
 * blocking sockets, OpenSSL, every TLS handshake a full one (no resumption) unless the client side asks each client
 * to resume its previous session. It reports its figures and its own CPU time ({@code getrusage}) on standard
 * output.
 */
final class CLoadGenerator implements LoadGenerator {

    /** How much longer than its planned duration a session run may take before it is stopped. */
    private static final Duration SESSION_GRACE = Duration.ofMinutes(3);
    /** How long a RETR run may take. */
    private static final Duration RETR_LIMIT = Duration.ofMinutes(30);

    private final Path binary;
    private final Path workDir;

    /**
     * @param binary  the compiled {@code pop3-load}
     * @param workDir the directory it runs in
     */
    CLoadGenerator(Path binary, Path workDir) {
        this.binary = binary;
        this.workDir = workDir;
    }

    @Override
    public String name() {
        return "c";
    }

    @Override
    public String description() {
        return "C (pop3-load), a thread per connection (blocking sockets, OpenSSL, every TLS handshake a full one "
                + "but in the rows marked resumed)";
    }

    @Override
    public SessionLoad.Result sessions(InetSocketAddress address, ClientSide tls, List<String> users,
                                       Duration duration) throws IOException {
        Map<String, String> out = run(address, tls, users, List.of("--mode", "sessions",
                "--seconds", String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0)),
                duration.plus(SESSION_GRACE));
        return new SessionLoad.Result(number(out, "sessions"), decimal(out, "seconds"), number(out, "resumed"),
                failures(out), decimal(out, "cpu"));
    }

    @Override
    public RetrLoad.Result retr(InetSocketAddress address, ClientSide tls, List<String> users, int messages,
                                int size) throws IOException {
        Map<String, String> out = run(address, tls, users, List.of("--mode", "retr",
                "--messages", Integer.toString(messages), "--size", Integer.toString(size)), RETR_LIMIT);
        return new RetrLoad.Result(number(out, "octets"), number(out, "messages"), decimal(out, "seconds"),
                failures(out), decimal(out, "cpu"));
    }

    private Map<String, String> run(InetSocketAddress address, ClientSide tls, List<String> users,
                                    List<String> load, Duration limit) throws IOException {
        List<String> command = new ArrayList<>(List.of(binary.toAbsolutePath().toString(),
                "--host", address.getHostString(), "--port", Integer.toString(address.getPort()),
                "--users", String.join(",", users), "--password", Fixture.PASSWORD));
        if (tls != null) {
            command.addAll(List.of("--tls", "implicit", "--ca", tls.certificate().toString()));
            if (tls.resume()) {
                command.addAll(List.of("--resume", "yes"));
            }
        }
        command.addAll(load);
        return parse(Processes.run(command, workDir, limit));
    }

    /**
     * Reads the generator's {@code key value} lines.
     *
     * @throws IOException if a figure is missing
     */
    static Map<String, String> parse(String output) throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String line : output.split("\n")) {
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            values.put(key, space < 0 ? "" : line.substring(space + 1).strip());
        }
        for (String key : List.of("sessions", "resumed", "messages", "octets", "seconds", "cpu", "failures")) {
            if (!values.containsKey(key)) {
                throw new IOException("pop3-load printed no '" + key + "': " + output.strip());
            }
        }
        return values;
    }

    private static long number(Map<String, String> values, String key) {
        return Long.parseLong(values.get(key));
    }

    private static double decimal(Map<String, String> values, String key) {
        return Double.parseDouble(values.get(key));
    }

    private static RunFailures failures(Map<String, String> values) {
        RunFailures failures = new RunFailures();
        failures.addAll(number(values, "failures"), values.getOrDefault("first-failure", ""));
        return failures;
    }
}
