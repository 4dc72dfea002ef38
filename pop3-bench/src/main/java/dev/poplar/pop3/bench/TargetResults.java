package dev.poplar.pop3.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one target produced in a run: its measurements in order, and problems that stopped a load. */
final class TargetResults {

    private final String name;
    private final Map<String, Measurement> measurements = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private String skipped;

    TargetResults(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /** The measurement of a metric, created on first use. */
    Measurement measurement(Metric metric) {
        return measurements.computeIfAbsent(metric.id(), id -> new Measurement(metric));
    }

    /** The measurement of a metric id, or {@code null}. */
    Measurement get(String id) {
        return measurements.get(id);
    }

    Collection<Measurement> measurements() {
        return Collections.unmodifiableCollection(measurements.values());
    }

    void problem(String text) {
        problems.add(text);
    }

    List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** Marks the target as not run, with the reason. */
    void skip(String reason) {
        skipped = reason;
    }

    /** Why the target was not run, or {@code null} if it ran. */
    String skipped() {
        return skipped;
    }

    /** Whether anything failed: a problem, or a measurement with a failed run. */
    boolean failed() {
        return !problems.isEmpty() || measurements.values().stream().anyMatch(m -> !m.failures().isEmpty());
    }
}
