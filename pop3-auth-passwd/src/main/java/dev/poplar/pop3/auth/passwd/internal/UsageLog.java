package dev.poplar.pop3.auth.passwd.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * When each app password last logged in, kept in a small state file ({@code user id INSTANT} a line) beside the
 * app-passwords file. A use is written at most once per interval per app password (the file is replaced
 * atomically, merged with what other servers sharing it wrote); between writes it is kept in memory and goes out with
 * the next write. Failing to write is logged and never fails a login. Thread-safe.
 */
public final class UsageLog {

    private static final Logger LOG = LoggerFactory.getLogger(UsageLog.class);

    /**
     * An app password of a user.
     *
     * @param user the user
     * @param id the app password's id
     */
    public record Key(String user, String id) {
    }

    private final Path file;
    private final Clock clock;
    private final Duration interval;
    private final Map<Key, Instant> written = new HashMap<>();
    private final Map<Key, Instant> pending = new HashMap<>();

    /**
     * A log over a state file.
     *
     * @param file the state file; need not exist
     * @param clock the time of a use
     * @param interval how often, at most, a use of one app password is written
     */
    public UsageLog(Path file, Clock clock, Duration interval) {
        this.file = file;
        this.clock = clock;
        this.interval = interval;
    }

    /**
     * Records that an app password logged in now. Never throws; may block for a file write.
     *
     * @param user the user
     * @param id the app password
     */
    public void used(String user, String id) {
        Key key = new Key(user, id);
        Instant now = clock.instant();
        synchronized (this) {
            pending.merge(key, now, UsageLog::later);
            Instant last = written.get(key);
            if (last != null && now.isBefore(last.plus(interval))) {
                return;
            }
            Map<Key, Instant> batch = Map.copyOf(pending);
            pending.clear();
            written.putAll(batch);
            try {
                Map<Key, Instant> merged = new TreeMap<>(Comparator.comparing(Key::user)
                        .thenComparing(Key::id));
                merged.putAll(read(file));
                batch.forEach((k, at) -> merged.merge(k, at, UsageLog::later));
                StringBuilder text = new StringBuilder("# Last logins of app passwords: user id instant\n");
                merged.forEach((k, at) -> text.append(k.user()).append(' ').append(k.id()).append(' ').append(at)
                        .append('\n'));
                AtomicFile.write(file, text.toString());
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot record the last use of app passwords in {}: {}", file, e.toString());
            }
        }
    }

    /**
     * Reads a state file. Lines that cannot be read are skipped: the file is a record, not configuration.
     *
     * @param file the state file
     * @return the last use of each app password in it; empty if the file does not exist
     * @throws IOException if it exists but cannot be read
     */
    public static Map<Key, Instant> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        Map<Key, Instant> uses = new HashMap<>();
        for (String line : lines) {
            String[] fields = line.strip().split(" +");
            if (fields.length != 3 || fields[0].startsWith("#")) {
                continue;
            }
            try {
                uses.merge(new Key(fields[0], fields[1]), Instant.parse(fields[2]), UsageLog::later);
            } catch (DateTimeParseException e) {
                LOG.debug("Skipping a line of {} that is not user id instant", file);
            }
        }
        return uses;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
