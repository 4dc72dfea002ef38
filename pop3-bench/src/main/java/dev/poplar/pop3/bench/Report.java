package dev.poplar.pop3.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of a run as a markdown table (each target's figure, and the subject's ratio to each peer) and as
 * JSON. A figure within {@code ceilingFraction} of the canned-reply server's for the same load is flagged: it
 * may be the load generator's limit rather than the server's.
 */
final class Report {

    /** The target whose figures are the load generator's own ceiling. */
    static final String CEILING = "canned";

    private final Map<String, String> run;
    private final List<TargetResults> targets;
    private final String subject;
    private final double ceilingFraction;

    /**
     * @param run             facts about the run (mode, date, machine, sizes), reported as given
     * @param targets         results in column order
     * @param subject         the target whose ratio to every other peer is shown
     * @param ceilingFraction how close to the ceiling a figure may come before it is flagged
     */
    Report(Map<String, String> run, List<TargetResults> targets, String subject, double ceilingFraction) {
        this.run = Collections.unmodifiableMap(new LinkedHashMap<>(run));
        this.targets = List.copyOf(targets);
        this.subject = subject;
        this.ceilingFraction = ceilingFraction;
    }

    /** Whether a target's figure for a metric is near the generator's ceiling for it. */
    boolean nearCeiling(TargetResults target, Measurement m) {
        if (target.name().equals(CEILING) || !m.metric().bounded() || !m.hasValues()) {
            return false;
        }
        Measurement ceiling = results(CEILING) == null ? null : results(CEILING).get(m.metric().id());
        if (ceiling == null || !ceiling.hasValues()) {
            return false;
        }
        return m.metric().higherIsBetter()
                ? m.median() >= ceilingFraction * ceiling.median()
                : m.median() * ceilingFraction <= ceiling.median();
    }

    /** The subject's median divided by a peer's, or {@code null} when either has no figure. */
    Double ratio(String peer, String metricId) {
        TargetResults a = results(subject);
        TargetResults b = results(peer);
        Measurement x = a == null ? null : a.get(metricId);
        Measurement y = b == null ? null : b.get(metricId);
        if (x == null || y == null || !x.hasValues() || !y.hasValues() || y.median() == 0) {
            return null;
        }
        return x.median() / y.median();
    }

    /** The markdown report. */
    String markdown() {
        List<String> peers = peers();
        StringBuilder out = new StringBuilder();
        out.append("## POP3 benchmark, ").append(run.getOrDefault("mode", "?")).append(" run\n\n");
        for (Map.Entry<String, String> fact : run.entrySet()) {
            out.append("- ").append(fact.getKey()).append(": ").append(fact.getValue()).append('\n');
        }
        out.append("\nEach cell: median (min to max) over the runs. `*`: within ")
                .append(Math.round(ceilingFraction * 100))
                .append("% of the load generator's own ceiling (the canned-reply server) for that load, so the "
                        + "figure may be the generator's limit, not the server's. Ratios: ").append(subject)
                .append("'s median divided by the peer's; read them with the `better` column.\n\n");
        List<String> header = new ArrayList<>(List.of("load", "unit", "better"));
        for (TargetResults t : targets) {
            header.add(t.name().equals(CEILING) ? "canned (generator ceiling)" : t.name());
        }
        for (String peer : peers) {
            header.add(subject + " / " + peer);
        }
        row(out, header);
        row(out, header.stream().map(h -> "---").toList());
        for (Metric metric : metrics()) {
            List<String> cells = new ArrayList<>(List.of(metric.label(), metric.unit(),
                    metric.higherIsBetter() ? "higher" : "lower"));
            for (TargetResults t : targets) {
                cells.add(cell(t, t.get(metric.id())));
            }
            for (String peer : peers) {
                Double r = ratio(peer, metric.id());
                cells.add(r == null ? "—" : String.format(Locale.ROOT, "%.2f", r));
            }
            row(out, cells);
        }
        out.append('\n');
        cpuTable(out);
        costTable(out, peers);
        for (TargetResults t : targets) {
            if (t.skipped() != null) {
                out.append("- ").append(t.name()).append(": not run: ").append(t.skipped()).append('\n');
            }
            for (String problem : t.problems()) {
                out.append("- ").append(t.name()).append(": PROBLEM: ").append(problem).append('\n');
            }
            for (Measurement m : t.measurements()) {
                for (String failure : m.failures()) {
                    out.append("- ").append(t.name()).append(", ").append(m.metric().id()).append(": FAILED: ")
                            .append(failure).append('\n');
                }
                if (!m.notes().isEmpty()) {
                    out.append("- ").append(t.name()).append(", ").append(m.metric().id()).append(": ");
                    List<String> parts = new ArrayList<>();
                    m.notes().forEach((k, v) -> parts.add(k + " " + v));
                    out.append(String.join("; ", parts)).append('\n');
                }
            }
        }
        return out.toString();
    }

