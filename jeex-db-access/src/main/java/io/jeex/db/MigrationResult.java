package io.jeex.db;

import java.util.Optional;

/**
 * What {@link JeexDatabase#migrate()} did: jeex-db's migrations, and the service's own when it
 * has some ({@link JeexDbConfig#serviceMigrations()}).
 *
 * @param migrationsApplied how many migrations were applied now; 0 when the schema was current
 * @param previousVersion the schema version before, or null for an empty database
 * @param currentVersion the schema version now, for example {@code 2}
 * @param restorePoint the restore point created before anything was applied, or null when nothing
 *     was pending, or {@link MigrationConfig#restorePoint()} is off or the server refused it
 * @param service what was done to the service's own migrations (their versions are the
 *     service's), or null when it has none
 */
public record MigrationResult(int migrationsApplied, String previousVersion, String currentVersion,
                              RestorePoint restorePoint, MigrationResult service) {

    /**
     * The result of one set of migrations, without a restore point.
     *
     * @param migrationsApplied how many were applied now
     * @param previousVersion the version before, or null
     * @param currentVersion the version now
     */
    public MigrationResult(int migrationsApplied, String previousVersion, String currentVersion) {
        this(migrationsApplied, previousVersion, currentVersion, null, null);
    }

    /** @return the schema version before, empty for an empty database */
    public Optional<String> previous() {
        return Optional.ofNullable(previousVersion);
    }

    /** @return what was done to the service's own migrations, empty when it has none */
    public Optional<MigrationResult> serviceResult() {
        return Optional.ofNullable(service);
    }

    /** @return the restore point created before the migrations, if one was */
    public Optional<RestorePoint> restorePointBefore() {
        return Optional.ofNullable(restorePoint);
    }

    /**
     * @param service the result of the service's migrations
     * @return this result with it
     */
    public MigrationResult withService(MigrationResult service) {
        return new MigrationResult(migrationsApplied, previousVersion, currentVersion,
                restorePoint, service);
    }
}
