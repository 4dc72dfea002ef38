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
    private final List<Double> generatorCores = new ArrayList<>();
    private final List<Double> serverCores = new ArrayList<>();
    private final Map<String, long[]> tallies = new LinkedHashMap<>();
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

    /** Adds {@code part} of {@code whole} to a running count noted as {@code "<part> of <whole>"}. */
    void tally(String key, long part, long whole) {
        long[] sum = tallies.computeIfAbsent(key, k -> new long[2]);
        sum[0] += part;
        sum[1] += whole;
        note(key, sum[0] + " of " + sum[1]);
    }

    /**
     * Records what one run cost in CPU: the load generator's and the server's, each in cores (CPU seconds per
     * second of the run).
     */
    void cpu(double generator, double server) {
        generatorCores.add(generator);
        serverCores.add(server);
    }

    /** The load generator's CPU per run, in cores. */
    List<Double> generatorCores() {
        return Collections.unmodifiableList(generatorCores);
    }

    /** The server's CPU per run, in cores. */
    List<Double> serverCores() {
        return Collections.unmodifiableList(serverCores);
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
        return median(sorted());
    }

    /**
     * The median of some numbers (the mean of the middle two for an even count).
     *
     * @throws IllegalStateException if there are none
     */
    static double median(List<Double> numbers) {
        if (numbers.isEmpty()) {
            throw new IllegalStateException("no numbers");
        }
        List<Double> sorted = new ArrayList<>(numbers);
        Collections.sort(sorted);
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