    /**
     * The CPU split: for every load with CPU figures, the generator's and the server's cores for each target, so
     * that a reader sees which side was the bottleneck.
     */
    private void cpuTable(StringBuilder out) {
        List<Metric> withCpu = metrics().stream().filter(metric -> targets.stream()
                .map(t -> t.get(metric.id())).anyMatch(m -> m != null && !m.serverCores().isEmpty())).toList();
        if (withCpu.isEmpty()) {
            return;
        }
        out.append("CPU during each load, in cores (CPU seconds per second of the run; ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" in all, shared by generator and server): `generator / server`, medians over the runs.\n\n");
        List<String> header = new ArrayList<>(List.of("load"));
        targets.forEach(t -> header.add(t.name()));
        row(out, header);
        row(out, header.stream().map(h -> "---").toList());
        for (Metric metric : withCpu) {
            List<String> cells = new ArrayList<>(List.of(metric.label()));
            for (TargetResults t : targets) {
                Measurement m = t.get(metric.id());
                cells.add(m == null || m.serverCores().isEmpty() ? "—"
                        : cores(m.generatorCores()) + " / " + cores(m.serverCores()));
            }
            row(out, cells);
        }
        out.append('\n');
    }

    /**
     * The server's own cost: for every rate load with CPU figures, the server's CPU per unit of work (per session, per
     * MB), and how many times the peers' cost the subject's is. Unlike the rates, it does not depend on the share of
     * the machine the generator took, so it shows what a machine with the generator elsewhere would turn into rates.
     */
    private void costTable(StringBuilder out, List<String> peers) {
        List<Metric> rates = metrics().stream().filter(metric -> targets.stream()
                .anyMatch(t -> serverMicrosPerUnit(t.get(metric.id())) != null)).toList();
        if (rates.isEmpty()) {
            return;
        }
        out.append("Server CPU per unit of work, in µs (each run's server CPU divided by the work it served, medians "
                + "over the runs). Ratios: the peer's cost divided by ").append(subject)
                .append("'s (above 1: ").append(subject).append(" needs less CPU for the same work).\n\n");
        List<String> header = new ArrayList<>(List.of("load", "per"));
        targets.forEach(t -> header.add(t.name()));
        peers.forEach(peer -> header.add(peer + " / " + subject));
        row(out, header);
        row(out, header.stream().map(h -> "---").toList());
        TargetResults subjectResults = results(subject);
        for (Metric metric : rates) {
            List<String> cells = new ArrayList<>(List.of(metric.label(), workUnit(metric.unit())));
            for (TargetResults t : targets) {
                Double cost = serverMicrosPerUnit(t.get(metric.id()));
                cells.add(cost == null ? "—" : number(cost));
            }
            Double own = subjectResults == null ? null : serverMicrosPerUnit(subjectResults.get(metric.id()));
            for (String peer : peers) {
                Double theirs = serverMicrosPerUnit(results(peer).get(metric.id()));
                cells.add(own == null || theirs == null || own == 0 ? "—"
                        : String.format(Locale.ROOT, "%.2f", theirs / own));
            }
            row(out, cells);
        }
        out.append('\n');
    }

    /**
     * The server's CPU per unit of a rate metric ({@code sessions/s}, {@code MB/s}) in µs: each run's server cores
     * divided by its rate, median over the runs; {@code null} without a rate, CPU figures for every run, or a run
     * with both work and CPU above zero.
     */
    static Double serverMicrosPerUnit(Measurement m) {
        if (m == null || !m.metric().higherIsBetter() || !m.metric().unit().endsWith("/s")
                || m.serverCores().isEmpty() || m.serverCores().size() != m.values().size()) {
            return null;
        }
        List<Double> perRun = new ArrayList<>();
        for (int i = 0; i < m.values().size(); i++) {
            // A run whose server CPU read as zero was shorter than the clock's tick: no figure.
            if (m.values().get(i) > 0 && m.serverCores().get(i) > 0) {
                perRun.add(m.serverCores().get(i) / m.values().get(i) * 1e6);
            }
        }
        return perRun.isEmpty() ? null : Measurement.median(perRun);
    }

