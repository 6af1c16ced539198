package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JdbcUrlMask;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how {@link JeexDatabase#migrate()} changes the schema: its own URL, its lock timeout
 * and retries, and the restore point before it. Immutable; derive a changed copy with the
 * {@code withX} methods, starting from {@link #DEFAULTS}.
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}):
 * JEEX_DB_MIGRATION_URL, JEEX_DB_MIGRATION_LOCK_TIMEOUT, JEEX_DB_MIGRATION_LOCK_RETRIES,
 * JEEX_DB_MIGRATION_RESTORE_POINT ({@code required}, {@code if_permitted} or {@code off}).
 *
 * @param url the JDBC URL that {@link JeexDatabase#migrate()} (and system mode) uses: it must
 *     reach PostgreSQL directly, never through a transaction-pooling PgBouncer; empty (the default)
 *     for {@link JeexDbConfig#url()}, except with {@link PoolConfig#pgBouncer()}, which requires
 *     it to be set ({@link JeexDbConfig#migrationUrl()} resolves it)
 * @param lockTimeout the {@code lock_timeout} of every migration connection (set for the session
 *     right after the login, so it holds for every statement of a migration and of a rollback): a
 *     migration statement that waits longer for a lock fails with SQLSTATE 55P03 instead of
 *     queueing, while it waits, every query of the application behind the lock it asked for; the
 *     migration is then rolled back and tried again ({@link #lockRetries()}). At least 1 ms (0
 *     would mean no limit); default 5 s
 * @param lockRetries how many more times {@link JeexDatabase#migrate()} tries a migration that
 *     failed on the {@link #lockTimeout()}, waiting the lock timeout, then twice, four times that
 *     between tries (so a long transaction can end while the application's queries flow); 0 fails
 *     at the first lock timeout; 0 to 10; default 3
 * @param restorePoint whether {@link JeexDatabase#migrate()} (and {@link JeexDatabase#rollback(String)})
 *     creates a named restore point ({@code pg_create_restore_point}) before it changes the schema;
 *     {@code pg_create_restore_point} needs a superuser or an explicit {@code GRANT EXECUTE}, and
 *     {@code wal_level} replica or logical. Default {@link RestorePointMode#REQUIRED}
 */
public record MigrationConfig(Optional<String> url, Duration lockTimeout, int lockRetries,
                              RestorePointMode restorePoint) {

    /** Every default: the main URL, 5 s per lock, 3 more tries, a restore point required. */
    public static final MigrationConfig DEFAULTS = new MigrationConfig(Optional.empty(), Duration.ofSeconds(5), 3,
            RestorePointMode.REQUIRED);

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException if a value breaks its rule (see the components); the message
     *     names the property, the rule and the value, a URL masked
     * @throws NullPointerException if an argument is null
     */
    public MigrationConfig {
        requireNonNull(url, "migrationUrl").ifPresent(u -> ConfigChecks.url("migrationUrl", u));
        ConfigChecks.atLeast("migrationLockTimeout", lockTimeout, Duration.ofMillis(1));
        ConfigChecks.atLeast("migrationLockRetries", lockRetries, 0);
        if (lockRetries > 10) {
            throw new IllegalArgumentException("migrationLockRetries must be at most 10, but was " + lockRetries);
        }
        requireNonNull(restorePoint, "migrationRestorePoint");
    }

    /**
     * @param url see {@link #url()}; null for {@link JeexDbConfig#url()}
     * @return a copy with this value
     * @throws IllegalArgumentException if not a {@code jdbc:postgresql:} URL, or a port is outside 1 to 65535
     */
    public MigrationConfig withUrl(String url) {
        return new MigrationConfig(Optional.ofNullable(url), lockTimeout, lockRetries, restorePoint);
    }

    /**
     * @param lockTimeout see {@link #lockTimeout()}
     * @return a copy with this value
     * @throws IllegalArgumentException if below 1 ms (0 would mean no limit: waiting without end)
     */
    public MigrationConfig withLockTimeout(Duration lockTimeout) {
        return new MigrationConfig(url, lockTimeout, lockRetries, restorePoint);
    }

    /**
     * @param lockRetries see {@link #lockRetries()}; 0 for none
     * @return a copy with this value
     * @throws IllegalArgumentException if negative or above 10
     */
    public MigrationConfig withLockRetries(int lockRetries) {
        return new MigrationConfig(url, lockTimeout, lockRetries, restorePoint);
    }

    /**
     * @param restorePoint see {@link #restorePoint()}
     * @return a copy with this value
     * @throws NullPointerException if null
     */
    public MigrationConfig withRestorePoint(RestorePointMode restorePoint) {
        return new MigrationConfig(url, lockTimeout, lockRetries, restorePoint);
    }

    /** @return every value, named as in error messages, with a password in the URL masked */
    @Override
    public String toString() {
        return "MigrationConfig[migrationUrl=" + url.map(JdbcUrlMask::mask).orElse(null)
                + ", migrationLockTimeout=" + lockTimeout + ", migrationLockRetries=" + lockRetries
                + ", migrationRestorePoint=" + restorePoint + "]";
    }
}
