package dev.poplar.pop3.server;

import dev.poplar.pop3.server.internal.ServerConfig;

import java.lang.reflect.RecordComponent;
import java.time.Duration;

/**
 * Copies of the server's configuration with a setting the builder refuses, for tests that cannot wait for the real
 * limit (RFC 1939's 10-minute idle minimum). The copy goes through the records' components, so it keeps working
 * whatever components the configuration gains.
 */
final class ConfigCopies {

    private ConfigCopies() {
    }

    /**
     * The configuration with another idle timeout after login.
     *
     * @param config a configuration the builder made
     * @param idleTimeout the idle timeout, below the builder's minimum
     * @return the copy
     */
    static ServerConfig withIdleTimeout(ServerConfig config, Duration idleTimeout) {
        return with(config, "limits", with(config.limits(), "idleTimeout", idleTimeout));
    }

    @SuppressWarnings("unchecked")
    private static <R extends Record> R with(R record, String name, Object value) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        boolean found = false;
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                found |= components[i].getName().equals(name);
                values[i] = components[i].getName().equals(name) ? value : components[i].getAccessor().invoke(record);
            }
            if (!found) {
                throw new IllegalArgumentException(record.getClass().getSimpleName() + " has no component " + name);
            }
            return (R) record.getClass().getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy " + record.getClass().getSimpleName(), e);
        }
    }
}
