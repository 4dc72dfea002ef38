package dev.poplar.pop3.bench;

import java.io.PrintStream;

/** Progress lines of a benchmark run, on standard error so that standard output stays the report. */
final class Log {

    private final PrintStream out;
    private final boolean quiet;

    Log(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    /** Writes one progress line unless quiet. */
    void line(String text) {
        if (!quiet) {
            out.println("[bench] " + text);
            out.flush();
        }
    }

    /** Writes a line even when quiet: warnings and failures. */
    void warn(String text) {
        out.println("[bench] WARNING: " + text);
        out.flush();
    }
}
