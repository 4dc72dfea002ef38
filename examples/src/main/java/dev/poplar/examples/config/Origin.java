package dev.poplar.examples.config;

import java.util.Objects;

/**
 * Where a piece of configuration was written: a line and column of a file, or a command-line flag.
 *
 * @param source the file name as given, or the flag (e.g. {@code --port})
 * @param line the line, from 1; 0 when the source has no lines (a flag)
 * @param column the column, from 1; 0 when unknown
 */
public record Origin(String source, int line, int column) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if {@code source} is null
     * @throws IllegalArgumentException if the line or column is negative
     */
    public Origin {
        Objects.requireNonNull(source, "source");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must not be negative: " + line + ":" + column);
        }
    }

    /**
     * A value given by a command-line flag.
     *
     * @param flag the flag, e.g. {@code --port}
     * @return the origin
     */
    public static Origin flag(String flag) {
        return new Origin(flag, 0, 0);
    }

    /**
     * Whether this origin is a position in a file (and messages should name the setting's path).
     *
     * @return true for a file position
     */
    public boolean inFile() {
        return line > 0;
    }

    /** @return {@code file:line:column}, {@code file:line}, or the flag */
    @Override
    public String toString() {
        if (line == 0) {
            return source;
        }
        return source + ":" + line + (column > 0 ? ":" + column : "");
    }
}