    /** What one unit of a rate is: {@code session} for {@code sessions/s}, {@code MB} for {@code MB/s}. */
    private static String workUnit(String rateUnit) {
        String unit = rateUnit.substring(0, rateUnit.length() - 2);
        return unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
    }

    private static String cores(List<Double> values) {
        return String.format(Locale.ROOT, "%.2f", Measurement.median(values));
    }

    /** The JSON report. */
    String json() {
        Json json = new Json();
        json.open('{');
        json.key("run").open('{');
        run.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> json.key(e.getKey()).value(e.getValue()));
        json.close('}');
        json.key("subject").value(subject);
        json.key("ceilingTarget").value(CEILING);
        json.key("ceilingFraction").value(ceilingFraction);
        json.key("targets").open('{');
        for (TargetResults t : targets) {
            json.key(t.name()).open('{');
            json.key("skipped").value(t.skipped());
            json.key("problems").open('[');
            t.problems().forEach(json::value);
            json.close(']');
            json.key("metrics").open('{');
            for (Measurement m : t.measurements()) {
                json.key(m.metric().id()).open('{');
                json.key("label").value(m.metric().label().strip());
                json.key("unit").value(m.metric().unit());
                json.key("higherIsBetter").value(m.metric().higherIsBetter());
                if (m.hasValues()) {
                    json.key("median").value(m.median());
                    json.key("min").value(m.min());
                    json.key("max").value(m.max());
                }
                json.key("values").open('[');
                m.values().forEach(json::value);
                json.close(']');
                if (!m.serverCores().isEmpty()) {
                    json.key("generatorCores").value(Measurement.median(m.generatorCores()));
                    json.key("serverCores").value(Measurement.median(m.serverCores()));
                    json.key("generatorCoresPerRun").open('[');
                    m.generatorCores().forEach(json::value);
                    json.close(']');
                    json.key("serverCoresPerRun").open('[');
                    m.serverCores().forEach(json::value);
                    json.close(']');
                    Double cost = serverMicrosPerUnit(m);
                    if (cost != null) {
                        json.key("serverMicrosPerUnit").value(cost);
                    }
                }
                json.key("nearGeneratorCeiling").value(nearCeiling(t, m));
                json.key("cutOffAt").value(m.exceededLimit());
                json.key("notes").open('{');
                m.notes().forEach((k, v) -> json.key(k).value(v));
                json.close('}');
                json.key("failures").open('[');
                m.failures().forEach(json::value);
                json.close(']');
                json.close('}');
            }
            json.close('}');
            json.close('}');
        }
        json.close('}');
        json.key("ratios").open('{');
        for (String peer : peers()) {
            json.key(subject + "/" + peer).open('{');
            for (Metric metric : metrics()) {
                json.key(metric.id()).value(ratio(peer, metric.id()));
            }
            json.close('}');
        }
        json.close('}');
        json.close('}');
        return json.toString();
    }

    /** The other targets, when the subject is one of the run's targets. */
    private List<String> peers() {
        if (results(subject) == null) {
            return List.of();
        }
        return targets.stream().map(TargetResults::name).filter(n -> !n.equals(subject)).toList();
    }

    private TargetResults results(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    /** Every metric any target measured, in first-seen order. */
    private List<Metric> metrics() {
        Map<String, Metric> all = new LinkedHashMap<>();
        for (TargetResults t : targets) {
            t.measurements().forEach(m -> all.putIfAbsent(m.metric().id(), m.metric()));
        }
        return new ArrayList<>(all.values());
    }

    private String cell(TargetResults t, Measurement m) {
        if (m == null) {
            return "—";
        }
        if (!m.hasValues()) {
            if (!Double.isNaN(m.exceededLimit())) {
                return "> " + number(m.exceededLimit());
            }
            return m.failures().isEmpty() ? "n/a" : "FAILED";
        }
        String text = m.values().size() == 1 ? number(m.median())
                : number(m.median()) + " (" + number(m.min()) + " to " + number(m.max()) + ")";
        if (!m.failures().isEmpty()) {
            text += " !";
        }
        return nearCeiling(t, m) ? text + " *" : text;
    }

    static String number(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (magnitude >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static void row(StringBuilder out, List<String> cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
}
