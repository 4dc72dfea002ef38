package dev.poplar.pop3.store.maildir.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * When each message of a Maildir was first retrieved, as the file {@value #FILE_NAME} in the Maildir keeps it: one line
 * per message, its base name and the time in seconds since the epoch, separated by the last space. Maildir flags can
 * say that a message was seen ({@code S}) but not when, and the file's times change with other clients' renames, so
 * the times live beside the messages, on the same file system: every host that serves the Maildir reads the same
 * file, and it survives restarts. Dovecot and other Maildir readers ignore it.
 *
 * <p>The file is replaced whole (written to {@code tmp/}, then renamed over the old one) by the session that holds the
 * Maildir's lock, so readers see the old or the new file, never a mix. Lines that cannot be read are skipped; base
 * names holding a line break are not recorded (such a message never expires by retrieval). Immutable.
 */
public final class RetrievalTimes {

    /** The name of the file in the Maildir's directory. */
    public static final String FILE_NAME = "poplar-retrieved";

    private static final String HEADER = "# Poplar: when each message was first retrieved (base name, epoch seconds)";
    private static final RetrievalTimes NONE = new RetrievalTimes(Map.of());

    private final Map<String, Long> seconds;

    private RetrievalTimes(Map<String, Long> seconds) {
        this.seconds = seconds;
    }

    /** @return no message retrieved */
    public static RetrievalTimes none() {
        return NONE;
    }

    /**
     * Reads the file's content.
     *
     * @param in the file's octets, read to the end; not closed
     * @return the times
     * @throws IOException if reading fails
     */
    public static RetrievalTimes read(InputStream in) throws IOException {
        Map<String, Long> seconds = new HashMap<>();
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            int space = line.lastIndexOf(' ');
            if (line.startsWith("#") || space <= 0) {
                continue;
            }
            try {
                long time = Long.parseLong(line.substring(space + 1));
                seconds.merge(line.substring(0, space), time, Math::min);
            } catch (NumberFormatException e) {
                // Not a line this class wrote: skipped.
            }
        }
        return seconds.isEmpty() ? NONE : new RetrievalTimes(Collections.unmodifiableMap(seconds));
    }

    /**
     * When a message was first retrieved.
     *
     * @param base the message's base name
     * @return the time, or empty if it was never retrieved
     */
    public Optional<Instant> firstRetrieved(String base) {
        Long time = seconds.get(base);
        return time == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(time));
    }

    /**
     * These times, with messages retrieved now added (a message that has a time keeps it), and without the messages
     * that are no longer in the Maildir.
     *
     * @param retrieved the base names of the messages retrieved now
     * @param now the time now
     * @param present whether a base name is still in the Maildir
     * @return the new times
     */
    public RetrievalTimes with(Collection<String> retrieved, Instant now, Predicate<String> present) {
        Map<String, Long> next = new HashMap<>();
        seconds.forEach((base, time) -> {
            if (present.test(base)) {
                next.put(base, time);
            }
        });
        for (String base : retrieved) {
            if (base.indexOf('\n') < 0 && base.indexOf('\r') < 0) {
                next.putIfAbsent(base, now.getEpochSecond());
            }
        }
        return new RetrievalTimes(Collections.unmodifiableMap(next));
    }

    /**
     * Whether these times hold the same as others.
     *
     * @param other other times
     * @return {@code true} if nothing would change in the file
     */
    public boolean same(RetrievalTimes other) {
        return seconds.equals(other.seconds);
    }

    /** @return how many messages have a time */
    public int size() {
        return seconds.size();
    }

    /**
     * Writes the file's content, sorted by base name.
     *
     * @param out where to write; flushed, not closed
     * @throws IOException if writing fails
     */
    public void write(OutputStream out) throws IOException {
        Writer text = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        text.write(HEADER);
        text.write('\n');
        for (Map.Entry<String, Long> entry : new TreeMap<>(seconds).entrySet()) {
            text.write(entry.getKey());
            text.write(' ');
            text.write(Long.toString(entry.getValue()));
            text.write('\n');
        }
        text.flush();
    }
}
