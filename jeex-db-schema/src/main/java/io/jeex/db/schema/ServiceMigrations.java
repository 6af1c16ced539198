package io.jeex.db.schema;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * A service's own migrations, applied after jeex-db's (they may refer to its tables): where its
 * Flyway scripts live, the schema its tables are in, and its own history table. The one Flyway
 * configuration of a service's migrations is {@link #flywayConfiguration(DataSource, ClassLoader)};
 * the runtime ({@code JeexDatabase.migrate()}), the testkit's templates and the code generation
 * plugin all use it.
 *
 * <pre>{@code
 * ServiceMigrations ideas = ServiceMigrations.of("ideas", "classpath:db/migration/ideas");
 * }</pre>
 *
 * <p>By default the service's tables live in {@value #DEFAULT_SCHEMA} beside jeex-db's, with the
 * history table {@code <name>_schema_history}: a schema that already holds jeex-db's tables has no
 * history of the service yet, so the first migration is recorded on a baseline of version 0
 * (Flyway's {@code baselineOnMigrate}), and the service's scripts start at {@code V1}. A schema of
 * the service's own ({@link #withSchema(String)}) is created on the first migration.
 *
 * @param name the service's name: 1 to 40 lower-case letters, digits and underscores, starting
 *     with a letter; names the default history table and shows in messages
 * @param locations Flyway locations of its scripts: {@code classpath:db/migration/ideas} or
 *     {@code filesystem:/path/to/folder}; at least one
 * @param schema the PostgreSQL schema of its tables; default {@value #DEFAULT_SCHEMA}
 * @param historyTable its Flyway history table; default {@code <name>_schema_history}, never
 *     jeex-db's own
 */
public record ServiceMigrations(String name, List<String> locations, String schema, String historyTable) {

    /** The schema of a service's tables unless it names one. */
    public static final String DEFAULT_SCHEMA = "public";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * Validates the values.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a value breaks its rule
     */
    public ServiceMigrations {
        requireNonNull(name, "name");
        requireNonNull(locations, "locations");
        requireNonNull(schema, "schema");
        requireNonNull(historyTable, "historyTable");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1 to 40 lower-case letters, digits and underscores, "
                    + "starting with a letter, but was '" + name + "'");
        }
        locations = List.copyOf(locations);
        if (locations.isEmpty()) {
            throw new IllegalArgumentException("locations must name at least one Flyway location such as "
                    + "classpath:db/migration/" + name + ", but was empty");
        }
        for (String location : locations) {
            if (location.isBlank() || location.equals(JeexSchema.LOCATION)
                    || location.equals(JeexSchema.RESOURCE_FOLDER)) {
                throw new IllegalArgumentException("locations must be the service's own folders (not jeex-db's "
                        + JeexSchema.LOCATION + "), but was '" + location + "'");
            }
        }
        if (!IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a lower-case PostgreSQL identifier, but was '"
                    + schema + "'");
        }
        if (!IDENTIFIER.matcher(historyTable).matches() || historyTable.equals(JeexSchema.HISTORY_TABLE)) {
            throw new IllegalArgumentException("historyTable must be a lower-case PostgreSQL identifier other than "
                    + JeexSchema.HISTORY_TABLE + ", but was '" + historyTable + "'");
        }
    }

    /**
     * A service's migrations in {@value #DEFAULT_SCHEMA}, recorded in {@code <name>_schema_history}.
     *
     * @param name see {@link #name()}
     * @param locations see {@link #locations()}
     * @return the value
     * @throws IllegalArgumentException if a value breaks its rule
     */
    public static ServiceMigrations of(String name, String... locations) {
        requireNonNull(name, "name");
        return new ServiceMigrations(name, List.of(locations), DEFAULT_SCHEMA, name + "_schema_history");
    }

    /**
     * @param schema see {@link #schema()}
     * @return a copy with that schema
     * @throws IllegalArgumentException if malformed
     */
    public ServiceMigrations withSchema(String schema) {
        return new ServiceMigrations(name, locations, schema, historyTable);
    }

    /**
     * @param historyTable see {@link #historyTable()}
     * @return a copy with that history table
     * @throws IllegalArgumentException if malformed, or jeex-db's own
     */
    public ServiceMigrations withHistoryTable(String historyTable) {
        return new ServiceMigrations(name, locations, schema, historyTable);
    }

    /**
     * The Flyway configuration of these migrations, with the same rules as jeex-db's own
     * (validation before migrating, no out-of-order or badly named migrations, no clean), plus
     * a baseline at version 0 for a schema that holds jeex-db's tables already.
     *
     * @param dataSource where to migrate, directly (never through a transaction-pooling PgBouncer)
     * @param loader the class loader that holds {@code classpath:} locations
     * @return a new, mutable Flyway configuration
     * @throws NullPointerException if an argument is null
     */
    public FluentConfiguration flywayConfiguration(DataSource dataSource, ClassLoader loader) {
        requireNonNull(dataSource, "dataSource");
        requireNonNull(loader, "loader");
        return Flyway.configure(loader)
                .dataSource(dataSource)
                .locations(locations.toArray(String[]::new))
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(true)
                .table(historyTable)
                .failOnMissingLocations(true)
                .validateOnMigrate(true)
                .validateMigrationNaming(true)
                .outOfOrder(false)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                // Flyway writes the description into SQL unescaped: letters and spaces only
                .baselineDescription("jeex-db schema before the migrations of " + name)
                .cleanDisabled(true);
    }

    /**
     * {@link #flywayConfiguration(DataSource, ClassLoader)} with the class loader that holds a
     * service's resources: the thread's context class loader (the service's, also in containers
     * that give libraries a loader of their own), else the one that loaded jeex-db.
     *
     * @param dataSource where to migrate, directly (never through a transaction-pooling PgBouncer)
     * @return a new, mutable Flyway configuration
     * @throws NullPointerException if the data source is null
     */
    public FluentConfiguration flywayConfiguration(DataSource dataSource) {
        return flywayConfiguration(dataSource, serviceLoader());
    }

    /**
     * @return the thread's context class loader, else the one that loaded jeex-db: where a
     *     service's {@code classpath:} locations are looked up
     */
    public static ClassLoader serviceLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ServiceMigrations.class.getClassLoader();
    }

    /**
     * Resolves these versioned migrations with Flyway, once (see
     * {@link JeexSchema#resolvedMigrations(DataSource)}).
     *
     * @param dataSource a connection to the database
     * @param loader the class loader that holds {@code classpath:} locations
     * @return the migrations by ascending version, with Flyway's checksums
     * @throws NullPointerException if an argument is null
     * @throws org.flywaydb.core.api.FlywayException if Flyway cannot read the scripts or the database
     */
    public List<ResolvedMigration> resolvedMigrations(DataSource dataSource, ClassLoader loader) {
        return ResolvedMigration.resolve(flywayConfiguration(dataSource, loader));
    }

    /**
     * @param loader the class loader that holds {@code classpath:} locations
     * @return the names of the service's scripts, with their locations, sorted
     * @throws java.io.UncheckedIOException if a location cannot be read
     */
    public List<String> scripts(ClassLoader loader) {
        return List.copyOf(MigrationScripts.read(loader, locations).keySet());
    }

    /**
     * @param loader the class loader that holds {@code classpath:} locations
     * @return each script's location and file name ({@code classpath:db/migration/ideas/V1__ideas.sql})
     *     to its content, sorted
     * @throws java.io.UncheckedIOException if a location cannot be read
     */
    public Map<String, byte[]> readScripts(ClassLoader loader) {
        return java.util.Collections.unmodifiableMap(MigrationScripts.read(loader, locations));
    }

    /**
     * A SHA-256 hash (lower-case hex) of these settings and of the names and contents of the
     * scripts: it changes whenever a script is added, renamed or edited, or a setting changes.
     *
     * @param loader the class loader that holds {@code classpath:} locations
     * @return 64 hexadecimal characters
     * @throws java.io.UncheckedIOException if a location cannot be read
     */
    public String hash(ClassLoader loader) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        digest.update((name + '\0' + schema + '\0' + historyTable + '\0').getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> script : MigrationScripts.read(loader, locations).entrySet()) {
            digest.update(script.getKey().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(script.getValue());
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
