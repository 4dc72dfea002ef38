package dev.poplar.pop3.server;

import dev.poplar.pop3.server.internal.ServerConfig;

/** The validated configuration of a builder, for tests of the engine's parts. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /**
     * Validates a builder's settings.
     *
     * @param builder the builder
     * @return its configuration
     */
    public static ServerConfig of(Pop3Server.Builder builder) {
        return builder.config();
    }
}
