package dev.poplar.examples;

import dev.poplar.examples.config.ConfigSection;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code logging} section. The server logs to standard error, one line per session and per notable event;
 * under systemd the journal keeps it ({@code journalctl -u poplar}).
 *
 * <pre>
 * logging:
 *   level: info              # error, warn, info, debug, trace, off
 *   loggers:                 # levels of single loggers (packages or classes)
 *     dev.poplar.pop3.tls: debug
 *   timestamps: true         # false under systemd: the journal stamps every line itself
 * </pre>
 *
 * The settings are SLF4J Simple's system properties; a property given on the Java command line wins.
 */
final class LoggingConfig {

    /** The levels SLF4J Simple knows. */
    enum Level { ERROR, WARN, INFO, DEBUG, TRACE, OFF }

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private final Map<String, String> properties;

    private LoggingConfig(Map<String, String> properties) {
        this.properties = Map.copyOf(properties);
    }

    static LoggingConfig read(Optional<ConfigSection> logging) {
        Map<String, String> properties = new LinkedHashMap<>();
        logging.ifPresent(section -> {
            section.choice("level", Level.class, l -> properties.put(PREFIX + "defaultLogLevel", name(l)));
            section.section("loggers").ifPresent(loggers -> {
                for (var entry : loggers.node().entries()) {
                    loggers.choice(entry.key(), Level.class,
                            l -> properties.put(PREFIX + "log." + entry.key(), name(l)));
                }
            });
            section.bool("timestamps", on -> properties.put(PREFIX + "showDateTime", on.toString()));
        });
        return new LoggingConfig(properties);
    }

    private static String name(Level level) {
        return level.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The logging system properties this configuration sets.
     *
     * @return property names and values
     */
    Map<String, String> properties() {
        return properties;
    }

    /**
     * Sets the properties that are not set yet. Call before anything logs: SLF4J Simple reads them once.
     */
    void apply() {
        properties.forEach((name, value) -> {
            if (System.getProperty(name) == null) {
                System.setProperty(name, value);
            }
        });
    }
}
