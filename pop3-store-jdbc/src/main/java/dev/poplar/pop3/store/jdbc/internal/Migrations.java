package dev.poplar.pop3.store.jdbc.internal;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/**
 * The store's versioned schema, applied with Flyway from {@value #LOCATION} into the store's schema, with its own
 * history table {@value #HISTORY_TABLE} (so that an application's own Flyway migrations in the same database are not
 * disturbed).
 */
public final class Migrations {

    /** Where the migration scripts are, on the class path. */
    public static final String LOCATION = "classpath:dev/poplar/pop3/store/jdbc/migration";

    /** Flyway's history table in the store's schema. */
    public static final String HISTORY_TABLE = "poplar_schema_history";

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    /**
     * Creates the schema if needed and applies the migrations it lacks.
     *
     * @param dataSource the database
     * @param schema the store's schema
     * @throws org.flywaydb.core.api.FlywayException if the database cannot be reached or a migration fails
     */
    public static void apply(DataSource dataSource, String schema) {
        MigrateResult result = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(true)
                .table(HISTORY_TABLE)
                .locations(LOCATION)
                .load()
                .migrate();
        if (result.migrationsExecuted > 0) {
            LOG.info("Migrated schema {} to version {} ({} migration(s))", schema, result.targetSchemaVersion,
                    result.migrationsExecuted);
        }
    }
}
