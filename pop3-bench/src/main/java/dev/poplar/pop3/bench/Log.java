package dev.poplar.pop3.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress lines of a benchmark run, on standard error so that standard output stays the report, each with the
 * seconds since the log was made.
 */
final class Log {

    private final PrintStream out;
    private final boolean quiet;
    private final long started = System.nanoTime();

    Log(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    /** Writes one progress line unless quiet. */
    void line(String text) {
        if (!quiet) {
            out.println(prefix() + text);
            out.flush();
        }
    }

    private String prefix() {
        return String.format(Locale.ROOT, "[bench %6.1f s] ", (System.nanoTime() - started) / 1e9);
    }

    /** Writes a line even when quiet: warnings and failures. */
    void warn(String text) {
        out.println(prefix() + "WARNING: " + text);
        out.flush();
    }
}
