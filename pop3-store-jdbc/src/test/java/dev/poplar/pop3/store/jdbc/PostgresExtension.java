package dev.poplar.pop3.store.jdbc;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.sql.SQLException;

/**
 * Gives tests the one {@link PostgresServer} of the test run, and a {@link TestSchema} of their own on it.
 *
 * <p>The server is started at the first request, kept in JUnit's root store and stopped when the run ends, so every
 * test class of the JVM shares it. A {@code TestSchema} parameter (of a test or {@code @BeforeEach} method) is a new
 * schema for that test alone, closed (its stores closed, the schema dropped) when the test ends.
 */
public final class PostgresExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PostgresServer.class || type == TestSchema.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == PostgresServer.class) {
            return shared(context);
        }
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(TestSchema.class, key -> {
            try {
                return new TestSchema(shared(context));
            } catch (SQLException e) {
                throw new ParameterResolutionException("cannot create a test schema: " + e.getMessage(), e);
            }
        }, TestSchema.class);
    }

    /**
     * The shared server, started if needed.
     *
     * @param context any extension context of the run
     * @return the running server
     */
    public static PostgresServer shared(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(PostgresServer.class, key -> {
            try {
                return PostgresServer.start();
            } catch (IOException e) {
                throw new ParameterResolutionException("cannot start PostgreSQL: " + e.getMessage(), e);
            }
        }, PostgresServer.class);
    }
}
