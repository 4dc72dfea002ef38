package dev.poplar.examples.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used: every problem found, each with its line or flag. */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @serial the problems, in the order of the file */
    private final List<ConfigProblem> problems;

    /**
     * Creates an exception.
     *
     * @param problems at least one problem
     * @throws IllegalArgumentException if there is none
     */
    public ConfigException(List<ConfigProblem> problems) {
        super(sorted(problems).stream().map(ConfigProblem::toString)
                .collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs a problem");
        }
        this.problems = sorted(problems);
    }

    /** In the order of the file: by source, then line and column; flags keep their order. */
    private static List<ConfigProblem> sorted(List<ConfigProblem> problems) {
        return problems.stream().sorted(Comparator.comparing((ConfigProblem p) -> p.origin().source())
                .thenComparingInt(p -> p.origin().line()).thenComparingInt(p -> p.origin().column())).toList();
    }

    /**
     * One problem.
     *
     * @param origin where
     * @param setting the setting's path, or empty
     * @param message what is wrong
     */
    public ConfigException(Origin origin, String setting, String message) {
        this(List.of(new ConfigProblem(origin, setting, message)));
    }

    /**
     * The problems, in the order of the file.
     *
     * @return the problems
     */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
