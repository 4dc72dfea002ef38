package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigProblem;
import dev.poplar.pop3.server.Listener;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code poplar check-config FILE}: reads a configuration file as the server would and uses what it names (opens
 * the store, loads the users file and the certificate) without listening, then reports every problem with its line,
 * or what the server would serve.
 */
final class CheckConfig {

    private CheckConfig() {
    }

    /**
     * Checks a configuration file.
     *
     * @param args the arguments after {@code check-config}: the file, optionally after {@code --config}
     * @param environment looks up {@code ${env:NAME}}
     * @param out where the verdict goes
     * @param err where problems go, one per line
     * @return 0 if the file is good, 2 if not
     */
    static int run(String[] args, Function<String, String> environment, PrintStream out, PrintStream err) {
        List<String> words = List.of(args);
        if (!words.isEmpty() && words.get(0).equals("--config")) {
            words = words.subList(1, words.size());
        }
        if (words.size() != 1) {
            err.println("usage: poplar check-config FILE");
            return 2;
        }
        Path file = Path.of(words.get(0));
        ServerConfig config;
        try {
            config = ServerConfig.fromFile(file, environment);
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            return 2;
        }
        List<ConfigProblem> problems = new ArrayList<>();
        List<String> report = new ArrayList<>();
        for (Listener l : config.listeners()) {
            report.add("listener " + l.name() + " on " + l.address().getHostString() + ":" + l.address().getPort()
                    + (l.implicitTls() ? " (implicit TLS)" : config.tls().isPresent() ? " (STLS)" : " (no TLS)")
                    + l.proxyProtocol().map(p -> ", PROXY protocol from " + String.join(" ", p.trustedSources()))
                            .orElse(""));
        }
        List<String> rules = config.access().rules().lines();
        if (!rules.isEmpty()) {
            report.add("access: " + String.join("; ", rules));
        }
        config.metrics().ifPresent(m -> report.add("metrics: " + m.url()));
        config.audit().ifPresent(audit -> {
            try {
                audit.check();
                report.add("audit: " + audit.file().map(f -> "records to " + f + " (rotated)")
                        .orElse("records in the log"));
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        });
        try {
            StoreConfig.Opened store = config.store().open();
            report.add("store: " + store.description());
            store.resource().close();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        } catch (Exception e) {
            report.add("store: closing it failed: " + e.getMessage());
        }
        if (!config.store().memory()) {
            try {
                report.add("users: " + config.auth().build().description());
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        config.tls().ifPresent(tls -> {
            if (tls.development()) {
                report.add("tls: a development CA, made at start (not for production)");
                return;
            }
            try (var built = config.tls().get().build(config.listeners()).tls()) {
                report.add("tls: " + built.keyMaterial());
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        });
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            return 2;
        }
        out.println(file + ": OK");
        report.forEach(line -> out.println("  " + line));
        return 0;
    }
}
