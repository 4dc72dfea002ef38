package dev.poplar.examples;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.util.Map;

/**
 * The log until the configuration is read, and for the commands that read none ({@code pw}, {@code check-config}):
 * standard error, level info, with timestamps. Found by Logback through {@code META-INF/services}, so that it needs
 * no configuration file (and parses none at start). {@link LoggingConfig#apply} replaces it with the configured log.
 */
public final class LogbackDefaults extends ContextAwareBase implements Configurator {

    /** Created by Logback. */
    public LogbackDefaults() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LoggingConfig.configure(context, LoggingConfig.Level.INFO, Map.of(), true);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
