package dev.poplar.examples.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration, where it is and what it is.
 *
 * @param origin where: a file position or a flag
 * @param setting the setting's path, e.g. {@code limits.max_connections} or {@code listeners[2].port}; empty for
 *     the document as a whole
 * @param message what is wrong, e.g. {@code unknown key (did you mean max_connections?)}
 */
public record ConfigProblem(Origin origin, String setting, String message) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if a field is null
     */
    public ConfigProblem {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(setting, "setting");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The problem as one line: {@code poplar.yaml:12:3: limits.max_conections: unknown key (did you mean
     * max_connections?)}, or {@code --port: must be a number: x} for a flag.
     *
     * @return the line
     */
    @Override
    public String toString() {
        boolean named = origin.inFile() && !setting.isEmpty();
        return origin + ": " + (named ? setting + ": " : "") + message;
    }
}
