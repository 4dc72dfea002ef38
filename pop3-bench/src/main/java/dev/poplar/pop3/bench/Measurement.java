package dev.poplar.pop3.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The values one target produced for one metric, one per run, with notes and failures. Not thread-safe. */
final class Measurement {

    private final Metric metric;
    private final List<Double> values = new ArrayList<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private double exceeded = Double.NaN;

    Measurement(Metric metric) {
        this.metric = metric;
    }

    Metric metric() {
        return metric;
    }

    void add(double value) {
        values.add(value);
    }

    void note(String key, String value) {
        notes.put(key, value);
    }

    /** Records that a run was cut off at a time limit (in the metric's unit): the figure is above it. */
    void exceeded(double limit) {
        exceeded = limit;
        note("cut off", "a run did not finish within " + Report.number(limit) + " " + metric.unit());
    }

    /** The limit a run was cut off at, or NaN. */
    double exceededLimit() {
        return exceeded;
    }

    void fail(String failure) {
        failures.add(failure);
    }

    List<Double> values() {
        return Collections.unmodifiableList(values);
    }

    Map<String, String> notes() {
        return Collections.unmodifiableMap(notes);
    }

    List<String> failures() {
        return Collections.unmodifiableList(failures);
    }

    boolean hasValues() {
        return !values.isEmpty();
    }

    /** The median of the values (the mean of the middle two for an even count). */
    double median() {
        List<Double> sorted = sorted();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
        return sorted().get(0);
    }

    double max() {
        return sorted().get(values.size() - 1);
    }

    private List<Double> sorted() {
        if (values.isEmpty()) {
            throw new IllegalStateException("no values for " + metric.id());
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted;
    }
}
