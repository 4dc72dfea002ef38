package dev.poplar.pop3.auth.passwd;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A users or app-passwords file that cannot be used: it cannot be read or written, or a line is malformed or names an
 * unknown password scheme. The message names the file and, where there is one, the line; it never contains a secret.
 */
public final class PasswdFileException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The users file; not serialized. */
    private final transient Path file;

    /** The 1-based line of the problem, or 0. */
    private final int line;

    /**
     * Creates an exception.
     *
     * @param file the users file
     * @param line the 1-based line number of the problem, or 0 if it concerns the whole file
     * @param problem what is wrong
     * @param cause the underlying failure, or {@code null}
     */
    public PasswdFileException(Path file, int line, String problem, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem, cause);
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
    }

    /**
     * The users file.
     *
     * @return its path as given
     */
    public Path file() {
        return file;
    }

    /**
     * Where in the file the problem is.
     *
     * @return the 1-based line number, or 0 if the problem concerns the whole file (it cannot be read)
     */
    public int line() {
        return line;
    }
}
