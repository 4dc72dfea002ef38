package dev.poplar.examples;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigSection;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code logging} section. The server logs to standard error, one line per session and per notable event;
 * under systemd the journal keeps it ({@code journalctl -u poplar}). The audit trail ({@link AuditConfig}) may go to
 * a file of its own.
 *
 * <pre>
 * logging:
 *   level: info              # error, warn, info, debug, trace, off
 *   loggers:                 # levels of single loggers (packages or classes)
 *     dev.poplar.pop3.tls: debug
 *   timestamps: true         # false under systemd: the journal stamps every line itself
 * </pre>
 *
 * The backend is Logback, configured here in code (no {@code logback.xml} is read).
 */
final class LoggingConfig {

    /** The levels. */
    enum Level {
        ERROR, WARN, INFO, DEBUG, TRACE, OFF;

        ch.qos.logback.classic.Level logback() {
            return ch.qos.logback.classic.Level.toLevel(name());
        }
    }

    private final Level level;
    private final Map<String, Level> loggers;
    private final boolean timestamps;

    private LoggingConfig(Level level, Map<String, Level> loggers, boolean timestamps) {
        this.level = level;
        this.loggers = Map.copyOf(loggers);
        this.timestamps = timestamps;
    }

    static LoggingConfig read(Optional<ConfigSection> logging) {
        Map<String, Level> loggers = new LinkedHashMap<>();
        Level level = logging.flatMap(s -> s.choice("level", Level.class)).orElse(Level.INFO);
        logging.flatMap(s -> s.section("loggers")).ifPresent(section -> {
            for (var entry : section.node().entries()) {
                section.choice(entry.key(), Level.class, l -> loggers.put(entry.key(), l));
            }
        });
        boolean timestamps = logging.flatMap(s -> s.bool("timestamps")).orElse(true);
        return new LoggingConfig(level, loggers, timestamps);
    }

    /** @return the level of every logger not named in {@link #loggers()} */
    Level level() {
        return level;
    }

    /** @return the levels of single loggers */
    Map<String, Level> loggers() {
        return loggers;
    }

    /** @return whether log lines start with the time */
    boolean timestamps() {
        return timestamps;
    }

    /**
     * Configures the logging backend, and the audit trail's file if there is one. Call before the server starts.
     *
     * @param audit the audit section, if any
     * @throws ConfigException if the audit file cannot be written
     */
    void apply(Optional<AuditConfig> audit) throws ConfigException {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            configure(context, level, loggers, timestamps);
            if (audit.isPresent()) {
                audit.get().attach(context);
            }
        }
    }

    /**
     * Replaces a Logback configuration with the log on standard error.
     *
     * @param context the Logback context
     * @param level the root level
     * @param loggers levels of single loggers
     * @param timestamps whether lines start with the time
     */
    static void configure(LoggerContext context, Level level, Map<String, Level> loggers, boolean timestamps) {
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern((timestamps ? "%d{yyyy-MM-dd HH:mm:ss} " : "") + "%level %logger{0} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level.logback());
        root.addAppender(console);
        // MINA reports every connection a client drops while a write is under way: the session log has it already.
        context.getLogger("org.apache.mina").setLevel(ch.qos.logback.classic.Level.WARN);
        loggers.forEach((name, l) -> context.getLogger(name).setLevel(l.logback()));
    }
}
