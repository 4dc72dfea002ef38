package dev.poplar.examples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigSection;
import dev.poplar.pop3.audit.AuditTlsObserver;
import dev.poplar.pop3.audit.AuditTrail;
import dev.poplar.pop3.tls.TlsObserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code audit} section: the audit trail ({@code pop3-audit}'s {@link AuditTrail}), one JSON line per login,
 * failed login, penalty, refused connection, session end and certificate event. Without {@code file} the records go
 * to the log (standard error) like every other line; with it, to a file of their own that Logback's rolling appender
 * rotates: daily and when it reaches {@code max_file_size}, older files compressed ({@code audit.log.2026-11-28.0.gz}),
 * kept for {@code max_history} days and at most {@code total_size_cap} together.
 *
 * <pre>
 * audit:
 *   file: /var/log/poplar/audit.log
 *   max_file_size: 100MB       # KB, MB or GB
 *   max_history: 90            # days of rotated files kept; 0 keeps all
 *   total_size_cap: 10GB       # 0 for no cap
 *   max_value_length: 256      # client-chosen strings (user names) are cut to this many characters
 * </pre>
 */
final class AuditConfig {

    private final ConfigSection section;
    private final Optional<Path> file;
    private final FileSize maxFileSize;
    private final int maxHistory;
    private final FileSize totalSizeCap;
    private final AuditTrail.Builder trail;

    private AuditConfig(ConfigSection section, Optional<Path> file, FileSize maxFileSize, int maxHistory,
                        FileSize totalSizeCap, AuditTrail.Builder trail) {
        this.section = section;
        this.file = file;
        this.maxFileSize = maxFileSize;
        this.maxHistory = maxHistory;
        this.totalSizeCap = totalSizeCap;
        this.trail = trail;
    }

    static AuditConfig read(ConfigSection audit) {
        Optional<Path> file = audit.path("file");
        FileSize maxFileSize = size(audit, "max_file_size", "100MB");
        int maxHistory = audit.integer("max_history", 0, 100_000).orElse(90);
        FileSize totalSizeCap = size(audit, "total_size_cap", "10GB");
        if (file.isEmpty()) {
            for (String key : new String[] {"max_file_size", "max_history", "total_size_cap"}) {
                if (audit.has(key)) {
                    audit.problem(key, "needs file (without it the records go to the log)");
                }
            }
        }
        AuditTrail.Builder trail = AuditTrail.builder();
        audit.integer("max_value_length", 16, 65_536, trail::maxValueLength);
        return new AuditConfig(audit, file, maxFileSize, maxHistory, totalSizeCap, trail);
    }

    private static FileSize size(ConfigSection audit, String key, String fallback) {
        return audit.string(key).flatMap(text -> {
            try {
                FileSize size = FileSize.valueOf(text);
                if (size.getSize() < 0) {
                    throw new IllegalArgumentException();
                }
                return Optional.of(size);
            } catch (IllegalArgumentException e) {
                audit.problem(key, "must be a size such as 512KB, 100MB or 2GB: " + text);
                return Optional.empty();
            }
        }).orElseGet(() -> FileSize.valueOf(fallback));
    }

    /** @return the audit file, if the records have one */
    Optional<Path> file() {
        return file;
    }

    /**
     * The audit trail, to add to the server as an observer.
     *
     * @return a new audit trail
     */
    AuditTrail trail() {
        return trail.build();
    }

    /**
     * The certificate events of the same trail, for the TLS side.
     *
     * @param trail the audit trail
     * @return an observer to add to the TLS side
     */
    static TlsObserver certificates(AuditTrail trail) {
        return new AuditTlsObserver(trail);
    }

    /**
     * Checks that the audit file can be written (its directory exists and is writable).
     *
     * @throws ConfigException at {@code audit.file} if not
     */
    void check() throws ConfigException {
        if (file.isPresent()) {
            Path directory = file.get().toAbsolutePath().getParent();
            if (!Files.isDirectory(directory)) {
                throw section.failure("file", "the directory " + directory + " does not exist");
            }
            if (!Files.isWritable(directory) || Files.exists(file.get()) && !Files.isWritable(file.get())) {
                throw section.failure("file", "cannot be written by this user: " + file.get());
            }
        }
    }

    /**
     * Sends the audit records to their file, rotated by Logback (or, without a file, keeps them in the log at INFO
     * whatever the log's level).
     *
     * @param context the Logback context, configured for the log
     * @throws ConfigException at {@code audit.file} if the file cannot be written
     */
    void attach(LoggerContext context) throws ConfigException {
        Logger audit = context.getLogger(AuditTrail.LOGGER);
        audit.setLevel(Level.INFO);
        if (file.isEmpty()) {
            return;
        }
        check();
        String name = file.get().toAbsolutePath().toString();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("audit");
        appender.setFile(name);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(name + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(maxFileSize);
        policy.setMaxHistory(maxHistory);
        policy.setTotalSizeCap(totalSizeCap);
        policy.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        appender.setRollingPolicy(policy);
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            throw section.failure("file", "cannot be opened: " + name);
        }
        audit.setAdditive(false);
        audit.addAppender(appender);
    }
}
