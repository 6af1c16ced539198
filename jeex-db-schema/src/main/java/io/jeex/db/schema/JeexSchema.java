package io.jeex.db.schema;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The JEEX schema: where its Flyway migrations live and <em>the</em> Flyway configuration
 * that applies them. Code generation, the testkit and the runtime all migrate through
 * {@link #flywayConfiguration(DataSource)}; nothing else configures Flyway for this schema.
 *
 * <p>The configuration:
 * <ul>
 *   <li>reads SQL migrations from {@value #LOCATION} on this module's class path;</li>
 *   <li>records them in the history table {@value #HISTORY_TABLE};</li>
 *   <li>validates applied migrations before migrating (a changed or missing script fails
 *       fast instead of being silently skipped);</li>
 *   <li>refuses out-of-order migrations and migrations with bad names;</li>
 *   <li>disables {@code clean} unless the caller asks for it explicitly.</li>
 * </ul>
 */
public final class JeexSchema {

    /** The Flyway location of the migrations. */
    public static final String LOCATION = "classpath:db/migration/jeex";

    /** The class-path folder of the migrations (the {@link #LOCATION} without its prefix). */
    public static final String RESOURCE_FOLDER = "db/migration/jeex";

    /**
     * The class-path folder of the rollback scripts: one per versioned migration from V2 on, named
     * exactly like the migration it undoes ({@code V2__acting_user_function.sql} undoes
     * {@code db/migration/jeex/V2__acting_user_function.sql}). Flyway never reads it.
     */
    public static final String ROLLBACK_FOLDER = "db/rollback/jeex";

    /** The table in which Flyway records applied migrations. */
    public static final String HISTORY_TABLE = "jeex_schema_history";

    private JeexSchema() {
    }

    /**
     * Returns the Flyway configuration of this schema for the given data source, with
     * {@code clean} disabled. Callers may add settings that do not change what is applied
     * (for example callbacks); they must not change locations or the history table.
     *
     * @param dataSource where to migrate; should reach PostgreSQL directly, never through a
     *     transaction-pooling PgBouncer (migrations hold session state and locks)
     * @return a new, mutable Flyway configuration
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static FluentConfiguration flywayConfiguration(DataSource dataSource) {
        return flywayConfiguration(dataSource, false);
    }

    /**
     * Returns the Flyway configuration of this schema for the given data source.
     *
     * @param dataSource where to migrate
     * @param cleanAllowed whether Flyway's {@code clean} (drop everything) may run; only
     *     throw-away test databases should pass {@code true}
     * @return a new, mutable Flyway configuration
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static FluentConfiguration flywayConfiguration(DataSource dataSource, boolean cleanAllowed) {
        requireNonNull(dataSource, "dataSource");
        return Flyway.configure(JeexSchema.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                .failOnMissingLocations(true)
                .validateOnMigrate(true)
                .validateMigrationNaming(true)
                .outOfOrder(false)
                .baselineOnMigrate(false)
                .cleanDisabled(!cleanAllowed);
    }

    /**
     * Returns a ready Flyway instance of this schema ({@link #flywayConfiguration(DataSource)}
     * loaded).
     *
     * @param dataSource where to migrate
     * @return a Flyway instance with {@code clean} disabled
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static Flyway flyway(DataSource dataSource) {
        return flywayConfiguration(dataSource).load();
    }

    /**
     * Resolves this schema's versioned migrations with Flyway, once, for comparisons with the
     * history table that need no Flyway call each time (health checks).
     *
     * @param dataSource a connection to the database (its history table is read once)
     * @return the migrations by ascending version, with Flyway's checksums
     * @throws NullPointerException if {@code dataSource} is null
     * @throws org.flywaydb.core.api.FlywayException if Flyway cannot read the scripts or the database
     */
    public static List<ResolvedMigration> resolvedMigrations(DataSource dataSource) {
        return ResolvedMigration.resolve(flywayConfiguration(dataSource));
    }

    /**
     * Lists the migration scripts of this schema, sorted by file name.
     *
     * @return file names (without folder), for example {@code V1__initial_schema.sql}
     * @throws UncheckedIOException if the class path cannot be read
     */
    public static List<String> migrationScripts() {
        return List.copyOf(MigrationScripts.read().keySet());
    }

    /**
     * Lists the rollback scripts of this schema (in {@value #ROLLBACK_FOLDER}), sorted by file name.
     *
     * @return file names (without folder), each that of the migration it undoes
     * @throws UncheckedIOException if the class path cannot be read
     */
    public static List<String> rollbackScripts() {
        return List.copyOf(MigrationScripts.read(ROLLBACK_FOLDER).keySet());
    }

    /**
     * Returns the rollback script of a migration: the file of the same name in
     * {@value #ROLLBACK_FOLDER}.
     *
     * @param migrationScript the migration's file name, for example {@code V2__acting_user_function.sql}
     * @return its SQL (UTF-8), or empty when there is none
     * @throws NullPointerException if {@code migrationScript} is null
     * @throws UncheckedIOException if the class path cannot be read
     */
    public static Optional<String> rollbackScript(String migrationScript) {
        requireNonNull(migrationScript, "migrationScript");
        byte[] sql = MigrationScripts.read(ROLLBACK_FOLDER).get(migrationScript);
        return sql == null ? Optional.empty() : Optional.of(new String(sql, StandardCharsets.UTF_8));
    }

    /**
     * The version the migrations bring a database to: that of the newest versioned script.
     *
     * @return for example {@code 2} for {@code V2__acting_user_function.sql}
     * @throws UncheckedIOException if the class path cannot be read
     */
    public static String latestVersion() {
        return migrationScripts().stream().filter(f -> f.startsWith("V") && f.contains("__"))
                .map(f -> f.substring(1, f.indexOf("__")))
                .max(java.util.Comparator.comparing(org.flywaydb.core.api.MigrationVersion::fromVersion))
                .orElseThrow(() -> new IllegalStateException("no versioned migration on the class path"));
    }

    /**
     * Returns a SHA-256 hash (lower-case hex) of the names and contents of all migration
     * scripts. It changes whenever a script is added, renamed or edited, so it names
     * things derived from the migrations: template databases, generated code.
     *
     * @return 64 hexadecimal characters
     * @throws UncheckedIOException if the class path cannot be read
     */
    public static String migrationsHash() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        for (Map.Entry<String, byte[]> script : MigrationScripts.read().entrySet()) {
            digest.update(script.getKey().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(script.getValue());
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static IOException unreadable(String what, Exception cause) {
        return new IOException("cannot read the JEEX migrations from " + what
                + ": is jeex-db-schema on the class path, unpacked and readable?", cause);
    }
}
